//! The contextual reader: a small transformer encoder that reads a sentence's word pieces in
//! order, so that who did what, and whether it was done or denied, can change its reading,
//! which an average of n-grams cannot do ("I refused to skip the review" and "I skipped the
//! review" share most of their n-grams).
//!
//! It gives a second opinion on one class of the judge model (the disqualifying act), and only
//! on sentences where that model already hears the class: the answer's reading there becomes
//! the mean of the two (see [`Reader::blend`]). Its inputs are the static vectors of the word
//! pieces that the judge model carries (see [`super::wordpiece`]); its own weights are small.
//!
//! `forward`: piece ids `[n]` (at most [`MAX_PIECES`]) -> static vectors `[n, S]` ->
//! `W_in [D, S] · v + b_in + pos[t]` `[n, D]` -> L pre-norm encoder layers (multi-head
//! self-attention with H heads, then a ReLU feed-forward of F units, each added back) -> layer
//! norm -> mean over positions `[D]` -> `sigmoid(w · x + b)`.
//!
//! Weights are little-endian: `"DBRD" u32 format, u32 S, u32 D, u32 L, u32 H, u32 F,
//! u32 positions, u32 meta length, meta (JSON), zero padding to 4`, then f32 arrays in this order:
//! `W_in [D, S], b_in [D], pos [positions, D]`, per layer `ln1 gain [D], ln1 bias [D],
//! W_qkv [3D, D], b_qkv [3D], W_o [D, D], b_o [D], ln2 gain [D], ln2 bias [D], W_1 [F, D],
//! b_1 [F], W_2 [D, F], b_2 [D]`, then `ln gain [D], ln bias [D], w [D], b [1]`. This is the
//! layout `train/reader.py` writes, from PyTorch's own encoder layer.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::model::{dot, Model, ModelError};
use super::wordpiece;
use crate::text::Document;

const MAGIC: &[u8; 4] = b"DBRD";
const FORMAT: u32 = 1;
/// The most pieces of a sentence read; the rest is cut.
pub const MAX_PIECES: usize = 96;

/// What a reader file says of itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReaderMeta {
    /// The judge model's class it gives a second opinion on.
    pub class: String,
    /// The judge reading from which the reader is asked (below it, the judge's reading stands).
    pub from: f32,
    /// The weight of the reader's opinion in the blend, 0 to 1.
    pub weight: f32,
    /// Whether the reader may only lower the judge's reading (a veto), never raise it.
    #[serde(default)]
    pub only_lowers: bool,
    /// Whether the reader may only raise the reading (it adds what the model half heard), never
    /// lower it.
    #[serde(default)]
    pub only_raises: bool,
    /// How it was made: data, command, seed.
    #[serde(default)]
    pub provenance: String,
}

struct Layer {
    ln1: (Vec<f32>, Vec<f32>),
    qkv: (Vec<f32>, Vec<f32>),
    o: (Vec<f32>, Vec<f32>),
    ln2: (Vec<f32>, Vec<f32>),
    ff1: (Vec<f32>, Vec<f32>),
    ff2: (Vec<f32>, Vec<f32>),
}

/// A reader ready to run.
pub struct Reader {
    /// The class, the bar and the provenance.
    pub meta: ReaderMeta,
    s: usize,
    d: usize,
    heads: usize,
    f: usize,
    positions: usize,
    input: (Vec<f32>, Vec<f32>),
    pos: Vec<f32>,
    layers: Vec<Layer>,
    ln: (Vec<f32>, Vec<f32>),
    head: (Vec<f32>, f32),
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("meta", &self.meta)
            .field("dim", &self.d)
            .field("layers", &self.layers.len())
            .finish_non_exhaustive()
    }
}

/// The word-piece ids of the normalised range `range` of `doc`, in order, at most
/// [`MAX_PIECES`]: every word's pieces (stopwords too), numbers and punctuation as BERT's
/// tokenizer would split them.
pub fn pieces(doc: &Document<'_>, range: Range<usize>, out: &mut Vec<u32>) {
    out.clear();
    let lower = doc.lower();
    let mut scratch = String::new();
    let (a, b) = (doc.token_at(range.start), doc.token_at(range.end));
    for t in &doc.tokens()[a..b] {
        // Words, numbers and marks alike: BERT splits digits and punctuation into pieces too.
        wordpiece::ids(&lower[t.range()], &mut scratch, out);
        if out.len() >= MAX_PIECES {
            out.truncate(MAX_PIECES);
            break;
        }
    }
}

