//! The explain drill's sentences as it splits them, with what the explain model reads in each:
//! for every JSON line on stdin with `id`, `topic` and `text` (eval/explain-*.jsonl), one line per
//! sentence `{"id", "topic", "s", "text", "p": {class: reading}}` for the topic's own classes and
//! the analogy. For comparing the model with another reader of the same sentences
//! (train/teacher_explain.py): `explain_sentences MODEL.bin [READER.bin JUDGE.bin] <
//! eval/explain-dev.jsonl`. Given a claims reader and the judge model whose static vectors it
//! reads, each line also has `q`, the reader's reading of the sentence.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use anyhow::{anyhow, Context as _, Result};
use debrief_core::context::Cues;
use debrief_core::learned::{layer, reader, Model, Reader};
use debrief_core::text::Document;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let load = |path: &str| -> Result<Model> {
        let bytes = std::fs::read(path).with_context(|| format!("{path}: cannot read"))?;
        Model::from_bytes(Cow::Owned(bytes)).map_err(|e| anyhow!("{path}: {e}"))
    };
    let model = match args.first() {
        Some(p) => load(p)?,
        None => {
            return Err(anyhow!(
                "usage: explain_sentences MODEL.bin [READER.bin JUDGE.bin] < explanations.jsonl"
            ))
        }
    };
    let second = match (args.get(1), args.get(2)) {
        (Some(r), Some(j)) => {
            let bytes = std::fs::read(r).with_context(|| format!("{r}: cannot read"))?;
            let reader = Reader::from_bytes(&bytes).map_err(|e| anyhow!("{r}: {e}"))?;
            Some((reader, load(j)?))
        }
        _ => None,
    };
    let mut ids = Vec::new();
    let names = &model.meta.classes;
    let out = std::io::stdout();
    let mut out = out.lock();
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let r: serde_json::Value = serde_json::from_str(&line).context("not a JSON line")?;
        let (Some(id), Some(topic), Some(text)) =
            (r["id"].as_str(), r["topic"].as_str(), r["text"].as_str())
        else {
            return Err(anyhow!("a line without id, topic and text"));
        };
        let own = format!("{topic}:");
        let wanted: Vec<usize> = (0..names.len())
            .filter(|&c| names[c].starts_with(&own) || !names[c].contains(':'))
            .collect();
        let doc = Document::new(text);
        let cues = Cues::find(&doc);
        let reading = layer::read_some(&model, &doc, &cues, Some(&wanted));
        for (s, unit) in doc.sentences().iter().enumerate() {
            let p: BTreeMap<&str, f32> = wanted
                .iter()
                .map(|&c| (names[c].as_str(), reading.sentence(s)[c]))
                .collect();
            let q = second.as_ref().and_then(|(r, judge)| {
                reader::pieces(&doc, unit.start..unit.end, &mut ids);
                r.forward(judge, &ids)
            });
            let row = serde_json::json!({
                "id": id, "topic": topic, "s": s,
                "text": doc.norm_slice(unit.start..unit.end), "p": p, "q": q,
            });
            writeln!(out, "{row}")?;
        }
    }
    Ok(())
}
