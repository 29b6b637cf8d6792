//! A set of phrase templates compiled once into one Aho-Corasick automaton, each phrase tagged with
//! the keys (signals, cue kinds, concepts) it belongs to. Matching is ASCII case-insensitive, on
//! whole words, over a [`Document`]'s normalised text, and reports overlapping matches so that a
//! phrase shared by two signals, or nested in a longer one, counts for each.

use std::collections::HashMap;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::pack::template;
use crate::text::Document;

/// Phrases compiled for matching, each tagged with keys of type `K`.
#[derive(Debug, Clone)]
pub struct PhraseSet<K> {
    automaton: Option<AhoCorasick>,
    /// For each compiled pattern, the keys it belongs to.
    owners: Vec<Vec<K>>,
}

/// Collects templates before compiling them.
#[derive(Debug)]
pub struct PhraseSetBuilder<K> {
    index: HashMap<String, usize>,
    patterns: Vec<String>,
    owners: Vec<Vec<K>>,
}

impl<K: Copy + PartialEq> Default for PhraseSetBuilder<K> {
    fn default() -> Self {
        PhraseSetBuilder {
            index: HashMap::new(),
            patterns: Vec::new(),
            owners: Vec::new(),
        }
    }
}

impl<K: Copy + PartialEq> PhraseSetBuilder<K> {
    /// Adds the phrases of `templates` under `key`.
    pub fn add(&mut self, key: K, templates: &[String]) -> Result<(), String> {
        for t in templates {
            for phrase in template::expand(t)? {
                self.add_phrase(key, phrase);
            }
        }
        Ok(())
    }

    /// Adds literal phrases (already lower case) under `key`.
    pub fn add_literals(&mut self, key: K, phrases: &[&str]) {
        for p in phrases {
            self.add_phrase(key, template::normalize(p));
        }
    }

    fn add_phrase(&mut self, key: K, phrase: String) {
        let i = *self.index.entry(phrase.clone()).or_insert_with(|| {
            self.patterns.push(phrase);
            self.owners.push(Vec::new());
            self.patterns.len() - 1
        });
        if !self.owners[i].contains(&key) {
            self.owners[i].push(key);
        }
    }

    /// Compiles the automaton.
    pub fn build(self) -> PhraseSet<K> {
        let automaton = if self.patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&self.patterns)
                    .expect("phrase patterns are plain literals"),
            )
        };
        PhraseSet {
            automaton,
            owners: self.owners,
        }
    }
}

impl<K: Copy + PartialEq> PhraseSet<K> {
    /// Starts a set.
    pub fn builder() -> PhraseSetBuilder<K> {
        PhraseSetBuilder::default()
    }

    /// How many distinct phrases the set holds.
    pub fn len(&self) -> usize {
        self.owners.len()
    }

    /// Whether the set holds no phrase.
    pub fn is_empty(&self) -> bool {
        self.owners.is_empty()
    }

    /// Calls `f` for every whole-word match in the document's normalised text, in order of end.
    pub fn find(&self, doc: &Document<'_>, mut f: impl FnMut(K, Range<usize>)) {
        let Some(ac) = &self.automaton else {
            return;
        };
        for m in ac.find_overlapping_iter(doc.norm()) {
            if !doc.is_word_bounded(m.start(), m.end()) {
                continue;
            }
            for &k in &self.owners[m.pattern().as_usize()] {
                f(k, m.start()..m.end());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_whole_words_case_insensitively() {
        let mut b = PhraseSet::builder();
        b.add(1u8, &["roll back".to_string()]).unwrap();
        let set = b.build();
        let doc = Document::new("We ROLL BACK; not scroll backwards.");
        let mut hits = Vec::new();
        set.find(&doc, |k, r| hits.push((k, doc.norm_slice(r).to_string())));
        assert_eq!(hits, vec![(1, "ROLL BACK".to_string())]);
    }

    #[test]
    fn shared_and_nested_phrases_count_for_each_key() {
        let mut b = PhraseSet::builder();
        b.add(1u8, &["rolled back".to_string()]).unwrap();
        b.add(2u8, &["{rolled back|reverted} the release".to_string()])
            .unwrap();
        b.add(3u8, &["rolled back".to_string()]).unwrap();
        let set = b.build();
        assert_eq!(set.len(), 3);
        let doc = Document::new("I rolled back the release.");
        let mut keys = Vec::new();
        set.find(&doc, |k, _| keys.push(k));
        keys.sort();
        assert_eq!(keys, vec![1, 2, 3]);
    }

    #[test]
    fn curly_apostrophes_in_text_match_straight_ones_in_phrases() {
        let mut b = PhraseSet::builder();
        b.add(0u8, &["couldn't finish".to_string()]).unwrap();
        let set = b.build();
        let doc = Document::new("Engineering couldn\u{2019}t finish it.");
        let mut n = 0;
        set.find(&doc, |_, _| n += 1);
        assert_eq!(n, 1);
    }
}
