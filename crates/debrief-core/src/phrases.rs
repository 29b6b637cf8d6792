//! A set of phrase templates, each tagged with the keys (signals, cue kinds, concepts) it belongs
//! to, matched against an answer unit by unit. The templates compile to number tables
//! ([`debrief_pack::phrases`]); this module reads an answer into unit numbers and reports the
//! matches by key and byte range.
//!
//! Matching is on whole units: "roll back" matches "roll back" and the start of "roll-back",
//! never "scroll back" or "rolled back"; a phrase starts only where a token does, and never
//! crosses a paragraph or list break. A template shared by two keys, or nested in a longer one,
//! counts for each.

use std::ops::Range;

use crate::pack::phrases::{PhraseTables, TablesBuilder, BREAK};
use crate::text::{Document, TokenKind};

/// Phrases compiled for matching, each tagged with keys of type `K`.
#[derive(Debug, Clone)]
pub struct PhraseSet<K> {
    tables: PhraseTables,
    /// The key of each owner code: the code is the index of the `add` call.
    keys: Vec<K>,
    /// Whether the tables were stored ones rather than compiled here.
    stored: bool,
}

/// Collects templates before compiling them.
#[derive(Debug)]
pub struct PhraseSetBuilder<'a, K> {
    tables: TablesBuilder<'a>,
    keys: Vec<K>,
}

impl<K> Default for PhraseSetBuilder<'_, K> {
    fn default() -> Self {
        PhraseSetBuilder {
            tables: TablesBuilder::default(),
            keys: Vec::new(),
        }
    }
}

impl<'a, K: Copy> PhraseSetBuilder<'a, K> {
    /// Adds the templates under `key`. They are checked when the set is built.
    pub fn add<S: AsRef<str>>(&mut self, key: K, templates: &'a [S]) {
        self.tables.add(self.keys.len() as u32, templates);
        self.keys.push(key);
    }

    /// Compiles the templates, or names each bad one with its key.
    pub fn build(self) -> Result<PhraseSet<K>, Vec<(K, String)>> {
        self.build_or_load(None)
    }

    /// Takes `stored` tables (from [`PhraseTables::to_bytes`]) when they are what these
    /// templates compile to, and compiles the templates otherwise.
    pub fn build_or_load(
        self,
        stored: Option<&'static [u8]>,
    ) -> Result<PhraseSet<K>, Vec<(K, String)>> {
        if let Some(tables) = stored.and_then(|b| self.tables.load(b)) {
            return Ok(PhraseSet {
                tables,
                keys: self.keys,
                stored: true,
            });
        }
        let keys = self.keys;
        match self.tables.build() {
            Ok(tables) => Ok(PhraseSet {
                tables,
                keys,
                stored: false,
            }),
            Err(errors) => Err(errors
                .into_iter()
                .map(|(code, e)| (keys[code as usize], e))
                .collect()),
        }
    }
}

/// The characters that may join the parts of a token: `'` `-` `.` `,` `/`.
static IS_JOINER: [bool; 256] = {
    let mut table = [false; 256];
    table[b'\'' as usize] = true;
    table[b'-' as usize] = true;
    table[b'.' as usize] = true;
    table[b',' as usize] = true;
    table[b'/' as usize] = true;
    table
};

/// Where a unit of an answer is, in bytes of the normalised text, and whether a token starts there
/// (only there may a phrase start).
#[derive(Clone, Copy)]
struct UnitSpan {
    start: u32,
    end: u32,
    token_start: bool,
}

thread_local! {
    /// The unit vectors of the last answer read on this thread, kept for the next.
    static SPARE_UNITS: std::cell::Cell<Option<Units>> = const { std::cell::Cell::new(None) };
}

/// An answer read into units: each unit's number, and its span.
#[derive(Default)]
struct Units {
    ids: Vec<u32>,
    spans: Vec<UnitSpan>,
}

impl Units {
    fn push(&mut self, id: u32, start: usize, end: usize, token_start: bool) {
        self.ids.push(id);
        self.spans.push(UnitSpan {
            start: start as u32,
            end: end as u32,
            token_start,
        });
    }
}

impl<K: Copy> PhraseSet<K> {
    /// Starts a set.
    pub fn builder<'a>() -> PhraseSetBuilder<'a, K> {
        PhraseSetBuilder::default()
    }

    /// How many distinct templates the set holds.
    pub fn len(&self) -> usize {
        self.tables.len()
    }

    /// Whether the set holds no template.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// How many phrasings the templates stand for (each combination of alternatives counts).
    pub fn phrasings(&self) -> usize {
        self.tables.phrasings()
    }

    /// Whether the set took stored tables instead of compiling its templates.
    pub fn is_stored(&self) -> bool {
        self.stored
    }

