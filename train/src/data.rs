//! The labelled data: sentences with the classes they show, and whole answers with their
//! label and, where the writer gave them, the classes of each sentence.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;

/// One sentence to learn from.
#[derive(Debug, Clone)]
pub struct Sentence {
    /// Its text.
    pub text: String,
    /// Every class whose label is known, with 1.0 (shows it) or 0.0 (does not).
    pub targets: Vec<(usize, f32)>,
    /// Kept out of training to pick thresholds and stop early.
    pub holdout: bool,
}

/// One whole answer, to fit the answer ranker on.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Answers to one question share a group.
    pub group: String,
    /// 1 strong, 0.5 mediocre, 0 weak.
    pub label: f32,
    /// The answer's text.
    pub text: String,
}

#[derive(Deserialize)]
struct RawLabelled {
    text: String,
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    mask: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawRecord {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    topic: Option<String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    label: Option<serde_json::Value>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    mask: Option<Vec<String>>,
    #[serde(default)]
    sentences: Option<Vec<RawLabelled>>,
    #[serde(default)]
    answer: Option<String>,
    #[serde(default)]
    disqualified: Option<bool>,
}

/// FNV-1a of a string: which records are held out, stable across runs.
pub fn hash(s: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn held_out(key: &str) -> bool {
    hash(key).is_multiple_of(10)
}

/// Every `.jsonl` file under `path` (or `path` itself), sorted.
pub fn files(path: &Path) -> Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).with_context(|| format!("{}: cannot read", d.display()))? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "jsonl") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The labelled data in `paths`, read against the class list.
pub struct Data {
    /// Sentences.
    pub sentences: Vec<Sentence>,
    /// Whole answers with a label.
    pub answers: Vec<Answer>,
}

fn targets(
    classes: &HashMap<&str, usize>,
    labels: &[String],
    mask: Option<&[String]>,
    at: &str,
) -> Result<Vec<(usize, f32)>> {
    let mut on = Vec::new();
    for l in labels {
        match classes.get(l.as_str()) {
            Some(&c) => on.push(c),
            None => bail!("{at}: unknown class {l:?}"),
        }
    }
    let known: Vec<usize> = match mask {
        None => (0..classes.len()).collect(),
        Some(m) => {
            let mut v = Vec::new();
            for l in m {
                match classes.get(l.as_str()) {
                    Some(&c) => v.push(c),
                    None => bail!("{at}: unknown class {l:?} in mask"),
                }
            }
            v.extend(on.iter().copied());
            v.sort_unstable();
            v.dedup();
            v
        }
    };
    Ok(known
        .into_iter()
        .map(|c| (c, if on.contains(&c) { 1.0 } else { 0.0 }))
        .collect())
}

