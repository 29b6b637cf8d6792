//! Charts drawn on the server as inline SVG: no script, no library, readable without colour.

use std::fmt::Write;

use debrief_store::{date, DayScores};

use crate::delivery::{SavedDelivery, SpokenPoint};

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

/// Seconds as m:ss.
fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as i64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// A spoken answer's delivery over time: a bar of words a minute for each 15-second window,
/// each pause over a second as a hatched band with its length written above it, the moment the
/// decision was first stated as a dashed line, and the time limit (`limit_seconds`: the explain
/// drill's two minutes or an answer's three) as a solid line. Every mark is told apart by shape
/// and label, never by colour alone; the same numbers are in the `<desc>` and in the page's text.
pub fn delivery_timeline(d: &SavedDelivery, limit_seconds: f64, id: &str) -> String {
    let span = d.seconds.max(limit_seconds).max(1.0) * 1.05;
    // Room on the left for the axis's name beside its numbers.
    let left = LEFT + 12.0;
    let top_wpm = d
        .pace
        .iter()
        .map(|w| w.words_per_minute)
        .fold(200.0f64, f64::max);
    let top_wpm = (top_wpm / 50.0).ceil() * 50.0;
    let plot_w = WIDTH - left - RIGHT;
    let plot_top = TOP + 16.0;
    let plot_h = HEIGHT - plot_top - BOTTOM;
    let x = |t: f64| left + plot_w * t.clamp(0.0, span) / span;
    let y = |wpm: f64| plot_top + plot_h * (1.0 - wpm.clamp(0.0, top_wpm) / top_wpm);
    let limit_label = if limit_seconds <= 120.0 {
        format!("{} limit", clock(limit_seconds))
    } else {
        format!("{} budget", clock(limit_seconds))
    };
    let decision = match &d.decision {
        Some(dec) => format!("decision stated at {}", clock(dec.seconds)),
        None => "no sentence states a decision".to_string(),
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart timeline\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <defs><pattern id=\"{id}-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
         patternTransform=\"rotate(45)\"><line class=\"hatch\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\"/></pattern></defs>\
         <title id=\"{id}-title\">Delivery over time: words a minute per 15 seconds, pauses, the decision and the {}</title>\
         <desc id=\"{id}-desc\">{} speaking against the {}; {:.0} words a minute overall; {} pause{} over 1 second; {}.</desc>",
        escape(&limit_label),
        clock(d.speaking_seconds),
        escape(&limit_label),
        d.words_per_minute,
        d.pauses.len(),
        if d.pauses.len() == 1 { "" } else { "s" },
        escape(&decision),
    );
    for tick in [0.0, top_wpm / 2.0, top_wpm] {
        let ty = y(tick);
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{:.1}\" y1=\"{ty:.1}\" y2=\"{ty:.1}\"/>\
             <text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{tick:.0}</text>",
            WIDTH - RIGHT,
            left - 6.0,
            ty + 4.0
        );
    }
    // Along the axis, out of the way of the pauses' labels above the plot.
    let _ = write!(
        svg,
        "<text class=\"axis\" transform=\"translate(12 {:.1}) rotate(-90)\" text-anchor=\"middle\">words a minute</text>",
        plot_top + plot_h / 2.0
    );
    for w in &d.pace {
        let (x0, x1) = (x(w.start), x(w.end));
        let top = y(w.words_per_minute);
        let _ = write!(
            svg,
            "<rect class=\"pace\" x=\"{:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\">\
             <title>{} to {}: {:.0} words a minute</title></rect>",
            x0 + 1.0,
            (x1 - x0 - 2.0).max(1.0),
            (y(0.0) - top).max(0.0),
            clock(w.start),
            clock(w.end),
            w.words_per_minute
        );
    }
    // Over the bars: a pause inside a window shows through its hatching.
    for p in &d.pauses {
        let (x0, x1) = (x(p.start), x(p.end));
        let _ = write!(
            svg,
            "<rect class=\"pause\" x=\"{x0:.1}\" y=\"{plot_top:.1}\" width=\"{:.1}\" height=\"{plot_h:.1}\" \
             fill=\"url(#{id}-hatch)\"><title>pause at {}: {:.1} s</title></rect>\
             <text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{:.1} s</text>",
            (x1 - x0).max(1.5),
            clock(p.start),
            p.end - p.start,
            (x0 + x1) / 2.0,
            plot_top - 3.0,
            p.end - p.start
        );
    }
    let base = y(0.0);
    let lx = x(limit_seconds);
    let _ = write!(
        svg,
        "<line class=\"limit\" x1=\"{lx:.1}\" x2=\"{lx:.1}\" y1=\"{plot_top:.1}\" y2=\"{base:.1}\"/>\
         <text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
        lx - 3.0,
        plot_top + 12.0,
        escape(&limit_label)
    );
    if let Some(dec) = &d.decision {
        let dx = x(dec.seconds);
        let _ = write!(
            svg,
            "<line class=\"decision\" x1=\"{dx:.1}\" x2=\"{dx:.1}\" y1=\"{plot_top:.1}\" y2=\"{base:.1}\">\
             <title>decision stated at {}: {}</title></line>\
             <text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\">decision {}</text>",
            clock(dec.seconds),
            escape(&dec.sentence),
            dx + 3.0,
            plot_top + 26.0,
            clock(dec.seconds)
        );
    }
    let mut t = 0.0;
    let step = if span > 300.0 { 60.0 } else { 30.0 };
    while t <= span {
        let _ = write!(
            svg,
            "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            x(t),
            HEIGHT - 8.0,
            clock(t)
        );
        t += step;
    }
    svg.push_str("</svg>");
    svg
}

