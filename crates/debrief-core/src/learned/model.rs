//! The learned layer's model: hashed n-gram embeddings averaged into one vector, one hidden
//! layer, and one sigmoid output per class; an ensemble of E such networks (trained from
//! different seeds on the same vocabulary) whose probabilities are averaged.
//!
//! `forward`: features `[n]` (hashes) -> embedding rows `[n, E·D]` (unknown hashes skipped) ->
//! mean `[E, D]`; the word-piece features (see [`super::wordpiece`]) -> their static vectors
//! `[n', S]`, fixed, distilled from a sentence encoder -> mean `[S]`; per member
//! `relu(W1 [H, D + S] · [x; s] + b1)` `[H]` -> `sigmoid(W2 [K, H] · h + b2)` `[K]` -> mean over
//! members `[K]`.
//!
//! The weights are data, like a pack: a little-endian file read where it lies (the embedded
//! model is never copied; only the two small dense layers are decoded). Layout:
//!
//! ```text
//! "DBLM" u32 format, u32 features version, u32 K, u32 D, u32 H, u32 V, u32 table bits, u32 E,
//! u32 S, u32 N, u32 meta length, meta (JSON: class ids, thresholds, what built it), zero
//! padding to 8, table [2^bits] u32 (row + 1, 0 empty; linear probing on the hash's low bits),
//! keys [V] u64, scales [V] f32, rows [V, E·D] i8, static scales [N] f32, static rows [N, S] i8,
//! W1 [E, H, D + S] f32, b1 [E, H] f32, W2 [E, K, H] f32, b2 [E, K] f32
//! ```

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::features;
use super::reader::Reader;

const MAGIC: &[u8; 4] = b"DBLM";
const FORMAT: u32 = 3;
/// The header's length in bytes, up to the meta; the meta's length is its last four bytes.
pub const HEADER: usize = 48;

/// What a model file says of itself, besides its weights.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// The class ids, in output order.
    pub classes: Vec<String>,
    /// Each class's decision threshold on its probability, in output order.
    pub thresholds: Vec<f32>,
    /// How the model was made: data, command, seed.
    #[serde(default)]
    pub provenance: String,
    /// Named extra parameters (the answer scorer's weights, for one).
    #[serde(default)]
    pub extra: std::collections::BTreeMap<String, Vec<f32>>,
}

/// Why a model could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError(pub String);

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ModelError {}

/// A model ready to run.
pub struct Model {
    bytes: Cow<'static, [u8]>,
    /// Class ids, thresholds and the rest of the meta.
    pub meta: Meta,
    d: usize,
    h: usize,
    k: usize,
    v: usize,
    e: usize,
    s: usize,
    n: usize,
    mask: usize,
    table_at: usize,
    keys_at: usize,
    scales_at: usize,
    rows_at: usize,
    static_scales_at: usize,
    static_at: usize,
    w1: Vec<f32>,
    b1: Vec<f32>,
    w2: Vec<f32>,
    b2: Vec<f32>,
    /// A contextual reader's second opinion on some of its classes, with the model whose word
    /// pieces' static vectors it reads (see [`Model::set_second_opinion`]).
    second: Option<Box<(Reader, Model)>>,
}

impl fmt::Debug for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Model")
            .field("classes", &self.meta.classes.len())
            .field("rows", &self.v)
            .field("dims", &(self.d, self.s, self.h))
            .finish()
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn f32s(b: &[u8], at: usize, n: usize) -> Vec<f32> {
    b[at..at + 4 * n]
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect()
}

/// The weights of a model before it is written: what the trainer fills in.
#[derive(Debug, Clone, Default)]
pub struct Weights {
    /// Embedding dimensions of each member.
    pub d: usize,
    /// Hidden units of each member.
    pub h: usize,
    /// Members of the ensemble.
    pub e: usize,
    /// Static vector dimensions (0 for none).
    pub s: usize,
    /// The word pieces' static vectors `[N, S]`, indexed by piece id; quantised to i8 per row
    /// when written.
    pub statics: Vec<f32>,
    /// Feature hashes, one per row.
    pub keys: Vec<u64>,
    /// Rows `[V, E·D]`, as floats; quantised to i8 per row when written.
    pub rows: Vec<f32>,
    /// `[E, H, D + S]`.
    pub w1: Vec<f32>,
    /// `[E, H]`.
    pub b1: Vec<f32>,
    /// `[E, K, H]`.
    pub w2: Vec<f32>,
    /// `[E, K]`.
    pub b2: Vec<f32>,
}

