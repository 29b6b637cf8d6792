//! Measuring the explain drill on labelled explanations: idea by idea, the verdict, and whether
//! a wrong explanation is failed with its error quoted.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use debrief_core::explain::{self, Explainer};
use debrief_core::learned::Model;
use debrief_core::pack::Pack;
use serde::{Deserialize, Serialize};

use super::stats;
use crate::style::Paint;

/// An explanation labelled idea by idea. Other fields are ignored.
#[derive(Deserialize)]
pub struct Labelled {
    /// Its id.
    pub id: String,
    /// The topic's id.
    pub topic: String,
    /// The explanation.
    pub text: String,
    /// good, jargon, wrong or flawed: what the writer set out to write.
    #[serde(default)]
    pub kind: Option<String>,
    /// Each idea: present, wrong or absent.
    pub ideas: BTreeMap<String, String>,
    /// The labeller's verdict and the errors they quoted.
    #[serde(default)]
    pub labelled: Option<Verdict>,
    /// A second labeller's reading of the same ideas, made blind to the first's, where there
    /// is one: how far two careful people agree is the most any judge can be asked for.
    #[serde(default)]
    pub ideas_second: Option<BTreeMap<String, String>>,
    /// The second labeller's verdict.
    #[serde(default)]
    pub labelled_second: Option<Verdict>,
}

/// The labeller's reading of the whole explanation.
#[derive(Deserialize)]
pub struct Verdict {
    /// pass or fail.
    #[serde(default)]
    pub verdict: Option<String>,
    /// The wrong sentences.
    #[serde(default)]
    pub errors: Vec<Quote>,
}

/// A quoted error.
#[derive(Deserialize)]
pub struct Quote {
    /// The sentence, as written.
    pub quote: String,
}

/// Per kind of explanation: how many the drill passed.
#[derive(Serialize, Default, Clone)]
pub struct Kind {
    /// Explanations of this kind.
    pub total: usize,
    /// Passed by the drill.
    pub passed: usize,
    /// Passed by the labeller.
    pub labelled_pass: usize,
    /// Idea decisions in explanations of this kind.
    pub ideas: usize,
    /// Of them, those that agree with the labels.
    pub ideas_agree: usize,
}

/// The report on labelled explanations.
#[derive(Serialize)]
pub struct Report {
    /// Explanations read.
    pub explanations: usize,
    /// Idea decisions (present or not) that agree with the labels.
    pub idea_agreement: f64,
    /// The same with the topics' phrase lists alone.
    pub idea_agreement_phrases: f64,
    /// The same with the word count alone: the best "present when the explanation has at least
    /// this many words" bar, fitted on these very labels (the most length alone can do here).
    pub idea_agreement_length: f64,
    /// That bar, in words (0: every idea present).
    pub idea_length_bar: usize,
    /// Ideas labelled present that the drill found.
    pub ideas_found: usize,
    /// Ideas labelled present.
    pub ideas_present: usize,
    /// Ideas labelled wrong or absent that the drill credited.
    pub ideas_credited_wrongly: usize,
    /// Verdicts that agree with the labeller's.
    pub verdict_agreement: f64,
    /// Verdicts that the word count alone agrees with: the best "pass when it has this many
    /// words" band, fitted on these very labels.
    pub verdict_agreement_length: f64,
    /// That band in words, lowest and highest (none: failing every one does best).
    pub verdict_length_band: Option<(usize, usize)>,
    /// By the writer's kind.
    pub kinds: BTreeMap<String, Kind>,
    /// Explanations with a labelled error that the drill failed with that error quoted.
    pub errors_quoted: usize,
    /// Explanations with a labelled error.
    pub with_errors: usize,
    /// Explanations without a labelled error where the drill quoted one.
    pub false_errors: usize,
    /// Against a second labeller, where the labelled file has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub second: Option<Second>,
    /// What went wrong, explanation by explanation: a verdict unlike the labeller's, an error
    /// quoted where none was labelled, or a labelled error not quoted.
    pub misses: Vec<String>,
}

