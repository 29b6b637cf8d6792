//! Calendar dates as days since 1970-01-01, without a time-zone database: the store keeps Unix
//! seconds and the candidate thinks in days.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in Unix seconds.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The day (days since 1970-01-01, UTC) of a Unix time.
pub fn day_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(86_400)
}

/// Parses `YYYY-MM-DD` into days since 1970-01-01.
pub fn parse_day(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Formats days since 1970-01-01 as `YYYY-MM-DD`.
pub fn format_day(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Formats a Unix time as `YYYY-MM-DD HH:MM UTC` (a server's pages do not know the reader's
/// time zone, so they say which one they use).
pub fn format_time(unix_seconds: i64) -> String {
    let secs = unix_seconds.rem_euclid(86_400);
    format!(
        "{} {:02}:{:02} UTC",
        format_day(day_of(unix_seconds)),
        secs / 3600,
        secs % 3600 / 60
    )
}

/// Formats a Unix time as RFC 3339 in UTC, for logs: `2026-12-04T21:30:05Z`.
pub fn format_rfc3339(unix_seconds: i64) -> String {
    let secs = unix_seconds.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        format_day(day_of(unix_seconds)),
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's algorithms for the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_through_text() {
        for text in ["1970-01-01", "2000-02-29", "2026-12-31", "2027-03-01"] {
            assert_eq!(format_day(parse_day(text).unwrap()), text);
        }
        assert_eq!(parse_day("1970-01-02"), Some(1));
    }

    #[test]
    fn times_are_shown_in_utc_and_say_so() {
        assert_eq!(
            format_time(86_400 + 3_600 * 13 + 65),
            "1970-01-02 13:01 UTC"
        );
        assert_eq!(format_rfc3339(59), "1970-01-01T00:00:59Z");
    }

    #[test]
    fn impossible_dates_are_rejected() {
        for text in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-1",
            "tomorrow",
            "2026-04-31",
        ] {
            assert_eq!(parse_day(text), None, "{text}");
        }
    }
}
