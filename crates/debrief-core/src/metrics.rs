//! What an answer measures: words, speaking time, quantities, I and we. Fillers and hedges are
//! counted by the pack's signals that carry `metric = "fillers"` or `"hedges"`.

use std::ops::Range;
use std::sync::OnceLock;

use regex_automata::dfa::{dense, Automaton};
use regex_automata::{Anchored, Input};
use serde::{Deserialize, Serialize};

use crate::pack::phrases::{pack_word, packed_word};
use crate::pack::MetricKind;
use crate::text::{Document, TokenKind};

/// Words a minute at an interview's speaking pace.
pub const WORDS_PER_MINUTE: f64 = 150.0;

/// The metrics of one answer (PRODUCT.md's `metrics` object).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metrics {
    /// Words.
    pub words: usize,
    /// Sentences.
    pub sentences: usize,
    /// Seconds to say it at 150 words a minute.
    pub speaking_seconds: usize,
    /// Numbers with a unit: 80 ms, 99.99%, 10x, p99, 2 Tbps.
    pub quantities: usize,
    /// I, me, my, mine, myself.
    pub first_person_singular: usize,
    /// We, us, our, ours, ourselves.
    pub first_person_plural: usize,
    /// Filler words.
    pub fillers: usize,
    /// Hedges.
    pub hedges: usize,
}

impl Metrics {
    /// The value of one metric.
    pub fn get(&self, kind: MetricKind) -> f64 {
        (match kind {
            MetricKind::Words => self.words,
            MetricKind::Sentences => self.sentences,
            MetricKind::SpeakingSeconds => self.speaking_seconds,
            MetricKind::Quantities => self.quantities,
            MetricKind::FirstPersonSingular => self.first_person_singular,
            MetricKind::FirstPersonPlural => self.first_person_plural,
            MetricKind::Fillers => self.fillers,
            MetricKind::Hedges => self.hedges,
        }) as f64
    }
}

/// Bytes aligned for a DFA to be read where they lie.
#[repr(C, align(4))]
struct Aligned<B: ?Sized>(B);

/// Numbers tied to a technical, reliability or time unit (`quantity.re`). A bare number ("3
/// engineers") is not a quantity: the committee wants outcomes in ms, %, x and req/s. Compiled by
/// the build script into a DFA that matches from a given start, in this target's byte order:
/// compiling the regex on the first check took a sixth of the instructions of a `debrief check`.
static QUANTITY_DFA: &Aligned<[u8]> =
    &Aligned(*include_bytes!(concat!(env!("OUT_DIR"), "/quantity.dfa")));

fn quantity_dfa() -> &'static dense::DFA<&'static [u32]> {
    static DFA: OnceLock<dense::DFA<&'static [u32]>> = OnceLock::new();
    DFA.get_or_init(|| {
        dense::DFA::from_bytes(&QUANTITY_DFA.0)
            .expect("the build script wrote the quantity DFA for this target")
            .0
    })
}

/// The quantity regex compiled at run time, as the tests' reference: a whole-text scan with it
/// finds what the DFA run at each possible start finds.
#[cfg(test)]
fn quantity_regex() -> &'static regex_automata::meta::Regex {
    static RE: OnceLock<regex_automata::meta::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        crate::engine::patterns(&[include_str!("quantity.re")])
            .expect("the quantity regex is valid")
    })
}

/// The normalised ranges of every quantity in the document (what [`measure`] finds).
pub fn quantities(doc: &Document<'_>) -> Vec<Range<usize>> {
    measure(doc).1
}

/// Finds quantities at the places it is asked to try, in order.
///
/// Every quantity starts a word with a digit, `p` or `tp` and a digit, or a spelled-out number
/// of nines, so the regex runs anchored at those few places only; the matches are the same as a
/// scan of the whole text would find (leftmost first, none overlapping).
struct QuantityFinder<'d> {
    norm: &'d str,
    lower: &'d [u8],
    found: Vec<Range<usize>>,
    /// Where the last quantity ended: none starts before it.
    next: usize,
}

impl<'d> QuantityFinder<'d> {
    fn new(doc: &'d Document<'_>) -> Self {
        QuantityFinder {
            norm: doc.norm(),
            lower: doc.lower().as_bytes(),
            found: Vec::new(),
            next: 0,
        }
    }