/// Reads `n` little-endian f32s at `*at`, moving past them.
fn floats(b: &[u8], at: &mut usize, n: usize) -> Result<Vec<f32>, ModelError> {
    let end = *at + 4 * n;
    let bytes = b
        .get(*at..end)
        .ok_or_else(|| ModelError("the reader is shorter than its header says".into()))?;
    *at = end;
    Ok(bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect())
}

/// Reads a weight matrix of `n` values and its bias of `m`.
fn pair(b: &[u8], at: &mut usize, n: usize, m: usize) -> Result<(Vec<f32>, Vec<f32>), ModelError> {
    Ok((floats(b, at, n)?, floats(b, at, m)?))
}

impl Reader {
    /// Reads a reader file.
    pub fn from_bytes(b: &[u8]) -> Result<Reader, ModelError> {
        let bad = |m: &str| ModelError(format!("not a debrief reader: {m}"));
        if b.len() < 36 || &b[..4] != MAGIC {
            return Err(bad("wrong magic"));
        }
        let u = |i: usize| u32::from_le_bytes(b[4 + 4 * i..8 + 4 * i].try_into().expect("4"));
        if u(0) != FORMAT {
            return Err(ModelError(format!(
                "reader format {} (this build reads {FORMAT})",
                u(0)
            )));
        }
        let (s, d, l, heads, f, positions, meta_len) = (
            u(1) as usize,
            u(2) as usize,
            u(3) as usize,
            u(4) as usize,
            u(5) as usize,
            u(6) as usize,
            u(7) as usize,
        );
        if d == 0 || heads == 0 || d % heads != 0 || positions < MAX_PIECES || l > 16 {
            return Err(bad("impossible shape"));
        }
        let meta_bytes = b
            .get(36..36 + meta_len)
            .ok_or_else(|| bad("meta cut short"))?;
        let meta: ReaderMeta =
            serde_json::from_slice(meta_bytes).map_err(|e| bad(&format!("meta: {e}")))?;
        let mut at = 36 + meta_len;
        at += (4 - at % 4) % 4;
        let input = pair(b, &mut at, d * s, d)?;
        let pos = floats(b, &mut at, positions * d)?;
        let mut layers = Vec::with_capacity(l);
        for _ in 0..l {
            layers.push(Layer {
                ln1: pair(b, &mut at, d, d)?,
                qkv: pair(b, &mut at, 3 * d * d, 3 * d)?,
                o: pair(b, &mut at, d * d, d)?,
                ln2: pair(b, &mut at, d, d)?,
                ff1: pair(b, &mut at, f * d, f)?,
                ff2: pair(b, &mut at, d * f, d)?,
            });
        }
        let ln = pair(b, &mut at, d, d)?;
        let (w, bias) = pair(b, &mut at, d, 1)?;
        if at != b.len() {
            return Err(bad("trailing bytes"));
        }
        Ok(Reader {
            meta,
            s,
            d,
            heads,
            f,
            positions,
            input,
            pos,
            layers,
            ln,
            head: (w, bias[0]),
        })
    }

    /// Whether the reader reads `judge`'s static vectors (the same width) and gives an opinion
    /// on one of its classes; the class's index if so.
    pub fn fits(&self, judge: &Model) -> Result<usize, ModelError> {
        self.reads_statics_of(judge)?;
        judge.class(&self.meta.class).ok_or_else(|| {
            ModelError(format!(
                "the reader reads class {:?}, which the judge model lacks",
                self.meta.class
            ))
        })
    }

    /// Whether `model` carries static vectors of the width the reader reads.
    pub fn reads_statics_of(&self, model: &Model) -> Result<(), ModelError> {
        if model.static_dim() != self.s {
            return Err(ModelError(format!(
                "the reader reads static vectors of {} values; the judge model has {}",
                self.s,
                model.static_dim()
            )));
        }
        Ok(())
    }