/// The two labellers and the drill, on the explanations both labellers read. An idea counts as
/// present or not (wrong and absent alike are not present), as in the drill's own figure.
#[derive(Serialize, Default)]
pub struct Second {
    /// Explanations both labellers read.
    pub explanations: usize,
    /// Idea decisions on them.
    pub ideas: usize,
    /// Idea decisions on which the two labellers agree.
    pub labellers_agree: usize,
    /// Cohen's kappa between the two labellers (agreement beyond chance).
    pub labellers_kappa: f64,
    /// The drill's agreement with the first labeller on these explanations.
    pub drill_first: usize,
    /// The drill's agreement with the second labeller.
    pub drill_second: usize,
    /// On the ideas where the labellers agree, the drill's agreement with them both.
    pub drill_consensus: usize,
    /// Verdicts of the two labellers that agree (of those where both gave one).
    pub verdicts_agree: usize,
    /// Explanations where both labellers gave a verdict.
    pub verdicts: usize,
    /// The drill's verdict agreeing with the second labeller's.
    pub drill_verdict_second: usize,
}

/// Cohen's kappa for two raters' yes/no decisions, from the counts of (first, second) pairs.
fn kappa(both: usize, first_only: usize, second_only: usize, neither: usize) -> f64 {
    let n = (both + first_only + second_only + neither) as f64;
    if n == 0.0 {
        return 0.0;
    }
    let observed = (both + neither) as f64 / n;
    let first = (both + first_only) as f64 / n;
    let second = (both + second_only) as f64 / n;
    let chance = first * second + (1.0 - first) * (1.0 - second);
    if chance >= 1.0 {
        return 1.0;
    }
    (observed - chance) / (1.0 - chance)
}