    /// Runs the regex anchored at byte `i` if a quantity can start there.
    fn try_at(&mut self, i: usize) {
        let lower = self.lower;
        if i < self.next || !MAY_START[lower[i] as usize] || !may_start_quantity(lower, i) {
            return;
        }
        let input = Input::new(self.norm)
            .span(i..lower.len())
            .anchored(Anchored::Yes);
        // The DFA reads no further than the match needs; it never gives up on this regex.
        if let Ok(Some(m)) = quantity_dfa().try_search_fwd(&input) {
            self.found.push(i..m.offset());
            self.next = m.offset();
        }
    }

    /// In ASCII text a quantity starts at the start of a word or number, or right after a
    /// joiner inside one ("rate-2x"): tries the token at `start..end`, `packed` being its
    /// [`packed_word`] or 0.
    #[inline]
    fn try_token(&mut self, start: usize, end: usize, joined: bool, packed: u64) {
        let lower = self.lower;
        // Punctuation passes no test here and holds no joiner: no branch on the kind.
        if may_start_at_token(lower, start, packed) {
            self.try_at(start);
        }
        if joined {
            for (j, &b) in lower[start..end - 1].iter().enumerate() {
                if !b.is_ascii_alphanumeric() && b != b'_' {
                    self.try_at(start + j + 1);
                }
            }
        }
    }

    /// Elsewhere a letter such as "é" is no ASCII word character either: tries every byte a
    /// quantity can start with.
    fn try_every_byte(&mut self) {
        let lower = self.lower;
        let mut i = 0;
        while i < lower.len() {
            let Some(skip) = lower[i..].iter().position(|&b| MAY_START[b as usize]) else {
                break;
            };
            self.try_at(i + skip);
            i += skip + 1;
        }
    }
}

/// The bytes a quantity can start with (lower case).
static MAY_START: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = b'0';
    while b <= b'9' {
        table[b as usize] = true;
        b += 1;
    }
    table[b'p' as usize] = true;
    table[b't' as usize] = true;
    table[b'f' as usize] = true;
    table
};

/// Two, three, four and five, as [`packed_word`] integers: "four nines".
const NINES: [u64; 4] = [
    pack_word(b"two"),
    pack_word(b"three"),
    pack_word(b"four"),
    pack_word(b"five"),
];

/// A first test of whether a quantity can start at the token starting at `start`, whose
/// [`packed_word`] is `key` (0 if it has none): it starts with a digit, with `p` or `tp` and a
/// digit, or is a number said in words. Combined without short-circuits: which tokens pass is
/// unpredictable, and few do.
#[inline]
fn may_start_at_token(lower: &[u8], start: usize, key: u64) -> bool {
    let at = |k: usize| lower.get(start + k).copied().unwrap_or(0);
    let (b0, b1, b2) = (at(0), at(1), at(2));
    b0.is_ascii_digit()
        | (b0 == b'p') & b1.is_ascii_digit()
        | (b0 == b't') & (b1 == b'p') & b2.is_ascii_digit()
        | NINES.iter().fold(false, |any, &n| any | (n == key))
}

/// Whether a quantity can start at byte `i` of the lower-cased text.
fn may_start_quantity(lower: &[u8], i: usize) -> bool {
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    if i > 0 && is_word(lower[i - 1]) {
        return false;
    }
    let rest = &lower[i..];
    let digit_at = |k: usize| rest.get(k).is_some_and(u8::is_ascii_digit);
    match rest[0] {
        b'0'..=b'9' => true,
        b'p' => digit_at(1),
        b't' => {
            (rest.starts_with(b"tp") && digit_at(2))
                || rest.starts_with(b"two")
                || rest.starts_with(b"three")
        }
        b'f' => rest.starts_with(b"four") || rest.starts_with(b"five"),
        _ => false,
    }
}

/// I, me, my, mine, myself, as [`packed_word`] integers.
const SINGULAR: [u64; 5] = [
    pack_word(b"i"),
    pack_word(b"me"),
    pack_word(b"my"),
    pack_word(b"mine"),
    pack_word(b"myself"),
];