/// Reads every record of `paths`. `split_answer` splits an unlabelled answer into sentences
/// (the analyzer's own splitter), which then teach only that they are not the disqualifier.
pub fn load(
    paths: &[PathBuf],
    class_ids: &[String],
    disqualifier: Option<usize>,
    split_answer: &dyn Fn(&str) -> Vec<String>,
    topics: &HashMap<String, Vec<String>>,
) -> Result<Data> {
    let classes: HashMap<&str, usize> = class_ids
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let mut data = Data {
        sentences: Vec::new(),
        answers: Vec::new(),
    };
    for path in paths {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let at = format!("{}:{}", path.display(), n + 1);
            let r: RawRecord =
                serde_json::from_str(line).with_context(|| format!("{at}: not a record"))?;
            let key = r
                .group
                .clone()
                .or(r.id.clone())
                .unwrap_or_else(|| at.clone());
            let holdout = held_out(&key);
            // An explain-drill record knows the classes of its own topic only, and of those
            // only the ones its own mask names, where it has one (a writer asked about a few
            // classes labelled only those).
            let own_topic: Option<Cow<'_, [String]>> = match &r.topic {
                None => None,
                Some(t) => match topics.get(t) {
                    Some(m) => Some(match &r.mask {
                        None => Cow::Borrowed(m.as_slice()),
                        Some(own) => m.iter().filter(|c| own.contains(c)).cloned().collect(),
                    }),
                    None => bail!("{at}: unknown topic {t:?}"),
                },
            };
            let topic_mask: Option<&[String]> = own_topic.as_deref();
            if let Some(sentences) = &r.sentences {
                for s in sentences {
                    data.sentences.push(Sentence {
                        text: s.text.clone(),
                        targets: targets(
                            &classes,
                            &s.labels,
                            topic_mask.or(s.mask.as_deref()),
                            &at,
                        )?,
                        holdout,
                    });
                }
            } else if let Some(t) = &r.text {
                data.sentences.push(Sentence {
                    text: t.clone(),
                    targets: targets(&classes, &r.labels, topic_mask.or(r.mask.as_deref()), &at)?,
                    holdout,
                });
            }
            let answer_text = r.answer.clone().or_else(|| {
                r.sentences.as_ref().map(|s| {
                    // A bullet or a STAR label starts its own line, as the writer meant it.
                    let mut out = String::new();
                    for (i, s) in s.iter().enumerate() {
                        let t = s.text.trim();
                        let own_line = t.starts_with(['-', '*', '\u{2022}'])
                            || t.split_once(':').is_some_and(|(h, _)| {
                                matches!(
                                    h,
                                    "Situation"
                                        | "Task"
                                        | "Action"
                                        | "Result"
                                        | "S"
                                        | "T"
                                        | "A"
                                        | "R"
                                )
                            });
                        if i > 0 {
                            out.push(if own_line { '\n' } else { ' ' });
                        }
                        out.push_str(t);
                    }
                    out
                })
            });
            if r.sentences.is_none() {
                if let (Some(answer), Some(false), Some(d)) =
                    (&r.answer, r.disqualified, disqualifier)
                {
                    for s in split_answer(answer) {
                        data.sentences.push(Sentence {
                            text: s,
                            targets: vec![(d, 0.0)],
                            holdout,
                        });
                    }
                }
            }
            let label = match r.label.as_ref().and_then(|l| l.as_str()) {
                Some("strong") => Some(1.0),
                Some("mediocre") => Some(0.5),
                Some("weak") => Some(0.0),
                _ => None,
            };
            if let (Some(label), Some(answer), Some(group)) = (label, answer_text, r.group.clone())
            {
                data.answers.push(Answer {
                    group,
                    label,
                    text: answer,
                });
            }
        }
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explain_record_knows_its_topics_classes_and_of_those_only_its_own_mask() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("te.jsonl");
        std::fs::write(
            &path,
            concat!(
                r#"{"id": "a", "topic": "t", "text": "One round trip.", "labels": ["t:idea"]}"#,
                "\n",
                r#"{"id": "b", "topic": "t", "text": "Nothing to see.", "labels": [], "mask": ["t:!claim", "u:idea"]}"#,
                "\n",
            ),
        )
        .unwrap();
        let classes: Vec<String> = ["analogy", "t:idea", "t:!claim", "u:idea"]
            .map(String::from)
            .to_vec();
        let topics: HashMap<String, Vec<String>> = [
            ("t".to_string(), classes[..3].to_vec()),
            (
                "u".to_string(),
                vec![classes[0].clone(), classes[3].clone()],
            ),
        ]
        .into();
        let data = load(&[path], &classes, None, &|_| Vec::new(), &topics).unwrap();
        let targets: Vec<&[(usize, f32)]> = data
            .sentences
            .iter()
            .map(|s| s.targets.as_slice())
            .collect();
        // Its topic's classes, the label on; another topic's classes are not known.
        assert_eq!(targets[0], &[(0, 0.0), (1, 1.0), (2, 0.0)]);
        // Its own mask narrows them (and cannot reach into another topic).
        assert_eq!(targets[1], &[(2, 0.0)]);
    }
}