    /// The reader's probability for the sentence whose pieces are `ids`, the static vectors
    /// taken from `judge`; `None` for a sentence without pieces.
    pub fn forward(&self, judge: &Model, ids: &[u32]) -> Option<f32> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: `forward_avx2` needs AVX2, which this CPU has (checked just above).
            return unsafe { self.forward_avx2(judge, ids) };
        }
        self.forward_with(judge, ids)
    }

    /// The same pass compiled for AVX2: the vectors are summed in the same eight lanes in the
    /// same order, so the reading is the same to the bit, about 1.45 times as fast (3,346
    /// sentences read in 0.54 s against 0.78 s; the drill asks the reader about a sentence in
    /// five).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn forward_avx2(&self, judge: &Model, ids: &[u32]) -> Option<f32> {
        self.forward_with(judge, ids)
    }

    #[inline(always)]
    fn forward_with(&self, judge: &Model, ids: &[u32]) -> Option<f32> {
        let n = ids.len().min(MAX_PIECES).min(self.positions);
        if n == 0 {
            return None;
        }
        let (d, s) = (self.d, self.s);
        let mut x = vec![0f32; n * d];
        let mut v = vec![0f32; s];
        for (t, &id) in ids[..n].iter().enumerate() {
            v.iter_mut().for_each(|x| *x = 0.0);
            judge.static_vector(id as usize, &mut v);
            let row = &mut x[t * d..(t + 1) * d];
            affine(&self.input.0, &self.input.1, &v, row);
            for (r, p) in row.iter_mut().zip(&self.pos[t * d..(t + 1) * d]) {
                *r += p;
            }
        }
        let mut h = vec![0f32; n * d];
        let mut qkv = vec![0f32; n * 3 * d];
        let mut att = vec![0f32; n * d];
        let mut scores = vec![0f32; n];
        let mut mid = vec![0f32; self.f];
        let mut out = vec![0f32; d];
        let dh = d / self.heads;
        let scale = 1.0 / (dh as f32).sqrt();
        for layer in &self.layers {
            for t in 0..n {
                norm(
                    &x[t * d..(t + 1) * d],
                    &layer.ln1,
                    &mut h[t * d..(t + 1) * d],
                );
                affine(
                    &layer.qkv.0,
                    &layer.qkv.1,
                    &h[t * d..(t + 1) * d],
                    &mut qkv[t * 3 * d..(t + 1) * 3 * d],
                );
            }
            for hd in 0..self.heads {
                let off = hd * dh;
                for t in 0..n {
                    let q = &qkv[t * 3 * d + off..t * 3 * d + off + dh];
                    let mut top = f32::NEG_INFINITY;
                    for (u, sc) in scores.iter_mut().enumerate() {
                        let k = &qkv[u * 3 * d + d + off..u * 3 * d + d + off + dh];
                        *sc = dot(q, k) * scale;
                        top = top.max(*sc);
                    }
                    let mut sum = 0f32;
                    for sc in scores.iter_mut() {
                        *sc = (*sc - top).exp();
                        sum += *sc;
                    }
                    let a = &mut att[t * d + off..t * d + off + dh];
                    a.iter_mut().for_each(|x| *x = 0.0);
                    for (u, sc) in scores.iter().enumerate() {
                        let w = sc / sum;
                        let val = &qkv[u * 3 * d + 2 * d + off..u * 3 * d + 2 * d + off + dh];
                        for (x, y) in a.iter_mut().zip(val) {
                            *x += w * y;
                        }
                    }
                }
            }
            for t in 0..n {
                affine(&layer.o.0, &layer.o.1, &att[t * d..(t + 1) * d], &mut out);
                let row = &mut x[t * d..(t + 1) * d];
                row.iter_mut().zip(&out).for_each(|(r, o)| *r += o);
                norm(row, &layer.ln2, &mut h[t * d..(t + 1) * d]);
                affine(&layer.ff1.0, &layer.ff1.1, &h[t * d..(t + 1) * d], &mut mid);
                mid.iter_mut().for_each(|m| *m = m.max(0.0));
                affine(&layer.ff2.0, &layer.ff2.1, &mid, &mut out);
                let row = &mut x[t * d..(t + 1) * d];
                row.iter_mut().zip(&out).for_each(|(r, o)| *r += o);
            }
        }
        let mut pooled = vec![0f32; d];
        for t in 0..n {
            norm(&x[t * d..(t + 1) * d], &self.ln, &mut out);
            pooled.iter_mut().zip(&out).for_each(|(p, o)| *p += o);
        }
        let inv = 1.0 / n as f32;
        let logit = self.head.1 + dot(&self.head.0, &pooled) * inv;
        Some(1.0 / (1.0 + (-logit).exp()))
    }

    /// The judge's reading `p` of the class, with the reader's second opinion `q` where the
    /// judge reads it at the reader's bar or more: their weighted mean (only where it is lower,
    /// or only where it is higher, if the meta says so).
    pub fn blend(&self, p: f32, q: Option<f32>) -> f32 {
        match q {
            Some(q)
                if p >= self.meta.from
                    && !(self.meta.only_lowers && q > p)
                    && !(self.meta.only_raises && q < p) =>
            {
                p + self.meta.weight * (q - p)
            }
            _ => p,
        }
    }
}