impl Weights {
    /// The model file for these weights and `meta`.
    pub fn to_bytes(&self, meta: &Meta) -> Vec<u8> {
        let (d, h, k, v, e, s) = (
            self.d,
            self.h,
            meta.classes.len(),
            self.keys.len(),
            self.e,
            self.s,
        );
        let n = self.statics.len().checked_div(s).unwrap_or(0);
        assert_eq!(self.statics.len(), n * s);
        assert_eq!(self.rows.len(), v * e * d);
        assert_eq!(self.w1.len(), e * h * (d + s));
        assert_eq!(self.b1.len(), e * h);
        assert_eq!(self.w2.len(), e * k * h);
        assert_eq!(self.b2.len(), e * k);
        let bits = (usize::BITS - (2 * v.max(1)).leading_zeros()).max(4);
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        for x in [
            FORMAT,
            features::VERSION,
            k as u32,
            d as u32,
            h as u32,
            v as u32,
            bits,
            e as u32,
            s as u32,
            n as u32,
        ] {
            out.extend_from_slice(&x.to_le_bytes());
        }
        let json = serde_json::to_vec(meta).expect("meta serialises");
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        while out.len() % 8 != 0 {
            out.push(0);
        }
        let size = 1usize << bits;
        let mask = size - 1;
        let mut table = vec![0u32; size];
        for (row, key) in self.keys.iter().enumerate() {
            let mut slot = (*key as usize) & mask;
            while table[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            table[slot] = row as u32 + 1;
        }
        for t in table {
            out.extend_from_slice(&t.to_le_bytes());
        }
        for key in &self.keys {
            out.extend_from_slice(&key.to_le_bytes());
        }
        quantise(&self.rows, e * d, &mut out);
        if s > 0 {
            quantise(&self.statics, s, &mut out);
        }
        for part in [&self.w1, &self.b1, &self.w2, &self.b2] {
            for x in part.iter() {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
        out
    }
}

/// Rows of `wide` floats as i8 with one scale per row: the scales `[rows]` f32, then the rows.
fn quantise(rows: &[f32], wide: usize, out: &mut Vec<u8>) {
    let mut quantised = Vec::with_capacity(rows.len());
    for row in rows.chunks_exact(wide) {
        let max = row.iter().fold(0f32, |m, x| m.max(x.abs()));
        let scale = if max == 0.0 { 1.0 } else { max / 127.0 };
        out.extend_from_slice(&scale.to_le_bytes());
        quantised.extend(
            row.iter()
                .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8 as u8),
        );
    }
    out.extend(quantised);
}

/// Adds row `r` of an int8 table (scales `[rows]` f32 at `scales_at`, rows of `out.len()` i8 at
/// `rows_at`) to `out`, dequantised.
fn add_row(b: &[u8], scales_at: usize, rows_at: usize, r: usize, out: &mut [f32]) {
    let wide = out.len();
    let scale = f32::from_le_bytes(
        b[scales_at + 4 * r..scales_at + 4 * r + 4]
            .try_into()
            .expect("4 bytes"),
    );
    for (o, q) in out
        .iter_mut()
        .zip(&b[rows_at + r * wide..rows_at + (r + 1) * wide])
    {
        *o += scale * f32::from(*q as i8);
    }
}

/// The dot product of two equal-length vectors, summed in eight lanes so that it vectorises
/// (inlined, so that a caller compiled for AVX2 sums them in one register).
#[inline(always)]
pub(super) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            lanes[i] += x[i] * y[i];
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    lanes.iter().sum::<f32>() + tail
}

impl Model {
    /// Reads a model file.
    pub fn from_bytes(bytes: Cow<'static, [u8]>) -> Result<Model, ModelError> {
        let b: &[u8] = &bytes;
        let bad = |what: &str| ModelError(format!("not a debrief model: {what}"));
        if b.len() < HEADER || &b[..4] != MAGIC {
            return Err(bad("no DBLM header"));
        }
        if u32_at(b, 4) != FORMAT {
            return Err(bad("unknown format version"));
        }
        if u32_at(b, 8) != features::VERSION {
            return Err(ModelError(format!(
                "the model was made for features version {}, this debrief reads version {}: rebuild it with `train/`",
                u32_at(b, 8),
                features::VERSION
            )));
        }
        let [k, d, h, v, bits, e, s, n, meta_len] =
            [12, 16, 20, 24, 28, 32, 36, 40, 44].map(|at| u32_at(b, at) as usize);
        if bits > 28
            || d == 0
            || h == 0
            || e == 0
            || e * d > 1024
            || h > 1024
            || s > 1024
            || n > 1 << 20
            || (n > 0 && n != super::wordpiece::len())
        {
            return Err(bad("impossible sizes"));
        }
        let meta_at = HEADER;
        let mut at = meta_at + meta_len;
        if at > b.len() {
            return Err(bad("truncated"));
        }
        let meta: Meta =
            serde_json::from_slice(&b[meta_at..at]).map_err(|e| bad(&format!("meta: {e}")))?;
        if meta.classes.len() != k || meta.thresholds.len() != k {
            return Err(bad("meta does not match the sizes"));
        }
        at = at.div_ceil(8) * 8;
        let table_at = at;
        at += 4 << bits;
        let keys_at = at;
        at += 8 * v;
        let scales_at = at;
        at += 4 * v;
        let rows_at = at;
        at += v * e * d;
        let static_scales_at = at;
        at += 4 * n;
        let static_at = at;
        at += n * s;
        let need = at + 4 * e * (h * (d + s) + h + k * h + k);
        if b.len() != need {
            return Err(bad("wrong length"));
        }
        let w1 = f32s(b, at, e * h * (d + s));
        at += 4 * e * h * (d + s);
        let b1 = f32s(b, at, e * h);
        at += 4 * e * h;
        let w2 = f32s(b, at, e * k * h);
        at += 4 * e * k * h;
        let b2 = f32s(b, at, e * k);
        Ok(Model {
            meta,
            d,
            h,
            k,
            v,
            e,
            s,
            n,
            mask: (1 << bits) - 1,
            table_at,
            keys_at,
            scales_at,
            rows_at,
            static_scales_at,
            static_at,
            w1,
            b1,
            w2,
            b2,
            bytes,
            second: None,
        })
    }

