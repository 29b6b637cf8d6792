//! Human output of a judgment: a summary first (the verdict, the competency scores and the three
//! things to fix first, each with what to say instead), then the answer's own lines with the
//! spans marked, like a compiler's diagnostics, grouped by competency; then metrics and probes.

use std::fmt::Write;

use debrief_core::span::LineIndex;
use debrief_core::{Finding, Judgment, Pack, Severity};

use crate::listing;
use crate::style::Paint;

/// "LABEL VERDICT  score N/100", green for a hire, red otherwise, with the disqualifier said.
fn verdict_line(out: &mut String, label: &str, j: &Judgment, paint: Paint) {
    let verdict = if j.verdict.is_hire() {
        paint.green(j.verdict.as_str())
    } else {
        paint.red(j.verdict.as_str())
    };
    let _ = writeln!(
        out,
        "{} {}  {} {}/100{}",
        paint.bold(label),
        paint.bold(&verdict),
        paint.dim("score"),
        j.score,
        if j.disqualified {
            paint.red("  (disqualified)")
        } else {
            String::new()
        }
    );
}

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
    verdict_line(out, "Interview verdict", overall, paint);
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
                out.push_str(&wrap(step, width(), &format!("  {}. ", n + 1), "     "));
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
    out.push_str(&wrap(&question.strong, width(), "  ", "  "));
    if let Some(w) = &question.worked {
        let _ = writeln!(out, "\n{}", paint.bold("A worked strong answer"));
        indented(out, &w.strong);
        let _ = writeln!(out, "\n{}", paint.bold("A weak answer"));
        indented(out, &w.weak);
        let why = wrap(&w.weak_why, width(), "  Why it fails: ", "  ");
        out.push_str(&why.replacen("Why it fails:", &paint.bold("Why it fails:"), 1));
    }
}

fn indented(out: &mut String, text: &str) {
    for line in text.lines() {
        if line.trim().is_empty() {
            out.push('\n');
        } else {
            out.push_str(&wrap(line, width(), "  ", "  "));
        }
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
    out.push('\n');
    verdict_line(out, "Verdict", j, paint);
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
                    let text = wrap(s, width(), "     instead: ", "              ");
                    out.push_str(&text.replacen("instead:", &paint.bold("instead:"), 1));
                }
                None => out.push_str(&wrap(&f.message, width(), "     ", "     ")),
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
    let total = width();
    let note = |out: &mut String, head: &str, text: &str| {
        // The heading is painted after wrapping, so colour codes never count as columns.
        let first = if head.is_empty() {
            format!("  {pad} = ")
        } else {
            format!("  {pad} = {head} ")
        };
        let rest = " ".repeat(columns(&first));
        let wrapped = wrap(text, total, &first, &rest);
        out.push_str(&wrapped.replacen(head, &paint.bold(head), usize::from(!head.is_empty())));
    };
    if f.start == f.end {
        // About the whole answer: no words to point at.
        note(out, "whole answer:", &f.message);
        if let Some(s) = &f.suggestion {
            if f.severity != Severity::Strength {
                note(out, "instead:", s);
            }
        }
        return;
    }
    let line_range = lines.line_range(text, f.line);
    let span_end = f.end.min(line_range.end).max(f.start);
    let prefix = 2 + gutter + 3;
    let (shown, lead, width) = window(
        &text[line_range.clone()],
        f.start - line_range.start,
        span_end - line_range.start,
        total.saturating_sub(prefix + 1),
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
    note(out, "", &f.message);
    if let Some(s) = &f.suggestion {
        if f.severity != Severity::Strength {
            note(out, "instead:", s);
        }
    }
}

/// The width output is laid out for: the terminal's, `COLUMNS` when standard output is not a
/// terminal but says so, else 100. Never under 40.
pub fn width() -> usize {
    static WIDTH: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *WIDTH.get_or_init(|| {
        use std::io::IsTerminal;
        let env = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok());
        let term = std::io::stdout()
            .is_terminal()
            .then(|| ratatui::crossterm::terminal::size().ok())
            .flatten()
            .map(|(w, _)| usize::from(w));
        term.or(env).unwrap_or(100).max(40)
    })
}

