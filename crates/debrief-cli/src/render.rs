//! Human output of a judgment: a summary first (the verdict, the competency scores and the three
//! things to fix first, each with what to say instead), then the answer's own lines with the
//! spans marked, like a compiler's diagnostics, grouped by competency; then metrics and probes.

use std::fmt::Write;

use debrief_core::span::LineIndex;
use debrief_core::{Finding, Judgment, Pack, Severity, Verdict};

use crate::listing;
use crate::style::Paint;

/// The competency scores as bars, the question's targets marked.
fn scores(out: &mut String, j: &Judgment, pack: &Pack, paint: Paint) {
    let _ = writeln!(out, "{}", paint.bold("Scores"));
    let width = pack
        .competencies
        .iter()
        .map(|c| c.id.len())
        .max()
        .unwrap_or(0);
    for cs in &j.competencies {
        let bar = match cs.score {
            Some(s) => {
                let filled = "■".repeat(s as usize) + &"□".repeat(4 - s as usize);
                let bar = if s >= 3 {
                    paint.green(&filled)
                } else {
                    paint.red(&filled)
                };
                format!("{bar} {s}")
            }
            None => paint.dim("·     not evidenced"),
        };
        let target = if cs.target {
            paint.yellow("  target")
        } else {
            String::new()
        };
        let _ = writeln!(out, "  {:width$}  {bar}{target}", cs.id);
    }
}

