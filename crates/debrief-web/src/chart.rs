//! Charts drawn on the server as inline SVG: no script, no library, readable without colour.

use std::fmt::Write;

use debrief_store::{date, DayScores};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// Escapes text for SVG/HTML content and attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The average score of each day with a judgment, over the last `span` days up to `today`, as a
/// line chart from 0 to 100 with the hire bar at `hire`. `None` when there is nothing to draw.
pub fn score_trend(days: &[DayScores], today: i64, span: i64, hire: u8) -> Option<String> {
    let first = today - span + 1;
    let points: Vec<(i64, f64)> = days
        .iter()
        .filter(|d| d.day >= first && d.day <= today && d.count > 0)
        .map(|d| (d.day, d.total as f64 / d.count as f64))
        .collect();
    if points.is_empty() {
        return None;
    }
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |day: i64| LEFT + plot_w * (day - first) as f64 / (span - 1).max(1) as f64;
    let y = |score: f64| TOP + plot_h * (1.0 - score.clamp(0.0, 100.0) / 100.0);
    let (last_day, last_score) = points[points.len() - 1];
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" \
         aria-labelledby=\"trend-title trend-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"trend-title\">Average score per day, last {span} days</title>\
         <desc id=\"trend-desc\">{} days with judgments; latest {} averaged {:.0} of 100.</desc>",
        points.len(),
        date::format_day(last_day),
        last_score
    );
    for tick in [0, 25, 50, 75, 100] {
        let ty = y(f64::from(tick));
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{ty:.1}\" y2=\"{ty:.1}\"/>\
             <text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{tick}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            ty + 4.0
        );
    }
    // The bar between "no hire" and "hire" as the committee draws it.
    let bar = y(f64::from(hire));
    let _ = write!(
        svg,
        "<line class=\"bar\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{bar:.1}\" y2=\"{bar:.1}\"/>",
        WIDTH - RIGHT
    );
    let line: Vec<String> = points
        .iter()
        .map(|&(d, s)| format!("{:.1},{:.1}", x(d), y(s)))
        .collect();
    let _ = write!(
        svg,
        "<polyline class=\"line\" fill=\"none\" points=\"{}\"/>",
        line.join(" ")
    );
    for &(d, s) in &points {
        let _ = write!(
            svg,
            "<circle class=\"point\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\"><title>{}: {:.0}</title></circle>",
            x(d),
            y(s),
            escape(&date::format_day(d)),
            s
        );
    }
    for (day, anchor) in [(first, "start"), (today, "end")] {
        let _ = write!(
            svg,
            "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
            x(day),
            HEIGHT - 8.0,
            escape(&date::format_day(day))
        );
    }
    svg.push_str("</svg>");
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_to_draw_without_judgments() {
        assert_eq!(score_trend(&[], 20_000, 30, 54), None);
    }

    #[test]
    fn each_day_is_a_point_with_its_average() {
        let days = [
            DayScores {
                day: 19_990,
                count: 2,
                total: 100,
            },
            DayScores {
                day: 20_000,
                count: 1,
                total: 80,
            },
        ];
        let svg = score_trend(&days, 20_000, 30, 54).unwrap();
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains(": 50</title>"));
        assert!(svg.contains(": 80</title>"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        let bar = |svg: &str| {
            let at = svg.find("class=\"bar\"").unwrap();
            svg[at..].split('"').nth(7).unwrap().parse::<f64>().unwrap()
        };
        let lower = score_trend(&days, 20_000, 30, 40).unwrap();
        assert!(
            bar(&lower) > bar(&svg),
            "a lower hire score sits lower on the chart"
        );
    }
}