    /// Gives the model a contextual reader's second opinion, the reader taking its word pieces'
    /// static vectors from `statics` (the judge model: the explain model has none of its own).
    /// Which classes it speaks to is its caller's rule, named by the reader's class: the explain
    /// drill asks one reading [`crate::explain::CLAIMS_READER_CLASS`] about every misconception.
    pub fn set_second_opinion(&mut self, reader: Reader, statics: Model) -> Result<(), ModelError> {
        reader.reads_statics_of(&statics)?;
        self.second = Some(Box::new((reader, statics)));
        Ok(())
    }

    /// The reader set by [`Model::set_second_opinion`] and the model it takes vectors from.
    pub fn second_opinion(&self) -> Option<(&Reader, &Model)> {
        self.second.as_deref().map(|(r, m)| (r, m))
    }

    /// How many classes it scores.
    pub fn classes(&self) -> usize {
        self.k
    }

    /// Whether it reads word pieces' static vectors.
    pub fn reads_pieces(&self) -> bool {
        self.s > 0 && self.n > 0
    }

    /// The width of its word pieces' static vectors (0 where it has none).
    pub fn static_dim(&self) -> usize {
        if self.reads_pieces() {
            self.s
        } else {
            0
        }
    }

    /// Adds the static vector of word piece `id` to `out` (length [`Model::static_dim`]); a
    /// piece beyond the model's table adds nothing.
    pub fn static_vector(&self, id: usize, out: &mut [f32]) {
        if id < self.n && out.len() == self.s {
            add_row(&self.bytes, self.static_scales_at, self.static_at, id, out);
        }
    }

    /// How many feature rows it knows.
    pub fn rows(&self) -> usize {
        self.v
    }

