//! What the learned layer reads of a sentence: hashed features of its words.
//!
//! A sentence becomes a list of 64-bit feature hashes: its stems one, two and three at a time,
//! the same n-grams with each word that has a class (see [`super::lexicon`]) replaced by the
//! class, skip-grams, and what the context rules saw in it (a negation, someone else's request,
//! a counterfactual, a question), and the word pieces of [`super::wordpiece`], whose static
//! vectors the model averages beside its own rows. The trainer and the analyzer both call [`sentence`], so a
//! model always reads exactly what it was trained on; [`VERSION`] changes whenever the result
//! would, and a model made for another version is refused.

use std::ops::Range;

use super::lexicon::{self, Class};
use super::wordpiece;
use crate::context::Cues;
use crate::text::{Document, TokenKind};

/// The version of the features; stored in every model.
pub const VERSION: u32 = 2;

/// What the context rules found in a sentence, as features.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Context {
    /// A negation or refusal cue.
    pub negation: bool,
    /// Someone other than the candidate asks or pushes for something.
    pub reported: bool,
    /// A counterfactual or hypothetical cue.
    pub counterfactual: bool,
    /// The sentence is a question.
    pub question: bool,
    /// Part of it is in quotation marks.
    pub quoted: bool,
    /// The candidate goes along with someone else's request.
    pub agreed: bool,
}

impl Context {
    /// The context of the sentence `s` of `doc`.
    pub fn of(doc: &Document<'_>, cues: &Cues, s: usize) -> Context {
        let unit = doc.sentences()[s];
        let range = unit.start..unit.end;
        let flags = cues.flags(doc, range.clone());
        Context {
            negation: flags.negation,
            reported: flags.reported,
            counterfactual: flags.counterfactual,
            question: doc.is_question(s),
            quoted: (range.start..range.end)
                .step_by(8)
                .any(|o| doc.is_quoted(o)),
            agreed: flags.agreed,
        }
    }
}

/// FNV-1a over bytes, seeded: the feature hash. Stable across platforms and versions of Rust.
fn fnv(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Combines two hashes into one, order-sensitive.
fn mix(a: u64, b: u64) -> u64 {
    let h = a.rotate_left(23) ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    h ^ (h >> 29)
}

/// The kinds of feature, hashed in so that a unigram never collides with a bigram by design.
const UNI: u64 = 1;
const BI: u64 = 2;
const TRI: u64 = 3;
const SKIP: u64 = 4;
const CUE: u64 = 5;
const SHAPE: u64 = 6;

/// A word of the sentence: its stem's hash and its classes' hashes.
#[derive(Debug, Clone, Copy)]
struct Word {
    stem: u64,
    classes: [Option<u64>; 2],
}

impl Word {
    fn plain(stem: u64) -> Word {
        Word {
            stem,
            classes: [None, None],
        }
    }

    /// The word's stand-ins in class n-grams: its classes, or itself.
    fn alternatives(&self) -> impl Iterator<Item = u64> + '_ {
        let any = self.classes[0].is_some();
        std::iter::once(self.stem)
            .filter(move |_| !any)
            .chain(self.classes.iter().flatten().copied())
    }

    fn has_class(&self) -> bool {
        self.classes[0].is_some()
    }
}

/// The light stemmer the features use: plural, -ed, -ing and a final -e come off, so that
/// "waive", "waived", "waives" and "waiving" are one stem. Not a linguist's stemmer; a
/// consistent one.
pub fn stem(word: &str) -> String {
    let mut w = word.to_string();
    let n = w.len();
    if n <= 3 || !w.is_ascii() {
        return w;
    }
    if (w.ends_with("ies") || w.ends_with("ied")) && n > 4 {
        w.truncate(n - 3);
        w.push('y');
        return w;
    } else if w.ends_with("sses") {
        w.truncate(n - 2);
    } else if w.ends_with("ss") || w.ends_with("us") || w.ends_with("is") || w.ends_with("'s") {
        // kept
    } else if w.ends_with('s') {
        w.truncate(n - 1);
    }
    let undouble = |w: &mut String| {
        let b = w.as_bytes();
        let n = b.len();
        if n >= 2 && b[n - 1] == b[n - 2] && !matches!(b[n - 1], b'l' | b's' | b'z' | b'e' | b'o') {
            w.truncate(n - 1);
        }
    };
    if w.ends_with("ing") && w.len() >= 6 {
        let n = w.len();
        w.truncate(n - 3);
        undouble(&mut w);
    } else if w.ends_with("ed") && w.len() >= 5 {
        let n = w.len();
        w.truncate(n - 2);
        undouble(&mut w);
    }
    if w.ends_with('e') && w.len() >= 5 {
        w.truncate(w.len() - 1);
    }
    w
}