/// We, us, our, ours (ourselves is nine letters long), as [`packed_word`] integers.
const PLURAL: [u64; 4] = [
    pack_word(b"we"),
    pack_word(b"us"),
    pack_word(b"our"),
    pack_word(b"ours"),
];

/// Multiplies a packed word for its slot in [`PRONOUNS`] (the top six bits of the product).
const PRONOUN_HASH: u64 = 0x9e37_79b9_7f4a_7c15;

const fn pronoun_slot(key: u64) -> usize {
    (key.wrapping_mul(PRONOUN_HASH) >> 58) as usize
}

/// The first-person pronouns by a perfect hash of their packed words: each one's slot holds it
/// and 1 (singular) or 2 (plural); every other slot holds a key no word has (byte 0xff never
/// occurs in UTF-8 text) and 0. One load and one comparison a token instead of nine.
static PRONOUNS: [(u64, u8); 64] = {
    let mut table = [(u64::MAX, 0u8); 64];
    let mut i = 0;
    while i < SINGULAR.len() + PLURAL.len() {
        let (key, number) = if i < SINGULAR.len() {
            (SINGULAR[i], 1)
        } else {
            (PLURAL[i - SINGULAR.len()], 2)
        };
        let slot = pronoun_slot(key);
        assert!(
            table[slot].1 == 0,
            "two pronouns share a slot: change PRONOUN_HASH"
        );
        table[slot] = (key, number);
        i += 1;
    }
    table
};

/// The index of the first apostrophe among the eight bytes of `word`, or 8.
fn first_apostrophe(word: u64) -> u32 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let x = word ^ (ONES * u64::from(b'\''));
    // The lowest flagged byte is exactly the first zero byte of `x` (bytes above it may be
    // flagged falsely by the borrow, which does not matter here).
    (x.wrapping_sub(ONES) & !x & HIGHS).trailing_zeros() / 8
}

/// Masks of the lowest `n` bytes of a word, for `n` from 0 to 8: a load, where a shift by 64
/// would need a test.
const LOW_BYTES: [u64; 9] = {
    let mut masks = [0u64; 9];
    let mut n = 1;
    while n < 9 {
        masks[n] = (masks[n - 1] << 8) | 0xff;
        n += 1;
    }
    masks
};