    /// The index of a class id.
    pub fn class(&self, id: &str) -> Option<usize> {
        self.meta.classes.iter().position(|c| c == id)
    }

    /// The row of a feature hash, if the model knows it.
    fn row(&self, key: u64) -> Option<usize> {
        let b: &[u8] = &self.bytes;
        let mut slot = (key as usize) & self.mask;
        loop {
            let r = u32_at(b, self.table_at + 4 * slot) as usize;
            if r == 0 {
                return None;
            }
            let at = self.keys_at + 8 * (r - 1);
            if b[at..at + 8] == key.to_le_bytes() {
                return Some(r - 1);
            }
            slot = (slot + 1) & self.mask;
        }
    }

    /// The probability of every class for a sentence's features, written to `out` (length K).
    pub fn forward(&self, features: &[u64], out: &mut [f32]) {
        self.forward_some(features, None, out);
    }

    /// As [`Model::forward`], for the classes `wanted` only (`None` for all): the others are
    /// left at 0. A reader that needs one topic's classes does not pay for every other topic's
    /// output layer.
    pub fn forward_some(&self, features: &[u64], wanted: Option<&[usize]>, out: &mut [f32]) {
        debug_assert_eq!(out.len(), self.k);
        let b: &[u8] = &self.bytes;
        let (d, h, k, e) = (self.d, self.h, self.k, self.e);
        let wide = e * d;
        let mut x = [0f32; 1024];
        let x = &mut x[..wide];
        let mut found = 0usize;
        let mut sv = [0f32; 1024];
        let sv = &mut sv[..self.s];
        let mut pieces = 0usize;
        for &f in features {
            if let Some(id) = super::wordpiece::id_of(f) {
                if id < self.n {
                    add_row(b, self.static_scales_at, self.static_at, id, sv);
                    pieces += 1;
                }
            } else if let Some(r) = self.row(f) {
                add_row(b, self.scales_at, self.rows_at, r, x);
                found += 1;
            }
        }
        if found > 0 {
            let inv = 1.0 / found as f32;
            x.iter_mut().for_each(|v| *v *= inv);
        }
        if pieces > 0 {
            let inv = 1.0 / pieces as f32;
            sv.iter_mut().for_each(|v| *v *= inv);
        }
        let ds = d + self.s;
        out.iter_mut().for_each(|o| *o = 0.0);
        let mut hidden = [0f32; 1024];
        let hidden = &mut hidden[..h];
        // Each member's input: its embedding mean, then the static vector.
        let mut input = [0f32; 2048];
        let input = &mut input[..ds];
        input[d..].copy_from_slice(sv);
        for m in 0..e {
            input[..d].copy_from_slice(&x[m * d..(m + 1) * d]);
            let w1 = &self.w1[m * h * ds..(m + 1) * h * ds];
            let b1 = &self.b1[m * h..(m + 1) * h];
            for (j, hj) in hidden.iter_mut().enumerate() {
                *hj = (dot(&w1[j * ds..(j + 1) * ds], input) + b1[j]).max(0.0);
            }
            let w2 = &self.w2[m * k * h..(m + 1) * k * h];
            let b2 = &self.b2[m * k..(m + 1) * k];
            let mut class = |c: usize| {
                let s = dot(&w2[c * h..(c + 1) * h], hidden) + b2[c];
                out[c] += 1.0 / (1.0 + (-s).exp());
            };
            match wanted {
                Some(list) => list.iter().for_each(|&c| class(c)),
                None => (0..k).for_each(class),
            }
        }
        let inv = 1.0 / e as f32;
        out.iter_mut().for_each(|o| *o *= inv);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> (Weights, Meta) {
        let w = Weights {
            d: 2,
            h: 2,
            e: 1,
            s: 0,
            statics: Vec::new(),
            keys: vec![11, 22, 11 + 64],
            rows: vec![1.0, 0.0, 0.0, 1.0, -1.0, -1.0],
            w1: vec![1.0, 0.0, 0.0, 1.0],
            b1: vec![0.0, 0.0],
            w2: vec![4.0, -4.0],
            b2: vec![0.0],
        };
        let meta = Meta {
            classes: vec!["a".into()],
            thresholds: vec![0.5],
            ..Meta::default()
        };
        (w, meta)
    }

    #[test]
    fn a_written_model_reads_back_and_runs() {
        let (w, meta) = tiny();
        let m = Model::from_bytes(Cow::Owned(w.to_bytes(&meta))).unwrap();
        assert_eq!(m.meta, meta);
        let mut p = [0f32];
        m.forward(&[11], &mut p);
        assert!(p[0] > 0.95, "{p:?}");
        m.forward(&[22], &mut p);
        assert!(p[0] < 0.05, "{p:?}");
        // Colliding slots are probed past; unknown hashes are skipped.
        m.forward(&[75, 999], &mut p);
        assert!((p[0] - 0.5).abs() < 1e-6, "{p:?}");
    }

    #[test]
    fn reading_some_classes_gives_what_reading_all_gives_for_them() {
        let (mut w, mut meta) = tiny();
        // Three classes: the first reads the hidden unit as before, the others weigh it apart.
        w.w2 = vec![4.0, -4.0, -2.0, 1.0, 0.5, 3.0];
        w.b2 = vec![0.0, 0.5, -0.5];
        meta.classes = vec!["a".into(), "b".into(), "c".into()];
        meta.thresholds = vec![0.5; 3];
        let m = Model::from_bytes(Cow::Owned(w.to_bytes(&meta))).unwrap();
        let mut all = [0f32; 3];
        m.forward(&[11, 22], &mut all);
        let mut some = [0f32; 3];
        m.forward_some(&[11, 22], Some(&[2, 0]), &mut some);
        assert_eq!(some[0], all[0]);
        assert_eq!(some[2], all[2]);
        assert_eq!(some[1], 0.0, "a class not asked for is not read");
        assert!(all[1] > 0.0);
    }

    #[test]
    fn word_pieces_are_read_through_their_static_vectors() {
        use super::super::wordpiece;
        let n = wordpiece::len();
        let mut pieces = Vec::new();
        wordpiece::pieces("audit", &mut String::new(), &mut pieces);
        let audit = wordpiece::id_of(pieces[0]).unwrap();
        let mut statics = vec![0f32; n * 2];
        statics[audit * 2] = 1.0;
        let w = Weights {
            d: 1,
            h: 1,
            e: 1,
            s: 2,
            statics,
            keys: vec![11],
            rows: vec![0.5],
            // The hidden unit reads the embedding and the first static dimension.
            w1: vec![1.0, 4.0, 0.0],
            b1: vec![0.0],
            w2: vec![2.0],
            b2: vec![-1.0],
        };
        let meta = Meta {
            classes: vec!["a".into()],
            thresholds: vec![0.5],
            ..Meta::default()
        };
        let m = Model::from_bytes(Cow::Owned(w.to_bytes(&meta))).unwrap();
        let mut without = [0f32];
        m.forward(&[11], &mut without);
        let mut with = [0f32];
        m.forward(&[11, pieces[0]], &mut with);
        // 2·0.5 − 1 = 0 without; 2·(0.5 + 4) − 1 = 8 with the piece.
        assert!((without[0] - 0.5).abs() < 1e-6, "{without:?}");
        assert!(with[0] > 0.99, "{with:?}");
        // Another piece's vector is zero here: the mean halves what "audit" brings.
        let mut other = Vec::new();
        wordpiece::pieces("launch", &mut String::new(), &mut other);
        let mut half = [0f32];
        m.forward(&[11, pieces[0], other[0]], &mut half);
        let expected = 1.0 / (1.0 + (-(2.0 * (0.5 + 2.0) - 1.0f32)).exp());
        assert!((half[0] - expected).abs() < 1e-3, "{half:?} {expected}");
    }

    #[test]
    fn a_damaged_or_foreign_file_is_refused_with_a_reason() {
        let (w, meta) = tiny();
        let mut bytes = w.to_bytes(&meta);
        bytes.pop();
        assert!(Model::from_bytes(Cow::Owned(bytes)).is_err());
        let e = Model::from_bytes(Cow::Owned(b"GIF89a".repeat(10))).unwrap_err();
        assert!(e.0.contains("not a debrief model"), "{e}");
    }
}