/// `out = W · x + b`, `W` row-major `[out.len(), x.len()]`.
#[inline(always)]
fn affine(w: &[f32], b: &[f32], x: &[f32], out: &mut [f32]) {
    let m = x.len();
    for (i, o) in out.iter_mut().enumerate() {
        *o = b[i] + dot(&w[i * m..(i + 1) * m], x);
    }
}

/// Layer normalisation (epsilon 1e-5, as PyTorch's default) with gain and bias.
#[inline(always)]
fn norm(x: &[f32], (g, b): &(Vec<f32>, Vec<f32>), out: &mut [f32]) {
    let n = x.len() as f32;
    let mean = x.iter().sum::<f32>() / n;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
    let inv = 1.0 / (var + 1e-5).sqrt();
    for i in 0..x.len() {
        out[i] = (x[i] - mean) * inv * g[i] + b[i];
    }
}

/// A reader file of the given shape whose every weight is `fill`, with the head's bias `bias`
/// and the meta `meta` (JSON), for tests.
#[cfg(test)]
pub(crate) fn test_file(
    s: usize,
    d: usize,
    layers: usize,
    fill: f32,
    bias: f32,
    meta: &str,
) -> Vec<u8> {
    let (heads, f, positions) = (2, 2 * d, MAX_PIECES);
    let meta = meta.as_bytes();
    let mut b = b"DBRD".to_vec();
    for v in [
        FORMAT,
        s as u32,
        d as u32,
        layers as u32,
        heads,
        f as u32,
        positions as u32,
    ] {
        b.extend(v.to_le_bytes());
    }
    b.extend((meta.len() as u32).to_le_bytes());
    b.extend(meta);
    while !b.len().is_multiple_of(4) {
        b.push(0);
    }
    let per_layer = 2 * d + 3 * d * d + 3 * d + d * d + d + 2 * d + f * d + f + d * f + d;
    let n = d * s + d + positions * d + layers * per_layer + 2 * d + d;
    for _ in 0..n {
        b.extend(fill.to_le_bytes());
    }
    b.extend(bias.to_le_bytes());
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(s: usize, d: usize, layers: usize, fill: f32, bias: f32) -> Vec<u8> {
        test_file(
            s,
            d,
            layers,
            fill,
            bias,
            r#"{"class":"security-bypassed","from":0.5,"weight":0.25}"#,
        )
    }

    #[test]
    fn a_reader_file_round_trips_and_a_broken_one_is_refused() {
        let b = file(4, 8, 2, 0.0, 0.0);
        let r = Reader::from_bytes(&b).unwrap();
        assert_eq!(r.meta.class, "security-bypassed");
        assert_eq!((r.meta.from, r.meta.weight), (0.5, 0.25));
        assert!(Reader::from_bytes(&b[..b.len() - 4]).is_err(), "cut short");
        let mut longer = b.clone();
        longer.extend([0; 4]);
        assert!(Reader::from_bytes(&longer).is_err(), "trailing bytes");
        let mut wrong = b.clone();
        wrong[0] = b'X';
        assert!(Reader::from_bytes(&wrong).is_err(), "magic");
        let mut future = b;
        future[4] = 9;
        let e = Reader::from_bytes(&future).unwrap_err();
        assert!(e.0.contains("format 9"), "{e}");
    }

    #[test]
    fn the_fast_pass_reads_every_sentence_to_the_bit_as_the_plain_one() {
        let model = crate::builtin::explain_model().expect("the built-in explain model");
        let (reader, statics) = model.second_opinion().expect("the shipped claims reader");
        let doc = Document::new(
            "A CDN keeps copies of your pages in many cities. It never needs to ask the origin \
             again, so a change reaches nobody until the copy expires. Short. DNSSEC encrypts \
             every lookup, doesn't it? We didn't skip the review; the audit ran for three weeks \
             and found 12 issues across 4,000 lines of code before launch.",
        );
        let mut ids = Vec::new();
        for u in doc.sentences() {
            pieces(&doc, u.start..u.end, &mut ids);
            let fast = reader.forward(statics, &ids).expect("a reading");
            let plain = reader.forward_with(statics, &ids).expect("a reading");
            assert_eq!(fast.to_bits(), plain.to_bits(), "{ids:?}");
        }
        assert_eq!(reader.forward(statics, &[]), None);
    }

    #[test]
    fn a_reader_reads_the_judges_static_vectors_and_gives_a_probability() {
        let judge = crate::builtin::model().expect("the built-in judge model");
        let s = judge.static_dim();
        assert!(s > 0);
        let r = Reader::from_bytes(&file(s, 8, 2, 0.0, 2.0)).unwrap();
        assert_eq!(
            r.fits(&judge),
            Ok(judge.class("security-bypassed").unwrap())
        );
        // Every weight zero: the sentence is read as nothing, and the head's bias decides.
        let q = r.forward(&judge, &[2057, 8301, 1996, 3319]).unwrap();
        assert!((q - 1.0 / (1.0 + (-2f32).exp())).abs() < 1e-6, "{q}");
        assert_eq!(r.forward(&judge, &[]), None);
        let r = Reader::from_bytes(&file(s, 8, 2, 0.01, 0.0)).unwrap();
        let a = r.forward(&judge, &[2057, 8301, 1996, 3319]).unwrap();
        let b = r.forward(&judge, &[2057, 1996, 3319]).unwrap();
        assert!(a.is_finite() && b.is_finite());
        let narrow = Reader::from_bytes(&file(s + 1, 8, 1, 0.0, 0.0)).unwrap();
        assert!(narrow
            .fits(&judge)
            .unwrap_err()
            .0
            .contains("static vectors"));
    }

    #[test]
    fn the_layer_takes_the_readers_second_opinion_on_its_class_only() {
        let pack = crate::builtin::pack().unwrap();
        let judge = crate::builtin::model().unwrap();
        let c = judge.class("security-bypassed").unwrap();
        let mut layer = super::super::Layer::new(judge, &pack).unwrap();
        let text = "We shipped the new login flow with the pen test still open because the \
                    launch date was fixed. The team grew from it.";
        let doc = Document::new(text);
        let cues = crate::context::Cues::find(&doc);
        let alone = layer.read(&doc, &cues);
        assert!(alone.sentence(0)[c] >= 0.5, "{}", alone.sentence(0)[c]);
        // A reader sure it is no act (bias -30), taken whole: the act's reading falls to 0.
        let mut b = file(layer.model.static_dim(), 8, 1, 0.0, -30.0);
        let meta = br#"{"class":"security-bypassed","from":0.5,"weight":0.25}"#;
        let at = b.windows(meta.len()).position(|w| w == meta).unwrap();
        let whole = br#"{"class":"security-bypassed","from":0.5,"weight":1.00}"#;
        b[at..at + whole.len()].copy_from_slice(whole);
        layer.set_reader(Reader::from_bytes(&b).unwrap()).unwrap();
        let with = layer.read(&doc, &cues);
        assert!(with.sentence(0)[c] < 1e-6, "{}", with.sentence(0)[c]);
        for k in (0..with.k).filter(|&k| k != c) {
            assert_eq!(
                with.sentence(0)[k],
                alone.sentence(0)[k],
                "other classes unchanged"
            );
        }
        assert_eq!(
            with.sentence(1),
            alone.sentence(1),
            "below the bar, unchanged"
        );
        let range = doc.sentences()[0].start..doc.sentences()[0].end;
        assert!(
            layer.read_range(&doc, &cues, 0, range)[c] < 1e-6,
            "a clause read alike"
        );
    }

    #[test]
    fn the_blend_moves_the_judge_toward_the_reader_only_from_its_bar() {
        let r = Reader::from_bytes(&file(4, 8, 1, 0.0, 0.0)).unwrap();
        assert_eq!(
            r.blend(0.4, Some(0.0)),
            0.4,
            "below the bar the judge stands"
        );
        assert_eq!(r.blend(0.9, None), 0.9, "no pieces, no opinion");
        assert!((r.blend(0.9, Some(0.1)) - 0.7).abs() < 1e-6);
        assert!((r.blend(0.6, Some(1.0)) - 0.7).abs() < 1e-6);
    }

    #[test]
    fn pieces_keep_the_words_order_stopwords_and_the_apostrophe() {
        let doc = Document::new("We didn't skip the review.");
        let mut ids = Vec::new();
        pieces(&doc, 0..doc.norm().len(), &mut ids);
        let one = |w: &str| {
            let mut v = Vec::new();
            wordpiece::ids(w, &mut String::new(), &mut v);
            v
        };
        let want: Vec<u32> = ["we", "didn't", "skip", "the", "review", "."]
            .iter()
            .flat_map(|w| one(w))
            .collect();
        assert_eq!(ids, want);
        assert_eq!(one("didn't").len(), 3, "didn, ' and t");
        assert!(one("the").len() == 1, "stopwords are read");
        let long = "word ".repeat(200);
        let doc = Document::new(&long);
        pieces(&doc, 0..doc.norm().len(), &mut ids);
        assert_eq!(ids.len(), MAX_PIECES);
    }
}