/// The words a token stands for, lower case: contractions are split ("didn't" is "did" and
/// "not"), a number is `<num>`, and a number with a unit stuck to it ("200ms", "10x") is
/// `<num>` and the unit.
fn words_of(token: &str, kind: TokenKind, out: &mut Vec<String>) {
    match kind {
        TokenKind::Number => out.push("<num>".into()),
        TokenKind::Punct => {
            if matches!(token, "%" | "$" | "?" | "£" | "€" | ":" | ";") {
                out.push(token.into());
            }
        }
        TokenKind::Word => {
            let t = token.trim_matches(|c: char| c == '\'' || c == '-');
            if t.is_empty() {
                return;
            }
            let digits = t.bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 && digits < t.len() {
                let rest = t[digits..].trim_start_matches(['.', ',']);
                let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
                out.push("<num>".into());
                if !rest.is_empty() {
                    out.push(stem(rest));
                }
                return;
            }
            for (suffix, base_end, second) in [
                ("n't", 3, "not"),
                ("'re", 3, "are"),
                ("'ve", 3, "have"),
                ("'ll", 3, "will"),
                ("'d", 2, "would"),
                ("'m", 2, "am"),
            ] {
                if let Some(base) = t.strip_suffix(suffix) {
                    let base = match (base, suffix) {
                        ("wo", "n't") => "will",
                        ("ca", "n't") => "can",
                        ("sha", "n't") => "shall",
                        _ => base,
                    };
                    let _ = base_end;
                    if !base.is_empty() {
                        out.push(stem(base));
                    }
                    out.push(second.into());
                    return;
                }
            }
            if let Some(base) = t.strip_suffix("'s") {
                out.push(stem(base));
                if matches!(
                    base,
                    "it" | "that" | "there" | "what" | "he" | "she" | "who" | "here" | "where"
                ) {
                    out.push("is".into());
                }
                return;
            }
            out.push(stem(t));
        }
    }
}

/// Reusable buffers for [`sentence`], and whether it adds word pieces.
#[derive(Debug)]
pub struct Scratch {
    strings: Vec<String>,
    words: Vec<Word>,
    piece: String,
    pieces: bool,
}

impl Default for Scratch {
    /// Every feature, word pieces included (what the trainer reads).
    fn default() -> Scratch {
        Scratch {
            strings: Vec::new(),
            words: Vec::new(),
            piece: String::new(),
            pieces: true,
        }
    }
}

impl Scratch {
    /// Buffers for reading with `model`: a model without static vectors ignores word pieces, so
    /// they are not looked up.
    pub fn for_model(model: &super::Model) -> Scratch {
        Scratch {
            pieces: model.reads_pieces(),
            ..Scratch::default()
        }
    }
}

