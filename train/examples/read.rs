//! What a model reads in each sentence of a text, for looking into a miss by hand:
//! `cargo run --release -p debrief-train --example read -- MODEL.bin CLASS < answer.md`
//! prints every sentence with the model's probability for CLASS.

use std::borrow::Cow;
use std::io::Read;

use anyhow::{anyhow, Context as _, Result};
use debrief_core::context::Cues;
use debrief_core::learned::{Layer, Model};
use debrief_core::text::Document;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(class)) = (args.next(), args.next()) else {
        return Err(anyhow!("usage: read MODEL.bin CLASS < TEXT"));
    };
    let bytes = std::fs::read(&path).with_context(|| format!("{path}: cannot read"))?;
    let model = Model::from_bytes(Cow::Owned(bytes)).map_err(|e| anyhow!("{path}: {e}"))?;
    let c = model
        .class(&class)
        .ok_or_else(|| anyhow!("{path}: no class {class}"))?;
    let pack = debrief_core::builtin::pack().map_err(|e| anyhow!("{e}"))?;
    let layer = Layer::new(model, &pack).map_err(|e| anyhow!("{e:?}"))?;
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    let doc = Document::new(&text);
    let cues = Cues::find(&doc);
    let reading = layer.read(&doc, &cues);
    for (s, unit) in doc.sentences().iter().enumerate() {
        println!(
            "{:.3}  {}",
            reading.sentence(s)[c],
            doc.norm_slice(unit.start..unit.end)
        );
    }
    Ok(())
}