/// Reads labelled explanations, one JSON object a line.
pub fn read(text: &str, file: &str) -> Result<Vec<Labelled>> {
    super::read_jsonl(text, file, "labelled explanation")
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Judges every explanation with the drill (and with the phrase lists alone) and measures it.
pub fn evaluate(
    pack: &Pack,
    model: Option<&Model>,
    items: &[Labelled],
    file: &str,
) -> Result<Report> {
    let learned = Explainer::new(pack, model);
    let phrases = Explainer::new(pack, None);
    let (mut agree, mut agree_plain, mut decisions) = (0usize, 0usize, 0usize);
    let (mut found, mut present, mut wrongly) = (0, 0, 0);
    let mut verdicts = 0usize;
    let mut kinds: BTreeMap<String, Kind> = BTreeMap::new();
    let (mut quoted, mut with_errors, mut false_errors) = (0, 0, 0);
    let mut misses = Vec::new();
    let mut second = Second::default();
    let mut pairs = [0usize; 4];
    let (mut idea_lengths, mut verdict_lengths) = (Vec::new(), Vec::new());
    for (n, item) in items.iter().enumerate() {
        let Some(topic) = pack.topic(&item.topic) else {
            bail!("{file}:{}: unknown topic {:?}", n + 1, item.topic);
        };
        let e = learned
            .judge(topic, &item.text)
            .with_context(|| format!("{file}: {}", item.id))?;
        let plain = phrases
            .judge(topic, &item.text)
            .with_context(|| format!("{file}: {}", item.id))?;
        // Counted as the drill counts them for its time limit.
        let words = e.words;
        let mut idea_misses = Vec::new();
        let agreed_before = agree;
        for (idea, label) in &item.ideas {
            let is = label == "present";
            let got = e
                .concepts
                .iter()
                .find(|c| c.id == *idea)
                .is_some_and(|c| c.present);
            let got_plain = plain
                .concepts
                .iter()
                .find(|c| c.id == *idea)
                .is_some_and(|c| c.present);
            if let Some(other) = &item.ideas_second {
                let Some(label2) = other.get(idea) else {
                    bail!(
                        "{file}: {}: the second labeller left out idea {idea}",
                        item.id
                    );
                };
                let again = label2 == "present";
                second.ideas += 1;
                second.drill_first += usize::from(got == is);
                second.drill_second += usize::from(got == again);
                second.drill_consensus += usize::from(is == again && got == is);
                // Counts of (first, second): both present, first only, second only, neither.
                pairs[usize::from(!is) * 2 + usize::from(!again)] += 1;
            }
            idea_lengths.push((words, is));
            decisions += 1;
            agree += usize::from(is == got);
            agree_plain += usize::from(is == got_plain);
            present += usize::from(is);
            found += usize::from(is && got);
            wrongly += usize::from(!is && got);
            if is != got {
                idea_misses.push(if is {
                    format!("missed idea {idea}")
                } else {
                    format!("credited idea {idea} labelled {label}")
                });
            }
        }
        let labelled_pass = item
            .labelled
            .as_ref()
            .and_then(|l| l.verdict.as_deref())
            .map(|v| v == "pass");
        if item.ideas_second.is_some() {
            second.explanations += 1;
            let again = item
                .labelled_second
                .as_ref()
                .and_then(|l| l.verdict.as_deref())
                .map(|v| v == "pass");
            if let (Some(first), Some(again)) = (labelled_pass, again) {
                second.verdicts += 1;
                second.verdicts_agree += usize::from(first == again);
                second.drill_verdict_second += usize::from(e.passed == again);
            }
        }
        if labelled_pass == Some(e.passed) {
            verdicts += 1;
        }
        if let Some(pass) = labelled_pass {
            verdict_lengths.push((words, pass));
        }
        let k = kinds
            .entry(item.kind.clone().unwrap_or_else(|| "?".into()))
            .or_default();
        k.total += 1;
        k.passed += usize::from(e.passed);
        k.labelled_pass += usize::from(labelled_pass == Some(true));
        k.ideas += item.ideas.len();
        k.ideas_agree += agree - agreed_before;
        let errors = item.labelled.as_ref().map_or(&[][..], |l| &l.errors[..]);
        let flagged: Vec<String> = e.errors.iter().map(|x| squash(&x.sentence)).collect();
        let mut wrong = Vec::new();
        if errors.is_empty() {
            false_errors += usize::from(!flagged.is_empty());
            if !flagged.is_empty() {
                wrong.push("an error quoted where none was labelled".to_string());
            }
        } else {
            with_errors += 1;
            let hit = errors.iter().any(|q| {
                let q = squash(&q.quote);
                flagged
                    .iter()
                    .any(|f| f.contains(&q) || q.contains(f.as_str()))
            });
            let caught = hit && !e.passed;
            quoted += usize::from(caught);
            if !caught {
                wrong.push(format!("labelled error not quoted: {:?}", errors[0].quote));
            }
        }
        if labelled_pass.is_some_and(|p| p != e.passed) {
            wrong.insert(
                0,
                format!(
                    "labelled {}, judged {}",
                    if e.passed { "fail" } else { "pass" },
                    if e.passed { "pass" } else { "fail" }
                ),
            );
        }
        if !wrong.is_empty() {
            let mut why = idea_misses;
            why.extend(
                e.errors
                    .iter()
                    .map(|x| format!("claims {} in {:?}", x.id, x.sentence)),
            );
            if e.unexplained_jargon() > explain::MAX_UNEXPLAINED_TERMS {
                why.push(format!("{} terms unexplained", e.unexplained_jargon()));
            }
            if !e.analogy {
                why.push("no analogy heard".into());
            }
            misses.push(format!(
                "{} ({}, {}): {}{}{}",
                item.id,
                item.topic,
                item.kind.as_deref().unwrap_or("?"),
                wrong.join("; "),
                if why.is_empty() { "" } else { "; " },
                why.join("; ")
            ));
        }
    }
    let (idea_length_bar, idea_length_agree) = stats::best_bar(&idea_lengths);
    let (verdict_length_band, verdict_length_agree) = stats::best_band(&verdict_lengths);
    Ok(Report {
        explanations: items.len(),
        idea_agreement: agree as f64 / decisions.max(1) as f64,
        idea_agreement_phrases: agree_plain as f64 / decisions.max(1) as f64,
        idea_agreement_length: idea_length_agree as f64 / decisions.max(1) as f64,
        idea_length_bar,
        ideas_found: found,
        ideas_present: present,
        ideas_credited_wrongly: wrongly,
        verdict_agreement: verdicts as f64 / items.len() as f64,
        verdict_agreement_length: verdict_length_agree as f64 / items.len() as f64,
        verdict_length_band,
        kinds,
        errors_quoted: quoted,
        with_errors,
        false_errors,
        second: (second.explanations > 0).then(|| Second {
            labellers_agree: pairs[0] + pairs[3],
            labellers_kappa: kappa(pairs[0], pairs[1], pairs[2], pairs[3]),
            ..second
        }),
        misses,
    })
}

/// The report for people.
pub fn human(r: &Report, paint: Paint) -> String {
    let mut out = format!("{} explanations\n\n", r.explanations);
    out.push_str(&format!(
        "  idea agreement with the labels     {:.1}% (the topics' phrase lists alone {:.1}%; the word count alone {:.1}%, {})\n",
        100.0 * r.idea_agreement,
        100.0 * r.idea_agreement_phrases,
        100.0 * r.idea_agreement_length,
        if r.idea_length_bar == 0 {
            "every idea present".to_string()
        } else {
            format!("present from {} words", r.idea_length_bar)
        }
    ));
    out.push_str(&format!(
        "  ideas present that were found      {} of {}\n",
        r.ideas_found, r.ideas_present
    ));
    out.push_str(&format!(
        "  ideas credited though wrong/absent {}\n",
        r.ideas_credited_wrongly
    ));
    out.push_str(&format!(
        "  verdict agreement                  {:.1}% (the word count alone {:.1}%, {})\n",
        100.0 * r.verdict_agreement,
        100.0 * r.verdict_agreement_length,
        match r.verdict_length_band {
            Some((lo, hi)) => format!("pass at {lo} to {hi} words"),
            None => "fail all".to_string(),
        }
    ));
    out.push_str(&format!(
        "  wrong ones failed, error quoted    {} of {} (errors quoted where none was labelled: {})\n",
        r.errors_quoted, r.with_errors, r.false_errors
    ));
    if let Some(sec) = &r.second {
        let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
        let consensus = sec.labellers_agree;
        out.push_str(&format!(
            "\n  {}\n",
            paint.bold(&format!(
                "a second labeller, blind to the first ({} explanations, {} idea decisions)",
                sec.explanations, sec.ideas
            ))
        ));
        out.push_str(&format!(
            "  the labellers agree                {:.1}% (kappa {:.2})\n",
            pct(sec.labellers_agree, sec.ideas),
            sec.labellers_kappa
        ));
        out.push_str(&format!(
            "  the drill agrees with the first    {:.1}%, with the second {:.1}%\n",
            pct(sec.drill_first, sec.ideas),
            pct(sec.drill_second, sec.ideas)
        ));
        out.push_str(&format!(
            "  where the labellers agree ({})    the drill agrees {:.1}%\n",
            consensus,
            pct(sec.drill_consensus, consensus)
        ));
        out.push_str(&format!(
            "  verdicts: labellers agree {} of {}; the drill agrees with the second {} of {}\n",
            sec.verdicts_agree, sec.verdicts, sec.drill_verdict_second, sec.verdicts
        ));
    }
    out.push_str(&format!(
        "\n  {}\n",
        paint.bold("by kind: passed (labeller passed), idea agreement")
    ));
    for (k, v) in &r.kinds {
        out.push_str(&format!(
            "  {:<10} {} of {} ({}), ideas {:.1}%\n",
            k,
            v.passed,
            v.total,
            v.labelled_pass,
            100.0 * v.ideas_agree as f64 / v.ideas.max(1) as f64
        ));
    }
    if !r.misses.is_empty() {
        out.push_str(&format!("\n{}\n", paint.bold("Misjudged")));
        for m in &r.misses {
            out.push_str(&format!("  {m}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::kappa;

    #[test]
    fn kappa_is_agreement_beyond_chance() {
        // 35 of 50 agree (0.7); the raters say yes half and three fifths of the time, so chance
        // alone agrees half the time: kappa (0.7 - 0.5) / (1 - 0.5).
        assert!((kappa(20, 5, 10, 15) - 0.4).abs() < 1e-9);
        assert!((kappa(10, 0, 0, 10) - 1.0).abs() < 1e-9);
        // Agreement no better than chance.
        assert!(kappa(25, 25, 25, 25).abs() < 1e-9);
        assert_eq!(kappa(0, 0, 0, 0), 0.0);
    }
}
