//! A set of phrase templates compiled once, each tagged with the keys (signals, cue kinds,
//! concepts) it belongs to. The first word of every template (two where the first is common) goes
//! into one Aho-Corasick automaton, run anchored at each word of the answer; where an anchor
//! matches, the templates it starts are matched there, on
//! the document's lower-cased normalised text. Matching is on whole words, and a template shared
//! by two keys, or nested in a longer one, counts for each.

use std::collections::HashMap;
use std::ops::Range;

use aho_corasick::automaton::OverlappingState;
use aho_corasick::{
    AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Anchored, Input, MatchKind, StartKind,
};

use crate::pack::template::Template;
use crate::text::Document;

/// A template with more two-word starts than this is anchored on its first word alone.
const MAX_ANCHORS_PER_TEMPLATE: usize = 512;

/// Words so frequent in answers that a template starting with one is anchored on its first two
/// words instead.
fn is_common_word(w: &str) -> bool {
    matches!(
        w,
        "a" | "an"
            | "the"
            | "our"
            | "my"
            | "we"
            | "i"
            | "to"
            | "of"
            | "in"
            | "on"
            | "it"
            | "that"
            | "this"
            | "and"
            | "for"
            | "with"
            | "was"
            | "is"
            | "be"
            | "they"
            | "their"
            | "at"
            | "by"
            | "from"
            | "as"
            | "so"
            | "no"
            | "not"
            | "had"
            | "have"
            | "were"
            | "are"
            | "all"
            | "but"
            | "or"
            | "i'd"
            | "i'm"
            | "we'd"
            | "we're"
            | "it's"
            | "into"
            | "he"
            | "she"
            | "his"
            | "her"
            | "them"
            | "us"
            | "me"
            | "what"
            | "when"
            | "which"
            | "who"
            | "more"
            | "very"
            | "just"
            | "been"
            | "did"
            | "do"
            | "then"
            | "there"
            | "out"
            | "up"
    )
}

/// Phrases compiled for matching, each tagged with keys of type `K`.
#[derive(Debug, Clone)]
pub struct PhraseSet<K> {
    anchors: Option<AhoCorasick>,
    /// For each anchor word, the templates it starts.
    anchored: Vec<Vec<u32>>,
    templates: Vec<Template>,
    /// For each template, the keys it belongs to.
    owners: Vec<Vec<K>>,
    phrasings: usize,
}

/// Collects templates before compiling them.
#[derive(Debug)]
pub struct PhraseSetBuilder<K> {
    index: HashMap<String, usize>,
    templates: Vec<Template>,
    owners: Vec<Vec<K>>,
}

impl<K: Copy + PartialEq> Default for PhraseSetBuilder<K> {
    fn default() -> Self {
        PhraseSetBuilder {
            index: HashMap::new(),
            templates: Vec::new(),
            owners: Vec::new(),
        }
    }
}

impl<K: Copy + PartialEq> PhraseSetBuilder<K> {
    /// Adds the templates under `key`.
    pub fn add(&mut self, key: K, templates: &[String]) -> Result<(), String> {
        for t in templates {
            let i = match self.index.get(t.as_str()) {
                Some(&i) => i,
                None => {
                    let parsed = Template::parse(t).map_err(|e| format!("template {t:?}: {e}"))?;
                    self.templates.push(parsed);
                    self.owners.push(Vec::new());
                    self.index.insert(t.clone(), self.templates.len() - 1);
                    self.templates.len() - 1
                }
            };
            if !self.owners[i].contains(&key) {
                self.owners[i].push(key);
            }
        }
        Ok(())
    }

    /// Compiles the anchor automaton.
    pub fn build(self) -> PhraseSet<K> {
        let mut words: HashMap<String, usize> = HashMap::new();
        let mut anchor_words: Vec<String> = Vec::new();
        let mut anchored: Vec<Vec<u32>> = Vec::new();
        let mut phrasings = 0usize;
        for (ti, t) in self.templates.iter().enumerate() {
            phrasings = phrasings.saturating_add(t.count());
            let mut anchors = t.anchors(is_common_word);
            if anchors.len() > MAX_ANCHORS_PER_TEMPLATE {
                anchors = t.first_words();
            }
            for w in anchors {
                let wi = *words.entry(w.clone()).or_insert_with(|| {
                    anchor_words.push(w);
                    anchored.push(Vec::new());
                    anchored.len() - 1
                });
                anchored[wi].push(ti as u32);
            }
        }
        let anchors = if anchor_words.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .start_kind(StartKind::Anchored)
                    // A contiguous NFA builds several times faster than a DFA, and anchored
                    // searches walk only a few bytes a word, so the DFA's speed buys nothing.
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .build(&anchor_words)
                    .expect("anchor words are plain literals"),
            )
        };
        PhraseSet {
            anchors,
            anchored,
            templates: self.templates,
            owners: self.owners,
            phrasings,
        }
    }
}

impl<K: Copy + PartialEq> PhraseSet<K> {
    /// Starts a set.
    pub fn builder() -> PhraseSetBuilder<K> {
        PhraseSetBuilder::default()
    }

    /// How many distinct templates the set holds.
    pub fn len(&self) -> usize {
        self.templates.len()
    }

    /// Whether the set holds no template.
    pub fn is_empty(&self) -> bool {
        self.templates.is_empty()
    }

    /// How many phrasings the templates stand for (each combination of alternatives counts).
    pub fn phrasings(&self) -> usize {
        self.phrasings
    }

    /// Calls `f` for every whole-word match in the document, in order of start: each template's
    /// longest match at each place it matches.
    pub fn find(&self, doc: &Document<'_>, mut f: impl FnMut(K, Range<usize>)) {
        let Some(ac) = &self.anchors else {
            return;
        };
        let text = doc.lower();
        let mut candidates: Vec<(usize, u32)> = Vec::new();
        // Anchors only start where a word does, so the automaton runs anchored at each token
        // start: a few bytes of trie walk a word instead of a scan of every byte.
        for token in doc.tokens() {
            let start = token.start as usize;
            let input = Input::new(text)
                .span(start..text.len())
                .anchored(Anchored::Yes);
            let mut state = OverlappingState::start();
            loop {
                ac.find_overlapping(input.clone(), &mut state);
                let Some(m) = state.get_match() else { break };
                for &t in &self.anchored[m.pattern().as_usize()] {
                    candidates.push((start, t));
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        for (start, t) in candidates {
            if let Some(end) = self.templates[t as usize].match_at(text, start) {
                for &k in &self.owners[t as usize] {
                    f(k, start..end);
                }
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
        let mut b = PhraseSet::builder();
        b.add(0u8, &["couldn't finish".to_string()]).unwrap();
        let set = b.build();
        let doc = Document::new("Engineering couldn\u{2019}t finish it.");
        let mut n = 0;
        set.find(&doc, |_, _| n += 1);
        assert_eq!(n, 1);
    }
}