    /// The document's units, numbered by the tables, in `units` (emptied first).
    fn units(&self, doc: &Document<'_>, units: &mut Units) {
        let text = doc.lower().as_bytes();
        let tokens = doc.tokens();
        let capacity = tokens.len() + tokens.len() / 8;
        units.ids.clear();
        units.ids.reserve(capacity);
        units.spans.clear();
        units.spans.reserve(capacity);
        let mut last_end = 0usize;
        for t in tokens {
            let (from, to) = (t.start as usize, t.end as usize);
            // White space is folded to one byte: a space, or a newline for a break. Tested
            // without a short-circuit: whether a space comes first is unpredictable, a break rare.
            if (from > last_end) & (text[from.saturating_sub(1)] == b'\n') {
                units.push(BREAK, last_end, from, false);
            }
            last_end = to;
            let word = &text[from..to];
            if t.kind == TokenKind::Punct {
                units.push(self.tables.id(word), from, to, true);
                continue;
            }
            if !t.joined {
                units.push(self.tables.id_at(text, from, to), from, to, true);
                continue;
            }
            // A word or number held together by joiners splits at them: ' - . , /
            let mut start = from;
            for (i, &b) in word.iter().enumerate() {
                if IS_JOINER[b as usize] {
                    let at = from + i;
                    if at > start {
                        units.push(self.tables.id(&text[start..at]), start, at, start == from);
                    }
                    units.push(self.tables.id(&text[at..at + 1]), at, at + 1, at == from);
                    start = at + 1;
                }
            }
            if to > start {
                units.push(self.tables.id(&text[start..to]), start, to, start == from);
            }
        }
    }