/// The features of the normalised range `range` of `doc` (a sentence or a clause) with its
/// context, appended to `out`.
pub fn sentence(
    doc: &Document<'_>,
    range: Range<usize>,
    context: Context,
    scratch: &mut Scratch,
    out: &mut Vec<u64>,
) {
    let lower = doc.lower();
    let a = doc.token_at(range.start);
    let b = doc.token_at(range.end);
    scratch.strings.clear();
    for t in &doc.tokens()[a..b] {
        words_of(&lower[t.range()], t.kind, &mut scratch.strings);
    }
    scratch.words.clear();
    scratch.words.push(Word::plain(fnv(UNI, b"<s>")));
    for w in &scratch.strings {
        let classes = lexicon::classes(w);
        scratch.words.push(Word {
            stem: fnv(UNI, w.as_bytes()),
            classes: classes.map(|c| c.map(|c: Class| fnv(UNI, c.tag().as_bytes()))),
        });
    }
    scratch.words.push(Word::plain(fnv(UNI, b"</s>")));
    let words = &scratch.words;
    let n = words.len();
    out.push(fnv(CUE, b"bias"));
    for (i, w) in words.iter().enumerate() {
        if i > 0 && i + 1 < n {
            out.push(w.stem);
            for c in w.classes.iter().flatten() {
                out.push(*c);
            }
        }
        if i + 1 < n {
            let x = &words[i + 1];
            out.push(mix(mix(BI, w.stem), x.stem));
            if w.has_class() || x.has_class() {
                for p in w.alternatives() {
                    for q in x.alternatives() {
                        out.push(mix(mix(BI ^ 0x100, p), q));
                    }
                }
            }
        }
        if i + 2 < n {
            let (x, y) = (&words[i + 1], &words[i + 2]);
            out.push(mix(mix(mix(TRI, w.stem), x.stem), y.stem));
            out.push(mix(mix(SKIP, w.stem), y.stem));
            if w.has_class() || x.has_class() || y.has_class() {
                for p in w.alternatives() {
                    for q in x.alternatives() {
                        for r in y.alternatives() {
                            out.push(mix(mix(mix(TRI ^ 0x100, p), q), r));
                        }
                    }
                }
            }
        }
    }
    for (on, name) in [
        (context.negation, &b"negation"[..]),
        (context.reported, b"reported"),
        (context.counterfactual, b"counterfactual"),
        (context.question, b"question"),
        (context.quoted, b"quoted"),
        (context.agreed, b"agreed"),
    ] {
        if on {
            out.push(fnv(CUE, name));
        }
    }
    let len = (n - 2).min(60) / 6;
    out.push(mix(SHAPE, len as u64));
    if scratch.pieces {
        for t in doc.tokens()[a..b]
            .iter()
            .filter(|t| t.kind == TokenKind::Word)
        {
            wordpiece::pieces(&lower[t.range()], &mut scratch.piece, out);
        }
    }
}

/// The features of a whole short text read as one sentence (a training sentence, which may hold
/// two): context from every cue in it, a question if its last sentence is one.
pub fn whole(doc: &Document<'_>, cues: &Cues, scratch: &mut Scratch, out: &mut Vec<u64>) {
    let end = doc.norm().len();
    let flags = cues.flags(doc, 0..end);
    let last = doc.sentences().len().saturating_sub(1);
    let context = Context {
        negation: flags.negation,
        reported: flags.reported,
        counterfactual: flags.counterfactual,
        question: !doc.sentences().is_empty() && doc.is_question(last),
        quoted: (0..end).step_by(8).any(|o| doc.is_quoted(o)),
        agreed: flags.agreed,
    };
    sentence(doc, 0..end, context, scratch, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let doc = Document::new(text);
        let mut out = Vec::new();
        for t in doc.tokens() {
            words_of(&doc.lower()[t.range()], t.kind, &mut out);
        }
        out
    }

    #[test]
    fn inflections_of_one_verb_share_a_stem() {
        for family in [
            &["waive", "waived", "waives", "waiving"][..],
            &["skip", "skipped", "skipping", "skips"],
            &["release", "released", "releases", "releasing"],
            &["cache", "cached", "caching", "caches"],
            &["delay", "delayed", "delays", "delaying"],
            &["policy", "policies"],
        ] {
            let stems: Vec<String> = family.iter().map(|w| stem(w)).collect();
            assert!(
                stems.iter().all(|s| *s == stems[0]),
                "{family:?}: {stems:?}"
            );
        }
    }

    #[test]
    fn contractions_numbers_and_units_split_into_words() {
        assert_eq!(words("We didn't ship"), ["we", "did", "not", "ship"]);
        assert_eq!(words("It won't"), ["it", "will", "not"]);
        assert_eq!(
            words("cut 200ms, 10x and 99.9%"),
            ["cut", "<num>", "ms", "<num>", "x", "and", "<num>", "%"]
        );
        assert_eq!(words("the VP's plan"), ["the", "vp", "plan"]);
        assert_eq!(words("it's late"), ["it", "is", "late"]);
    }

    #[test]
    fn the_same_sentence_gives_the_same_features_and_a_class_generalises() {
        let f = |text: &str| {
            let doc = Document::new(text);
            let cues = Cues::find(&doc);
            let mut out = Vec::new();
            let s = doc.sentences()[0];
            sentence(
                &doc,
                s.start..s.end,
                Context::of(&doc, &cues, 0),
                &mut Scratch::default(),
                &mut out,
            );
            out
        };
        assert_eq!(f("We skipped the audit."), f("We skipped the audit."));
        let a = f("We skipped the audit.");
        let b = f("We waived the pentest.");
        let shared = a.iter().filter(|h| b.contains(h)).count();
        assert!(shared >= 6, "{shared}");
    }
}