/// Measures a document and finds its quantities, in one pass over its tokens. Fillers and
/// hedges are left at zero for the caller to fill.
pub fn measure(doc: &Document<'_>) -> (Metrics, Vec<Range<usize>>) {
    let lower = doc.lower().as_bytes();
    let ascii = lower.is_ascii();
    let mut quantities = QuantityFinder::new(doc);
    let mut singular = 0;
    let mut plural = 0;
    let mut words = 0;
    for t in doc.tokens() {
        words += usize::from(t.kind != TokenKind::Punct);
        let (start, end) = (t.start as usize, t.end as usize);
        let packed = packed_word(lower, start, end);
        if ascii {
            quantities.try_token(start, end, t.joined, packed.unwrap_or(0));
        }
        // Compared as whole integers, without a branch a token: answers are mostly not pronouns,
        // but which tokens are is unpredictable. Numbers and punctuation never equal one.
        let Some(word) = packed else {
            // Longer than eight bytes: only "ourselves", before any apostrophe, counts.
            let word = &lower[start..end];
            let cut = word.iter().position(|&b| b == b'\'').unwrap_or(word.len());
            plural += usize::from(t.kind == TokenKind::Word && &word[..cut] == b"ourselves");
            continue;
        };
        // "I'm", "we're": the pronoun is the part before the apostrophe.
        let key = word & LOW_BYTES[first_apostrophe(word) as usize];
        let (pronoun, number) = PRONOUNS[pronoun_slot(key)];
        let hit = pronoun == key;
        singular += usize::from(hit & (number == 1));
        plural += usize::from(hit & (number == 2));
    }
    if !ascii {
        quantities.try_every_byte();
    }
    let metrics = Metrics {
        words,
        sentences: doc.sentences().len(),
        speaking_seconds: (words as f64 * 60.0 / WORDS_PER_MINUTE).round() as usize,
        quantities: quantities.found.len(),
        first_person_singular: singular,
        first_person_plural: plural,
        fillers: 0,
        hedges: 0,
    };
    (metrics, quantities.found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    fn found(text: &str) -> Vec<String> {
        let doc = Document::new(text);
        quantities(&doc)
            .into_iter()
            .map(|r| doc.norm_slice(r).to_string())
            .collect()
    }

    #[test]
    fn technical_quantities_are_found() {
        assert_eq!(
            found("p99 fell from 340 ms to 90ms, errors dropped 0.02% and we load tested at 10x with 2 Tbps."),
            vec!["p99", "340 ms", "90ms", "0.02%", "10x", "2 Tbps"]
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 3000, ..Default::default() })]
        /// Running the regex only where a quantity can start finds what a scan of the whole
        /// text finds.
        #[test]
        fn anchored_quantities_equal_a_whole_text_scan(
            words in proptest::collection::vec(
                proptest::prop_oneof![
                    "[0-9]{1,4}([.,][0-9]{1,2})?",
                    proptest::sample::select(vec![
                        "ms", "%", "x", "k", "rps", "req/s", "Gbps", "p99", "tp95", "P50", "two",
                        "Three", "four", "five", "nines", "nine", "minutes", "h", "times", "×",
                        "é5", "v2", "a1", "_3", "rate-2x", "x10", "10x", "the", "top", "fix", "\n",
                        "two nines", "Four nines", "x-three nines", "fives nines", "twos",
                    ]).prop_map(str::to_string),
                    "[a-z]{1,6}",
                    "[ .,;:()-]",
                ],
                0..40,
            ),
            glue in proptest::collection::vec(proptest::bool::ANY, 40),
        ) {
            let mut text = String::new();
            for (w, g) in words.iter().zip(&glue) {
                text.push_str(w);
                if *g {
                    text.push(' ');
                }
            }
            let doc = Document::new(&text);
            let whole: Vec<Range<usize>> =
                quantity_regex().find_iter(doc.norm()).map(|m| m.range()).collect();
            proptest::prop_assert_eq!(quantities(&doc), whole);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]
        /// The integer comparisons count what comparing each word's text would.
        #[test]
        fn pronoun_counts_equal_a_word_by_word_reading(
            words in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(vec![
                        "I", "i", "me", "My", "mine", "myself", "we", "We're", "I'm", "us", "our",
                        "ours", "ourselves", "Ourselves", "mine's", "ourselvesx", "ourselves's", "myselfs'", "o", "m", "w",
                        "i'd", "we've", "use", "mean", "wee", "ou", "iso", "my-team", "x\u{e9}",
                    ]).prop_map(str::to_string),
                    "[a-z]{1,10}",
                    "[.,;!?]",
                ],
                0..40,
            ),
        ) {
            let text = words.join(" ");
            let doc = Document::new(&text);
            let m = measure(&doc).0;
            let (mut singular, mut plural) = (0, 0);
            for t in doc.tokens().iter().filter(|t| t.kind == TokenKind::Word) {
                let w = &doc.lower()[t.range()];
                match w.split('\'').next().unwrap_or("") {
                    "i" | "me" | "my" | "mine" | "myself" => singular += 1,
                    "we" | "us" | "our" | "ours" | "ourselves" => plural += 1,
                    _ => {}
                }
            }
            proptest::prop_assert_eq!(
                (m.first_person_singular, m.first_person_plural),
                (singular, plural)
            );
        }
    }

    #[test]
    fn bare_counts_are_not_quantities() {
        assert!(found("I worked with 3 engineers and 2 designers on version 2.").is_empty());
    }

    #[test]
    fn nines_and_request_rates_count() {
        assert_eq!(
            found("We held four nines at 40k rps over 12 minutes."),
            vec!["four nines", "40k rps", "12 minutes"]
        );
    }

    #[test]
    fn first_person_counts_include_contractions() {
        let doc =
            Document::new("I'm sure my team and I did it; we're proud of our work, and so am I.");
        let m = measure(&doc).0;
        assert_eq!(m.first_person_singular, 4);
        assert_eq!(m.first_person_plural, 2);
        assert_eq!(m.words, 17);
    }

    #[test]
    fn speaking_time_is_at_150_words_a_minute() {
        let text = "word ".repeat(300);
        let doc = Document::new(&text);
        assert_eq!(measure(&doc).0.speaking_seconds, 120);
    }
}
