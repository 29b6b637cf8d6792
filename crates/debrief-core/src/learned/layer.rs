//! The learned layer as the analyzer uses it: the model, which of the pack's signals report each
//! of its classes, and the reading of an answer sentence by sentence.

use std::ops::Range;

use super::features::{self, Context, Scratch};
use super::model::{Model, ModelError};
use super::reader::{self, Reader};
use crate::context::Cues;
use crate::pack::{Pack, PackError, Signal};
use crate::text::Document;

/// The model with the pack's signals for each of its classes.
#[derive(Debug)]
pub struct Layer {
    /// The model.
    pub model: Model,
    /// For each model class, the pack's signals that name it, in pack order; the first reports
    /// the class's learned findings.
    pub signals: Vec<Vec<u32>>,
    /// The model class of each of the pack's signals.
    pub class_of: Vec<Option<usize>>,
    /// Each class's decision threshold.
    pub thresholds: Vec<f32>,
    /// Each class's veto: a phrase finding of the class is dropped where the model gives its
    /// sentence less than this (0 for none).
    pub vetoes: Vec<f32>,
    /// Each class's lower bar for an act spelled out (0 for none): a reading from this up to
    /// the threshold counts only where the sentence itself tells the candidate's own clause
    /// leaving something undone and names the thing (see `Analyzer::learned_findings`).
    pub spelled: Vec<f32>,
    /// The contextual reader and the class it gives a second opinion on, if there is one.
    pub reader: Option<(Reader, usize)>,
}

/// What the model read in every sentence of an answer.
#[derive(Debug, Default)]
pub struct Reading {
    /// The probabilities, `[sentences, classes]`.
    pub probs: Vec<f32>,
    /// The classes per sentence.
    pub k: usize,
}

impl Reading {
    /// The probabilities of sentence `s`.
    pub fn sentence(&self, s: usize) -> &[f32] {
        &self.probs[s * self.k..(s + 1) * self.k]
    }
}

/// What `model` reads in every sentence of `doc`, each with its context: the answer judge's
/// reading and the explain drill's alike.
pub fn read(model: &Model, doc: &Document<'_>, cues: &Cues) -> Reading {
    read_some(model, doc, cues, None)
}

/// As [`read`], for the classes `wanted` only (`None` for all); the others read 0.
pub fn read_some(
    model: &Model,
    doc: &Document<'_>,
    cues: &Cues,
    wanted: Option<&[usize]>,
) -> Reading {
    let k = model.classes();
    let n = doc.sentences().len();
    let mut probs = vec![0f32; n * k];
    let mut scratch = Scratch::for_model(model);
    let mut feats = Vec::with_capacity(256);
    for (s, unit) in doc.sentences().iter().enumerate() {
        feats.clear();
        features::sentence(
            doc,
            unit.start..unit.end,
            Context::of(doc, cues, s),
            &mut scratch,
            &mut feats,
        );
        model.forward_some(&feats, wanted, &mut probs[s * k..(s + 1) * k]);
    }
    Reading { probs, k }
}

/// The context of a clause of sentence `s`: the sentence's, with the cues of the clause alone.
fn clause_context(doc: &Document<'_>, cues: &Cues, s: usize, range: Range<usize>) -> Context {
    let mut context = Context::of(doc, cues, s);
    let flags = cues.flags(doc, range);
    context.negation = flags.negation;
    context.reported = flags.reported;
    context.counterfactual = flags.counterfactual;
    context.agreed = flags.agreed;
    context
}

impl Layer {
    /// Joins a model to a pack; every learned class the pack names must be the model's.
    pub fn new(model: Model, pack: &Pack) -> Result<Layer, Vec<PackError>> {
        let k = model.classes();
        let mut signals = vec![Vec::new(); k];
        let mut class_of = vec![None; pack.signals.len()];
        let mut errors = Vec::new();
        for (i, s) in pack.signals.iter().enumerate() {
            let Some(class) = &s.learned else { continue };
            match model.class(class) {
                Some(c) => {
                    signals[c].push(i as u32);
                    class_of[i] = Some(c);
                }
                None => errors.push(PackError {
                    file: s.origin.file.clone(),
                    line: Some(s.origin.line),
                    message: format!(
                        "signal {:?}: the learned model has no class {class:?}",
                        s.id
                    ),
                }),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let thresholds = model.meta.thresholds.clone();
        let per_class = |name: &str| {
            model
                .meta
                .extra
                .get(name)
                .filter(|v| v.len() == k)
                .cloned()
                .unwrap_or_else(|| vec![0.0; k])
        };
        let vetoes = per_class("veto");
        let spelled = per_class("spelled");
        Ok(Layer {
            model,
            signals,
            class_of,
            thresholds,
            vetoes,
            spelled,
            reader: None,
        })
    }

    /// The answer ranker's weights (bias first) and the verdict's cut points on the score
    /// (no-hire, hire, strong hire), where the model has them.
    pub fn ranker(&self) -> Option<(&[f32], &[f32])> {
        let weights = self.model.meta.extra.get("ranker")?;
        let cuts = self.model.meta.extra.get("verdict")?;
        (weights.len() == 1 + super::answer::feature_count(self.model.classes()) && cuts.len() == 3)
            .then_some((weights.as_slice(), cuts.as_slice()))
    }

    /// The signal that reports class `c`'s learned findings, if the pack has one.
    pub fn primary<'p>(&self, pack: &'p Pack, c: usize) -> Option<(usize, &'p Signal)> {
        self.signals[c]
            .first()
            .map(|&i| (i as usize, &pack.signals[i as usize]))
    }

    /// Adds the contextual reader's second opinion, after checking that it reads this model.
    pub fn set_reader(&mut self, second: Reader) -> Result<(), ModelError> {
        let c = second.fits(&self.model)?;
        self.reader = Some((second, c));
        Ok(())
    }

    /// The model's probabilities for every sentence of `doc`, with the reader's second opinion
    /// on its class where the model hears the class.
    pub fn read(&self, doc: &Document<'_>, cues: &Cues) -> Reading {
        let mut reading = read(&self.model, doc, cues);
        if let Some((second, c)) = &self.reader {
            let mut ids = Vec::new();
            for (s, unit) in doc.sentences().iter().enumerate() {
                let p = &mut reading.probs[s * reading.k + c];
                if *p >= second.meta.from {
                    reader::pieces(doc, unit.start..unit.end, &mut ids);
                    *p = second.blend(*p, second.forward(&self.model, &ids));
                }
            }
        }
        reading
    }

    /// The probability of every class for a range inside sentence `s` (a clause), read as if
    /// it were a sentence of its own.
    pub fn read_range(
        &self,
        doc: &Document<'_>,
        cues: &Cues,
        s: usize,
        range: Range<usize>,
    ) -> Vec<f32> {
        let mut feats = Vec::with_capacity(128);
        let context = clause_context(doc, cues, s, range.clone());
        features::sentence(
            doc,
            range.clone(),
            context,
            &mut Scratch::for_model(&self.model),
            &mut feats,
        );
        let mut out = vec![0f32; self.model.classes()];
        self.model.forward(&feats, &mut out);
        if let Some((second, c)) = &self.reader {
            if out[*c] >= second.meta.from {
                let mut ids = Vec::new();
                reader::pieces(doc, range, &mut ids);
                out[*c] = second.blend(out[*c], second.forward(&self.model, &ids));
            }
        }
        out
    }
}