/// The delivery trend over spoken attempts, oldest first: three small line charts stacked (words
/// a minute, long pauses, seconds to the decision), each point labelled. `None` without any.
pub fn delivery_trend(points: &[SpokenPoint], id: &str) -> Option<String> {
    if points.is_empty() {
        return None;
    }
    type Measure = fn(&SpokenPoint) -> Option<f64>;
    let rows: [(&str, Measure); 3] = [
        ("words a minute", |p| Some(p.words_per_minute)),
        ("pauses over 1 s", |p| Some(p.long_pauses as f64)),
        ("seconds to the decision", |p| p.decision_seconds),
    ];
    let row_h = 70.0;
    let height = TOP + rows.len() as f64 * row_h + BOTTOM;
    let plot_w = WIDTH - LEFT - RIGHT - 140.0;
    let x = |i: usize| {
        LEFT + 110.0
            + if points.len() == 1 {
                plot_w / 2.0
            } else {
                plot_w * i as f64 / (points.len() - 1) as f64
            }
    };
    let last = &points[points.len() - 1];
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-title\">Delivery over {} spoken attempt{}</title>\
         <desc id=\"{id}-desc\">The latest, {}: {:.0} words a minute, {} pause{} over 1 second, {}.</desc>",
        points.len(),
        if points.len() == 1 { "" } else { "s" },
        escape(&last.day),
        last.words_per_minute,
        last.long_pauses,
        if last.long_pauses == 1 { "" } else { "s" },
        match last.decision_seconds {
            Some(s) => format!("decision stated at {}", clock(s)),
            None => "no decision stated".to_string(),
        }
    );
    for (r, (label, value)) in rows.iter().enumerate() {
        let top = TOP + r as f64 * row_h;
        let bottom = top + row_h - 22.0;
        let values: Vec<Option<f64>> = points.iter().map(value).collect();
        let high = values.iter().flatten().fold(1.0f64, |a, b| a.max(*b)) * 1.1;
        let y = |v: f64| bottom - (bottom - top - 8.0) * (v / high);
        let _ = write!(
            svg,
            "<text class=\"axis\" x=\"{LEFT}\" y=\"{:.1}\">{label}</text>\
             <line class=\"grid\" x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{bottom:.1}\" y2=\"{bottom:.1}\"/>",
            (top + bottom) / 2.0 + 4.0,
            LEFT + 110.0,
            WIDTH - RIGHT
        );
        let line: Vec<String> = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", x(i), y(v))))
            .collect();
        if line.len() > 1 {
            let _ = write!(
                svg,
                "<polyline class=\"line\" fill=\"none\" points=\"{}\"/>",
                line.join(" ")
            );
        }
        // The newest value written at the right, so the row reads without hovering.
        if let Some(Some(v)) = values.last() {
            let _ = write!(
                svg,
                "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\">{v:.0}</text>",
                x(points.len() - 1) + 8.0,
                y(*v) + 4.0
            );
        }
        for (i, v) in values.iter().enumerate() {
            if let Some(v) = v {
                let _ = write!(
                    svg,
                    "<circle class=\"point\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\"><title>{}: {v:.0} {label}</title></circle>",
                    x(i),
                    y(*v),
                    escape(&points[i].day)
                );
            }
        }
    }
    let ends: &[(usize, &str)] = if points.len() == 1 {
        &[(0, "middle")]
    } else {
        &[(0, "start"), (points.len() - 1, "end")]
    };
    for &(i, anchor) in ends {
        let _ = write!(
            svg,
            "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
            x(i),
            height - 8.0,
            escape(&points[i].day)
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

    fn delivery() -> SavedDelivery {
        serde_json::from_value(serde_json::json!({
            "seconds": 40.0, "speaking_seconds": 38.0, "words": 90, "words_per_minute": 142.0,
            "pace": [
                {"start": 0.0, "end": 15.0, "words": 35, "words_per_minute": 140.0},
                {"start": 15.0, "end": 30.0, "words": 40, "words_per_minute": 160.0},
                {"start": 30.0, "end": 40.0, "words": 15, "words_per_minute": 90.0}
            ],
            "pauses": [{"start": 12.0, "end": 13.4}],
            "decision": {"seconds": 4.2, "sentence": "I decided to <halt> the launch."},
            "fillers": [], "filler_method": "counted", "over_explain_limit": false,
            "over_answer_budget": false, "trailing_volume": null
        }))
        .unwrap()
    }

    #[test]
    fn the_timeline_has_a_bar_per_window_each_pause_the_decision_and_the_limit() {
        let svg = delivery_timeline(&delivery(), 180.0, "d1");
        assert_eq!(svg.matches("<rect class=\"pace\"").count(), 3);
        assert!(svg.contains("0:15 to 0:30: 160 words a minute"));
        assert_eq!(svg.matches("<rect class=\"pause\"").count(), 1);
        assert!(
            svg.contains(">1.4 s</text>"),
            "the pause's length is written"
        );
        assert!(svg.contains("class=\"decision\""));
        assert!(svg.contains("decision 0:04"));
        assert!(svg.contains("3:00 budget"));
        assert!(svg.contains("&lt;halt&gt;"), "the sentence is escaped");
        assert!(svg.contains("aria-labelledby=\"d1-title d1-desc\""));
        assert!(svg.contains("0:38 speaking against the 3:00 budget; 142 words a minute overall; 1 pause over 1 second; decision stated at 0:04."));
    }

    #[test]
    fn the_explain_drill_draws_its_two_minute_limit() {
        let svg = delivery_timeline(&delivery(), 120.0, "d2");
        assert!(svg.contains("2:00 limit"));
    }

    #[test]
    fn the_delivery_trend_needs_a_spoken_attempt_and_draws_each() {
        assert_eq!(delivery_trend(&[], "t"), None);
        let point = |day: &str, wpm: f64, decision: Option<f64>| SpokenPoint {
            day: day.to_string(),
            words_per_minute: wpm,
            long_pauses: 2,
            decision_seconds: decision,
        };
        let svg = delivery_trend(
            &[
                point("2026-12-01", 120.0, None),
                point("2026-12-03", 150.0, Some(9.0)),
            ],
            "t",
        )
        .unwrap();
        // Two points for words a minute and for pauses, one for the decision (the first never
        // stated one).
        assert_eq!(svg.matches("<circle").count(), 5);
        assert!(svg.contains("Delivery over 2 spoken attempts"));
        assert!(svg.contains("150 words a minute, 2 pauses over 1 second, decision stated at 0:09"));
    }
}
