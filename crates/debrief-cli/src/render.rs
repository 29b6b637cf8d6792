//! Human output of a judgment: the answer's own lines with the spans marked, like a compiler's
//! diagnostics, grouped by competency; then scores, verdict, probes and metrics.

use std::fmt::Write;

use debrief_core::span::LineIndex;
use debrief_core::{Finding, Judgment, Pack, Severity, Verdict};

use crate::style::Paint;

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
    for c in &pack.competencies {
        let mine: Vec<&Finding> = j.findings.iter().filter(|f| f.competency == c.id).collect();
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
    let _ = writeln!(out, "\n{}", paint.bold("Scores"));
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
    let m = &j.metrics;
    let _ = writeln!(
        out,
        "{}",
        paint.dim(&format!(
            "{} sentences · {} quantities · I {} / we {} · {} fillers · {} hedges",
            m.sentences,
            m.quantities,
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
    let line_range = lines.line_range(text, f.line);
    let line_text = &text[line_range.clone()];
    let pad = " ".repeat(gutter);
    let _ = writeln!(out, "  {pad} |");
    let _ = writeln!(out, "  {:>gutter$} | {}", f.line, line_text.trim_end());
    let lead = text[line_range.start..f.start].chars().count();
    let span_end = f.end.min(line_range.end).max(f.start);
    let width = text[f.start..span_end].chars().count().max(1);
    let more = if f.end > line_range.end { "…" } else { "" };
    let marks = "^".repeat(width);
    let _ = writeln!(
        out,
        "  {pad} | {}{}{more}",
        " ".repeat(lead),
        paint.severity(f.severity, &marks)
    );
    let _ = writeln!(out, "  {pad} = {}", f.message);
    if let Some(s) = &f.suggestion {
        if f.severity != Severity::Strength {
            let _ = writeln!(out, "  {pad} = {} {s}", paint.bold("instead:"));
        }
    }
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
