//! The input of `train/reader.py`: for every JSON line on stdin with a `text`, the line as it
//! came with `ids` (the word pieces the contextual reader reads, `debrief_core::learned::reader`)
//! and, given a judge MODEL and CLASS, `p` (what that model reads of CLASS in the text read as one
//! sentence, as it is trained), and given a READER too, `q`, the reader's reading:
//! `pieces [MODEL.bin CLASS [READER.bin]] < in.jsonl > out.jsonl`.

use std::borrow::Cow;
use std::io::{BufRead, Write};

use anyhow::{anyhow, Context as _, Result};
use debrief_core::context::Cues;
use debrief_core::learned::{features, reader, Model, Reader, Scratch};
use debrief_core::text::Document;
use serde_json::Value;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let second = match args.get(2) {
        Some(path) => {
            let bytes = std::fs::read(path).with_context(|| format!("{path}: cannot read"))?;
            Some(Reader::from_bytes(&bytes).map_err(|e| anyhow!("{path}: {e}"))?)
        }
        None => None,
    };
    let judge = match &args[..args.len().min(2)] {
        [] => None,
        [path, class] => {
            let bytes = std::fs::read(path).with_context(|| format!("{path}: cannot read"))?;
            let model = Model::from_bytes(Cow::Owned(bytes)).map_err(|e| anyhow!("{path}: {e}"))?;
            let c = model
                .class(class)
                .ok_or_else(|| anyhow!("{path}: no class {class}"))?;
            Some((model, c))
        }
        _ => {
            return Err(anyhow!(
                "usage: pieces [MODEL.bin CLASS [READER.bin]] < in.jsonl > out.jsonl"
            ))
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut ids = Vec::new();
    let mut feats = Vec::new();
    let mut scratch = Scratch::default();
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let mut v: Value =
            serde_json::from_str(&line).with_context(|| format!("line {}", n + 1))?;
        let text = v["text"]
            .as_str()
            .ok_or_else(|| anyhow!("line {}: no text", n + 1))?
            .to_string();
        let doc = Document::new(&text);
        reader::pieces(&doc, 0..doc.norm().len(), &mut ids);
        v["ids"] = ids.clone().into();
        if let Some((model, c)) = &judge {
            let cues = Cues::find(&doc);
            feats.clear();
            features::whole(&doc, &cues, &mut scratch, &mut feats);
            let mut probs = vec![0f32; model.classes()];
            model.forward(&feats, &mut probs);
            v["p"] = f64::from(probs[*c]).into();
            if let Some(r) = &second {
                if let Some(q) = r.forward(model, &ids) {
                    v["q"] = f64::from(q).into();
                }
            }
        }
        writeln!(out, "{v}")?;
    }
    Ok(())
}