    /// Calls `f` for every match in the document, in order of start: each template's longest
    /// match at each place it matches.
    pub fn find(&self, doc: &Document<'_>, mut f: impl FnMut(K, Range<usize>)) {
        if self.tables.is_empty() {
            return;
        }
        // The vectors of the answer read before on this thread, if it is done with them.
        let mut units = SPARE_UNITS
            .try_with(|s| s.take())
            .unwrap_or_default()
            .unwrap_or_default();
        self.units(doc, &mut units);
        let starts = (0..units.spans.len()).filter(|&p| units.spans[p].token_start);
        self.tables.matches(&units.ids, starts, |at, end, codes| {
            let range = units.spans[at].start as usize..units.spans[end - 1].end as usize;
            for &code in codes {
                f(self.keys[code as usize], range.clone());
            }
        });
        // Kept for the next answer on this thread unless a long one grew them.
        if crate::text::reusable(&units.ids) && crate::text::reusable(&units.spans) {
            let _ = SPARE_UNITS.try_with(|s| s.set(Some(units)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(templates: &[&str]) -> PhraseSet<usize> {
        let mut b = PhraseSet::builder();
        for (i, t) in templates.iter().enumerate() {
            b.add(i, std::slice::from_ref(t));
        }
        b.build().unwrap()
    }

    /// The text of every match, with the index of its template.
    fn finds(templates: &[&str], text: &str) -> Vec<(usize, String)> {
        let s = set(templates);
        let doc = Document::new(text);
        let mut out = Vec::new();
        s.find(&doc, |k, r| out.push((k, doc.norm_slice(r).to_string())));
        out
    }

    fn matched(template: &str, text: &str) -> Option<String> {
        finds(&[template], text)
            .into_iter()
            .find(|_| true)
            .map(|(_, m)| m)
    }

    #[test]
    fn matches_whole_words_case_insensitively() {
        assert_eq!(
            finds(&["roll back"], "We ROLL BACK; not scroll backwards."),
            vec![(0, "ROLL BACK".to_string())]
        );
        assert_eq!(matched("rolled back", "rolled backwards"), None);
    }

    #[test]
    fn shared_and_nested_phrases_count_for_each_key() {
        let mut b = PhraseSet::builder();
        b.add(1u8, &["rolled back"]);
        b.add(2u8, &["{rolled back|reverted} the release"]);
        b.add(3u8, &["rolled back"]);
        let set = b.build().unwrap();
        assert_eq!(set.len(), 2);
        assert_eq!(set.phrasings(), 3);
        let doc = Document::new("I rolled back the release.");
        let mut keys = Vec::new();
        set.find(&doc, |k, _| keys.push(k));
        keys.sort();
        assert_eq!(keys, vec![1, 2, 3]);
    }

    #[test]
    fn curly_apostrophes_in_text_match_straight_ones_in_phrases() {
        assert_eq!(
            matched("couldn't finish", "Engineering couldn\u{2019}t finish it."),
            Some("couldn\u{2019}t finish".replace('\u{2019}', "'"))
        );
    }

    #[test]
    fn alternatives_and_optional_parts() {
        let t = "{skip|skipped} the {security |}review";
        assert_eq!(
            matched(t, "We skipped the security review."),
            Some("skipped the security review".into())
        );
        assert_eq!(
            matched(t, "skip the review"),
            Some("skip the review".into())
        );
        assert_eq!(matched(t, "skipped a review"), None);
    }

    #[test]
    fn an_empty_alternative_does_not_need_two_spaces() {
        assert_eq!(matched("a {b|} c", "a c"), Some("a c".into()));
        assert_eq!(matched("a {b|} c", "a b c"), Some("a b c".into()));
        assert_eq!(matched("a {b |}c", "a c"), Some("a c".into()));
    }

    #[test]
    fn alternatives_inside_a_word_join_it() {
        let t = "roll{ed|ing|} back{ the release|}";
        assert_eq!(
            matched(t, "we rolled back the release"),
            Some("rolled back the release".into())
        );
        assert_eq!(matched(t, "rolling back"), Some("rolling back".into()));
        assert_eq!(matched(t, "roll back"), Some("roll back".into()));
        assert_eq!(matched(t, "roll ed back"), None);
        // A word can also reach through an empty part: "x" + "" + "z".
        assert_eq!(matched("x{ y|}z", "xz"), Some("xz".into()));
        assert_eq!(matched("x{ y|}z", "x yz"), Some("x yz".into()));
        assert_eq!(matched("x{ y|}z", "x z"), None);
    }

    #[test]
    fn a_trailing_optional_word_is_dropped_when_absent() {
        assert_eq!(matched("the {cache |}", "the origin"), Some("the".into()));
    }

    #[test]
    fn the_longest_match_wins() {
        assert_eq!(
            finds(&["{the |}canary{ run| deploy|}"], "the canary run failed"),
            vec![
                (0, "the canary run".to_string()),
                (0, "canary run".to_string())
            ]
        );
    }

    #[test]
    fn phrases_start_at_tokens_and_stop_at_joiners_and_breaks() {
        // The start of a hyphenated or possessive word matches; its inside never starts one.
        assert_eq!(
            matched("customer", "the customer's SRE"),
            Some("customer".into())
        );
        assert_eq!(matched("roll back", "a roll-back"), None);
        assert_eq!(matched("back", "a roll-back"), None);
        assert_eq!(matched("limit", "rate-limit"), None);
        assert_eq!(
            matched("rate-limit", "we rate-limit it"),
            Some("rate-limit".into())
        );
        // Numbers and symbols are units of their own.
        assert_eq!(
            matched("99.9%", "uptime of 99.9% held"),
            Some("99.9%".into())
        );
        assert_eq!(
            matched("99.9 %", "uptime of 99.9% held"),
            Some("99.9%".into())
        );
        assert_eq!(matched("99", "uptime of 99.9% held"), Some("99".into()));
        // A paragraph break or punctuation between words stops a phrase.
        assert_eq!(matched("roll back", "roll\n\nback"), None);
        assert_eq!(matched("roll back", "roll, back"), None);
        assert_eq!(matched("roll back", "roll\nback"), Some("roll back".into()));
    }

    #[test]
    fn templates_sharing_first_words_each_match_once_at_each_place() {
        let s = set(&["the canary", "the", "{the|a} kill switch", "it's done"]);
        // Templates that share a path in the trie each report their own longest match, once.
        let doc = Document::new("The canary and the kill switch: it's done, the end.");
        let mut found = Vec::new();
        s.find(&doc, |k, r| found.push((k, doc.norm_slice(r).to_string())));
        found.sort();
        assert_eq!(
            found,
            vec![
                (0, "The canary".to_string()),
                (1, "The".to_string()),
                (1, "the".to_string()),
                (1, "the".to_string()),
                (2, "the kill switch".to_string()),
                (3, "it's done".to_string()),
            ]
        );
    }

    #[test]
    fn bad_templates_are_named_with_their_keys() {
        let mut b = PhraseSet::builder();
        b.add('a', &["fine"]);
        b.add('b', &["{broken"]);
        let errors = b.build().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, 'b');
    }

    #[test]
    fn stored_tables_are_taken_only_for_the_same_templates() {
        let mut b = PhraseSet::builder();
        b.add(0u8, &["roll back"]);
        let compiled = b.build().unwrap();
        assert!(!compiled.is_stored());
        let bytes: &'static [u8] = compiled.tables.to_bytes().leak();
        let mut same = PhraseSet::builder();
        same.add(0u8, &["roll back"]);
        let loaded = same.build_or_load(Some(bytes)).unwrap();
        assert!(loaded.is_stored());
        let doc = Document::new("We roll back.");
        let mut n = 0;
        loaded.find(&doc, |_, _| n += 1);
        assert_eq!(n, 1);
        let mut other = PhraseSet::builder();
        other.add(0u8, &["roll forward"]);
        assert!(!other.build_or_load(Some(bytes)).unwrap().is_stored());
    }

    #[test]
    fn unicode_words_are_units() {
        assert_eq!(matched("café", "the café opened"), Some("café".into()));
        assert_eq!(matched("caf", "the café opened"), None);
    }
}