/// The end of a mock interview: one verdict for the answer and its follow-ups judged as one,
/// the competency scores, what would lift it to the next verdict, and the question's worked
/// answers.
pub fn interview(
    out: &mut String,
    question: &debrief_core::pack::Question,
    overall: &Judgment,
    follow_ups: usize,
    pack: &Pack,
    paint: Paint,
) {
    let verdict = if overall.verdict.is_hire() {
        paint.green(overall.verdict.as_str())
    } else {
        paint.red(overall.verdict.as_str())
    };
    let _ = writeln!(
        out,
        "{} {}  {} {}/100{}",
        paint.bold("Interview verdict"),
        paint.bold(&verdict),
        paint.dim("score"),
        overall.score,
        if overall.disqualified {
            paint.red("  (disqualified)")
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        out,
        "{}",
        paint.dim(&format!(
            "the answer and {} judged as one",
            listing::plural(follow_ups, "follow-up")
        ))
    );
    scores(out, overall, pack, paint);
    let lift = debrief_core::interview::lift(overall, pack);
    match lift.next {
        Some(next) => {
            let _ = writeln!(
                out,
                "\n{}",
                paint.bold(&format!("What would lift this to {next}"))
            );
            for (n, step) in lift.steps.iter().enumerate() {
                let _ = writeln!(out, "  {}. {step}", n + 1);
            }
        }
        None => {
            let _ = writeln!(
                out,
                "\nNothing stands between this and a strong hire: practise saying it aloud."
            );
        }
    }
    let _ = writeln!(out, "\n{}", paint.bold("What a strong answer does"));
    let _ = writeln!(out, "  {}", question.strong);
    if let Some(w) = &question.worked {
        let _ = writeln!(out, "\n{}", paint.bold("A worked strong answer"));
        indented(out, &w.strong);
        let _ = writeln!(out, "\n{}", paint.bold("A weak answer"));
        indented(out, &w.weak);
        let _ = writeln!(out, "  {} {}", paint.bold("Why it fails:"), w.weak_why);
    }
}

fn indented(out: &mut String, text: &str) {
    for line in text.lines() {
        let _ = writeln!(out, "  {line}");
    }
}

/// Renders one judgment of the answer `text` named `name`.
pub fn judgment(out: &mut String, name: &str, text: &str, j: &Judgment, pack: &Pack, paint: Paint) {
    let lines = LineIndex::new(text);
    let gutter = lines.len().to_string().len();
    let _ = writeln!(
        out,
        "{} {}",
        paint.bold(name),
        paint.dim(&format!(
            "· {} words · {} spoken{}",
            j.metrics.words,
            mm_ss(j.metrics.speaking_seconds),
            j.question
                .as_ref()
                .map(|q| format!(" · question {q}"))
                .unwrap_or_default()
        ))
    );
    let verdict = match j.verdict {
        Verdict::StrongHire | Verdict::Hire => paint.green(j.verdict.as_str()),
        _ => paint.red(j.verdict.as_str()),
    };
    let _ = writeln!(
        out,
        "\n{} {}  {} {}/100{}",
        paint.bold("Verdict"),
        paint.bold(&verdict),
        paint.dim("score"),
        j.score,
        if j.disqualified {
            paint.red("  (disqualified)")
        } else {
            String::new()
        }
    );
    scores(out, j, pack, paint);
    // The three things to fix first, each with what to say instead; the details follow.
    let first = debrief_core::interview::fix_first(j);
    if !first.is_empty() {
        let _ = writeln!(out, "\n{}", paint.bold("Fix first"));
        for (n, f) in first.iter().enumerate() {
            let whole = f.start == f.end;
            let _ = writeln!(
                out,
                "  {}. {} {} {}",
                n + 1,
                paint.severity(f.severity, f.severity.as_str()),
                paint.bold(&f.rule),
                paint.dim(&if whole {
                    "(the whole answer)".to_string()
                } else {
                    format!("{name}:{}:{}", f.line, f.column)
                })
            );
            if !whole {
                let _ = writeln!(out, "     \"{}\"", listing::clip(&f.text, 70));
            }
            match &f.suggestion {
                Some(s) => {
                    let _ = writeln!(out, "     {} {s}", paint.bold("instead:"));
                }
                None => {
                    let _ = writeln!(out, "     {}", f.message);
                }
            }
        }
    }
    if j.findings.is_empty() {
        let _ = writeln!(out, "\n{}", paint.dim("No findings."));
    } else {
        let _ = writeln!(out, "\n{}", paint.bold("Findings"));
    }
    for c in &pack.competencies {
        let mine: Vec<&Finding> = j
            .findings
            .iter()
            .filter(|f| *f.competency == *c.id)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let score = j.competency_score(&c.id);
        let _ = writeln!(
            out,
            "\n{} {}",
            paint.bold(&c.name),
            paint.dim(&format!("({}) {}", c.id, score_text(score)))
        );
        for f in mine {
            finding(out, name, text, &lines, gutter, f, paint);
        }
    }
    let m = &j.metrics;
    let _ = writeln!(
        out,
        "{}",
        paint.dim(&format!(
            "{} · {} · I {} / we {} · {} fillers · {} hedges",
            listing::plural(m.sentences, "sentence"),
            listing::plural(m.quantities, "quantity"),
            m.first_person_singular,
            m.first_person_plural,
            m.fillers,
            m.hedges
        ))
    );
    if !j.probes.is_empty() {
        let _ = writeln!(out, "\n{}", paint.bold("Practise next"));
        for p in &j.probes {
            let _ = writeln!(
                out,
                "  - {} {}",
                p.question,
                paint.dim(&format!("[{}]", p.competency))
            );
        }
    }
}

fn finding(
    out: &mut String,
    name: &str,
    text: &str,
    lines: &LineIndex,
    gutter: usize,
    f: &Finding,
    paint: Paint,
) {
    let label = paint.severity(f.severity, f.severity.as_str());
    let _ = writeln!(
        out,
        "  {label} {} {}",
        paint.bold(&f.rule),
        paint.dim(&format!("{name}:{}:{}", f.line, f.column))
    );
    let pad = " ".repeat(gutter);
    if f.start == f.end {
        // About the whole answer: no words to point at.
        let _ = writeln!(
            out,
            "  {pad} = {} {}",
            paint.bold("whole answer:"),
            f.message
        );
        if let Some(s) = &f.suggestion {
            if f.severity != Severity::Strength {
                let _ = writeln!(out, "  {pad} = {} {s}", paint.bold("instead:"));
            }
        }
        return;
    }
    let line_range = lines.line_range(text, f.line);
    let span_end = f.end.min(line_range.end).max(f.start);
    let (shown, lead, width) = window(
        &text[line_range.clone()],
        f.start - line_range.start,
        span_end - line_range.start,
    );
    let more = if f.end > line_range.end { "…" } else { "" };
    let _ = writeln!(out, "  {pad} |");
    let _ = writeln!(out, "  {:>gutter$} | {shown}", f.line);
    let _ = writeln!(
        out,
        "  {pad} | {}{}{more}",
        " ".repeat(lead),
        paint.severity(f.severity, &"^".repeat(width.max(1)))
    );
    let _ = writeln!(out, "  {pad} = {}", f.message);
    if let Some(s) = &f.suggestion {
        if f.severity != Severity::Strength {
            let _ = writeln!(out, "  {pad} = {} {s}", paint.bold("instead:"));
        }
    }
}

/// Characters of context shown either side of a span on a long line.
const CONTEXT_CHARS: usize = 48;

/// The part of a line to show around a span (byte offsets into the line): the text, the
/// characters before the span in it, and the span's width in characters. A long line (an answer
/// written as one paragraph) is cut to the span and some context, with `…` where it was cut.
fn window(line: &str, start: usize, end: usize) -> (String, usize, usize) {
    let line = line.trim_end();
    let end = end.min(line.len()).max(start.min(line.len()));
    let start = start.min(end);
    let before: Vec<char> = line[..start].chars().collect();
    let span = line[start..end].chars().count();
    let after: Vec<char> = line[end..].chars().collect();
    let total = before.len() + span + after.len();
    if total <= 2 * CONTEXT_CHARS + span.min(80) {
        return (line.to_string(), before.len(), span);
    }
    let mut shown = String::new();
    let cut_before = before.len() > CONTEXT_CHARS;
    let from = if cut_before {
        before.len() - CONTEXT_CHARS
    } else {
        0
    };
    if cut_before {
        shown.push('…');
    }
    shown.extend(&before[from..]);
    let lead = shown.chars().count();
    shown.push_str(&line[start..end]);
    let keep = after.len().min(CONTEXT_CHARS);
    shown.extend(&after[..keep]);
    if keep < after.len() {
        shown.push('…');
    }
    (shown, lead, span)
}

fn score_text(score: Option<u8>) -> String {
    match score {
        Some(s) => format!("{s}/4"),
        None => "not evidenced".into(),
    }
}

/// Seconds as m:ss.
pub fn mm_ss(seconds: usize) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_are_shown_whole() {
        let (shown, lead, width) = window("we skipped the review", 3, 10);
        assert_eq!(shown, "we skipped the review");
        assert_eq!((lead, width), (3, 7));
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let line = format!(
            "{}we skipped the review{}",
            "a ".repeat(100),
            " b".repeat(100)
        );
        let start = line.find("skipped").unwrap();
        let (shown, lead, width) = window(&line, start, start + 7);
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert_eq!(
            shown.chars().skip(lead).take(width).collect::<String>(),
            "skipped"
        );
    }
}