/// Display columns of a text: a CJK character or an emoji takes two.
fn columns(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` cut into lines of at most `width` columns on word boundaries (a longer word gets a
/// line of its own); the first line is prefixed with `first`, the others with `rest`.
pub fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        let wanted = columns(&line) + usize::from(!empty) + columns(word);
        if !empty && wanted > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = rest.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

/// The part of a line to show around a span (byte offsets into the line) in at most `budget`
/// display columns: the text, the columns before the span in it, and the span's width in
/// columns. A line too long is cut around the span, with `…` where it was cut; a span too long
/// is cut at its end.
fn window(line: &str, start: usize, end: usize, budget: usize) -> (String, usize, usize) {
    let line = line.trim_end();
    let end = end.min(line.len()).max(start.min(line.len()));
    let start = start.min(end);
    let (before, span, after) = (&line[..start], &line[start..end], &line[end..]);
    let budget = budget.max(20);
    if columns(line) <= budget {
        return (line.to_string(), columns(before), columns(span));
    }
    // The span first (cut when it alone is too wide), then context either side, half each,
    // the side that needs less giving the rest to the other.
    let room = budget - 2;
    let span: String = take_columns(span.chars(), room);
    let left_room = room - columns(&span);
    let want_before = columns(before);
    let want_after = columns(after);
    let mut give_before = left_room / 2;
    let mut give_after = left_room - give_before;
    if want_before < give_before {
        give_after += give_before - want_before;
        give_before = want_before;
    } else if want_after < give_after {
        give_before += give_after - want_after;
        give_after = want_after;
    }
    let shown_before: String = {
        let kept: String = take_columns(before.chars().rev(), give_before);
        kept.chars().rev().collect()
    };
    let shown_after: String = take_columns(after.chars(), give_after);
    let mut shown = String::new();
    if shown_before.len() < before.len() {
        shown.push('…');
    }
    shown.push_str(&shown_before);
    let lead = columns(&shown);
    shown.push_str(&span);
    shown.push_str(&shown_after);
    if shown_after.len() < after.len() || span.len() < end - start {
        shown.push('…');
    }
    (shown, lead, columns(&span))
}

/// The characters of `chars`, in order, that fit in `budget` columns.
fn take_columns(chars: impl Iterator<Item = char>, budget: usize) -> String {
    let mut used = 0;
    let mut out = String::new();
    for c in chars {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    out
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
        let (shown, lead, width) = window("we skipped the review", 3, 10, 80);
        assert_eq!(shown, "we skipped the review");
        assert_eq!((lead, width), (3, 7));
    }

    #[test]
    fn wide_characters_keep_the_carets_under_the_span() {
        let line = "我们跳过了安全审查 so we skipped the review 🚀";
        let start = line.find("skipped").unwrap();
        let (shown, lead, width) = window(line, start, start + 7, 80);
        assert_eq!(lead, columns("我们跳过了安全审查 so we "));
        assert_eq!(width, 7);
        assert_eq!(shown, line);
        // Cut to a narrow budget, the span is still found at its column.
        let long = format!("{}{line}{}", "字".repeat(60), " 字".repeat(60));
        let start = long.find("skipped").unwrap();
        let (shown, lead, width) = window(&long, start, start + 7, 60);
        assert!(columns(&shown) <= 60, "{shown}");
        let before: String = shown.chars().take_while(|_| true).collect();
        let at = before.find("skipped").unwrap();
        assert_eq!(columns(&before[..at]), lead);
        assert_eq!(width, 7);
    }

    #[test]
    fn wrapping_breaks_on_words_within_the_width() {
        let text = "Naming the protection mechanism shows you can reason about how an attack is actually stopped.";
        let out = wrap(text, 40, "  = ", "    ");
        assert!(out.lines().all(|l| columns(l) <= 40), "{out}");
        assert!(out.lines().skip(1).all(|l| l.starts_with("    ")), "{out}");
        assert_eq!(
            out.split_whitespace()
                .filter(|w| *w != "=")
                .collect::<Vec<_>>()
                .join(" "),
            text
        );
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let line = format!(
            "{}we skipped the review{}",
            "a ".repeat(100),
            " b".repeat(100)
        );
        let start = line.find("skipped").unwrap();
        let (shown, lead, width) = window(&line, start, start + 7, 100);
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert_eq!(
            shown.chars().skip(lead).take(width).collect::<String>(),
            "skipped"
        );
    }
}
