//! What a model reads in each sentence of a text, for looking into a miss by hand:
//! `cargo run --release -p debrief-train --example read -- MODEL.bin CLASS < answer.md`
//! prints every sentence with the model's probability for CLASS. A CLASS ending in `*` (quoted:
//! `'dns-resolution:!*'`) is a prefix: each sentence is printed with the three classes under it
//! that the model reads most surely.

use std::borrow::Cow;
use std::io::Read;

use anyhow::{anyhow, Context as _, Result};
use debrief_core::context::Cues;
use debrief_core::learned::{layer, Model};
use debrief_core::text::Document;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(class)) = (args.next(), args.next()) else {
        return Err(anyhow!("usage: read MODEL.bin CLASS < TEXT"));
    };
    let bytes = std::fs::read(&path).with_context(|| format!("{path}: cannot read"))?;
    let model = Model::from_bytes(Cow::Owned(bytes)).map_err(|e| anyhow!("{path}: {e}"))?;
    let wanted: Vec<usize> = match class.strip_suffix('*') {
        Some(prefix) => (0..model.meta.classes.len())
            .filter(|&i| model.meta.classes[i].starts_with(prefix))
            .collect(),
        None => vec![model
            .class(&class)
            .ok_or_else(|| anyhow!("{path}: no class {class}"))?],
    };
    if wanted.is_empty() {
        return Err(anyhow!("{path}: no class starts with {class}"));
    }
    let names = &model.meta.classes;
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    let doc = Document::new(&text);
    let cues = Cues::find(&doc);
    // Read as the drill and the judge read: each sentence on its own, with its context.
    let reading = layer::read(&model, &doc, &cues);
    for (s, unit) in doc.sentences().iter().enumerate() {
        let p = reading.sentence(s);
        let mut top = wanted.clone();
        top.sort_by(|a, b| p[*b].total_cmp(&p[*a]));
        let shown: Vec<String> = top
            .iter()
            .take(if wanted.len() == 1 { 1 } else { 3 })
            .map(|&c| {
                if wanted.len() == 1 {
                    format!("{:.3}", p[c])
                } else {
                    format!("{:.3} {}", p[c], names[c])
                }
            })
            .collect();
        println!(
            "{}  {}",
            shown.join("  "),
            doc.norm_slice(unit.start..unit.end)
        );
    }
    Ok(())
}
