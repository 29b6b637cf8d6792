//! The document model: an answer's text normalised for matching, its tokens, sentences and
//! clauses, and the map from normalised offsets back to the user's bytes.
//!
//! Matching runs on a normalised copy (runs of white space folded to one space, paragraph and
//! list breaks kept as a newline, curly apostrophes made straight) so that a phrase split across a
//! wrapped line still matches. Every span a user sees is mapped back to the original bytes through
//! [`Document::original`], never found again by searching (that is how line numbers go wrong).

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use crate::span::{ByteSpan, LineIndex};

/// The kind of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Letters, possibly with inner apostrophes, hyphens, dots or digits: `don't`, `p99`, `v2.1`.
    Word,
    /// A number, possibly with inner dots or commas: `99.9`, `10,000`.
    Number,
    /// Any other visible character.
    Punct,
}

/// A token of the normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Its kind.
    pub kind: TokenKind,
    /// Start, in bytes of the normalised text.
    pub start: u32,
    /// End (exclusive), in bytes of the normalised text.
    pub end: u32,
    /// Whether inner joiners (`'` `-` `.` `,` `/`) hold its parts together: "don't", "99.9".
    pub joined: bool,
}

impl Token {
    /// The byte range in the normalised text.
    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A sentence or a clause: a range of tokens and of normalised bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit {
    /// Start, in bytes of the normalised text.
    pub start: usize,
    /// End (exclusive), in bytes of the normalised text.
    pub end: usize,
    /// Index of its sentence (for a sentence, itself).
    pub sentence: usize,
}

/// An answer, analysed for matching.
#[derive(Debug)]
pub struct Document<'a> {
    text: &'a str,
    norm: String,
    /// `norm` lower-cased without changing any byte offset.
    lower: String,
    /// Where the normalised text came from: [`Segments`].
    segments: Segments,
    tokens: Vec<Token>,
    sentences: Vec<Unit>,
    clauses: Vec<Unit>,
    /// Ranges of the normalised text inside quotation marks.
    quoted: Vec<Range<usize>>,
    lines: LineIndex,
}

/// The buffers of a document judged before on this thread, kept for the next one. A document
/// is a handful of buffers of a few kilobytes each, and glibc's work for blocks that size
/// (searching its bins, merging freed neighbours) was 11% of the mispredicted branches of
/// judging an answer. Buffers larger than [`SPARE_MAX`] bytes are freed: a rare long answer does
/// not pin its memory to the thread.
#[derive(Default)]
struct Spare {
    norm: String,
    lower: String,
    segments: Vec<(u32, u32)>,
    tokens: Vec<Token>,
    sentences: Vec<Unit>,
    clauses: Vec<Unit>,
    lines: Vec<usize>,
}

/// The most bytes a kept buffer may hold: room for answers of some 16,000 bytes. The analyzer
/// keeps its own per-answer vectors under the same limit ([`reusable`]).
const SPARE_MAX: usize = 64 * 1024;

thread_local! {
    static SPARE: std::cell::Cell<Option<Spare>> = const { std::cell::Cell::new(None) };
}

/// Whether a vector is small enough to keep for the next answer on its thread: at most
/// [`SPARE_MAX`] bytes.
pub(crate) fn reusable<T>(v: &Vec<T>) -> bool {
    v.capacity() * std::mem::size_of::<T>() <= SPARE_MAX
}

/// A vector emptied for reuse, or a new one if it is not [`reusable`].
fn kept<T>(mut v: Vec<T>) -> Vec<T> {
    if !reusable(&v) {
        return Vec::new();
    }
    v.clear();
    v
}

/// [`kept`] for a string.
fn kept_string(s: &mut String) -> String {
    let mut s = std::mem::take(s);
    if s.capacity() > SPARE_MAX {
        return String::new();
    }
    s.clear();
    s
}

impl<'a> Document<'a> {
    /// Analyses `text`.
    pub fn new(text: &'a str) -> Document<'a> {
        let spare = SPARE
            .try_with(|s| s.take())
            .unwrap_or_default()
            .unwrap_or_default();
        let Normalized {
            norm,
            lower,
            segments,
            quoted,
        } = normalize(text, spare.norm, spare.lower, spare.segments);
        let tokens = tokenize(&norm, spare.tokens);
        let sentences = split_sentences(&norm, spare.sentences);
        let clauses = split_clauses(&norm, &lower, &tokens, &sentences, spare.clauses);
        Document {
            text,
            lines: LineIndex::new_in(text, spare.lines),
            lower,
            norm,
            segments,
            tokens,
            sentences,
            clauses,
            quoted,
        }
    }
    /// The user's text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The normalised text that phrases are matched on.
    pub fn norm(&self) -> &str {
        &self.norm
    }

    /// The normalised text in lower case, byte for byte aligned with [`Document::norm`].
    pub fn lower(&self) -> &str {
        &self.lower
    }

    /// The tokens of the normalised text.
    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// The sentences, in order.
    pub fn sentences(&self) -> &[Unit] {
        &self.sentences
    }

    /// The clauses, in order.
    pub fn clauses(&self) -> &[Unit] {
        &self.clauses
    }

    /// The line index of the user's text.
    pub fn lines(&self) -> &LineIndex {
        &self.lines
    }

    /// Maps a range of the normalised text to the user's bytes.
    pub fn original(&self, range: Range<usize>) -> ByteSpan {
        let start = self.source(range.start);
        if range.end <= range.start {
            return ByteSpan::new(start, start);
        }
        // The last normalised byte came from the character starting at `last`; the span ends
        // right after that character, whatever its length in the user's text.
        let last = self.source(range.end - 1);
        let last_len = self.text[last..].chars().next().map_or(0, char::len_utf8);
        ByteSpan::new(start, last + last_len)
    }

    /// The user's byte offset of the character holding byte `at` of the normalised text (at
    /// most its length, which maps to the end of the user's text).
    fn source(&self, at: usize) -> usize {
        let mut at = at.min(self.norm.len());
        while !self.norm.is_char_boundary(at) {
            at -= 1;
        }
        self.segments.source(at)
    }

    /// The text of a normalised range.
    pub fn norm_slice(&self, range: Range<usize>) -> &str {
        &self.norm[range]
    }

    /// The index of the token that starts at or after `offset` in the normalised text.
    pub fn token_at(&self, offset: usize) -> usize {
        self.tokens.partition_point(|t| (t.start as usize) < offset)
    }

    /// How many word or number tokens lie inside the normalised range.
    pub fn words_between(&self, range: Range<usize>) -> usize {
        let a = self.token_at(range.start);
        let b = self.token_at(range.end);
        self.tokens[a..b]
            .iter()
            .filter(|t| t.kind != TokenKind::Punct)
            .count()
    }

    /// The index of the clause holding the normalised offset.
    pub fn clause_of(&self, offset: usize) -> usize {
        unit_of(&self.clauses, offset)
    }

    /// The index of the sentence holding the normalised offset.
    pub fn sentence_of(&self, offset: usize) -> usize {
        unit_of(&self.sentences, offset)
    }

    /// Whether the normalised offset lies inside quotation marks.
    pub fn is_quoted(&self, offset: usize) -> bool {
        self.quoted.iter().any(|q| q.contains(&offset))
    }

    /// Whether the sentence is a question.
    pub fn is_question(&self, sentence: usize) -> bool {
        let s = &self.sentences[sentence];
        self.norm[s.start..s.end]
            .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '"' | '\u{201d}' | ')'))
            .ends_with('?')
    }

    /// The words of the answer (word and number tokens).
    pub fn word_count(&self) -> usize {
        self.tokens
            .iter()
            .filter(|t| t.kind != TokenKind::Punct)
            .count()
    }

    /// The normalised range covering the words past the `n`th, if there are more than `n`.
    pub fn words_after(&self, n: usize) -> Option<Range<usize>> {
        let mut seen = 0;
        for t in &self.tokens {
            if t.kind != TokenKind::Punct {
                seen += 1;
                if seen == n + 1 {
                    return Some(t.start as usize..self.norm.trim_end().len());
                }
            }
        }
        None
    }
}

fn unit_of(units: &[Unit], offset: usize) -> usize {
    let i = units.partition_point(|u| u.end <= offset);
    i.min(units.len().saturating_sub(1))
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// An ASCII byte the normaliser copies unchanged: not white space, not a double quote.
const PLAIN: u8 = 1;
/// An ASCII letter, digit or `_`: a word character.
const WORD: u8 = 2;
/// An ASCII digit.
const DIGIT: u8 = 4;
/// A character that may join two parts of a token: `'` `-` `.` `,` `/`.
const JOINER: u8 = 8;

/// The class bits of every byte, so the ASCII fast paths take one lookup per byte. Bytes from
/// 0x80 up have no bits: they start or continue a multi-byte character, read on the slow path.
static CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x80 {
        let c = b as u8;
        let mut class = 0;
        if !c.is_ascii_whitespace() && c != b'"' {
            class |= PLAIN;
        }
        if c.is_ascii_alphanumeric() || c == b'_' {
            class |= WORD;
        }
        if c.is_ascii_digit() {
            class |= DIGIT;
        }
        if matches!(c, b'\'' | b'-' | b'.' | b',' | b'/') {
            class |= JOINER;
        }
        table[b] = class;
        b += 1;
    }
    table
};

fn class(b: u8) -> u8 {
    CLASSES[b as usize]
}

impl Drop for Document<'_> {
    fn drop(&mut self) {
        let spare = Spare {
            norm: kept_string(&mut self.norm),
            lower: kept_string(&mut self.lower),
            segments: kept(std::mem::take(&mut self.segments.0)),
            tokens: kept(std::mem::take(&mut self.tokens)),
            sentences: kept(std::mem::take(&mut self.sentences)),
            clauses: kept(std::mem::take(&mut self.clauses)),
            lines: kept(self.lines.take_starts()),
        };
        // While the thread is being torn down there is nowhere to keep them.
        let _ = SPARE.try_with(|s| s.set(Some(spare)));
    }
}

/// Where each character of the normalised text came from in the user's text, kept as the
/// stretches over which the two advance together: `(normalised offset, user's offset)` at the
/// start of each, in order. A stretch ends only where white space was folded or a character was
/// replaced by a shorter one, so an answer has about one a line, where a map of every byte would
/// write four bytes for each byte of the answer.
#[derive(Debug, Default)]
struct Segments(Vec<(u32, u32)>);

impl Segments {
    /// Records that normalised byte `at`, the next one written, came from the user's byte `from`;
    /// a new stretch starts unless that is where the current one leads.
    #[inline]
    fn note(&mut self, at: usize, from: usize) {
        match self.0.last() {
            Some(&(a, f)) if f as usize + (at - a as usize) == from => {}
            _ => self.0.push((at as u32, from as u32)),
        }
    }

    /// The user's offset of normalised offset `at`, a character boundary (or the normalised
    /// text's length).
    fn source(&self, at: usize) -> usize {
        let k = self.0.partition_point(|&(a, _)| a as usize <= at);
        match k.checked_sub(1).map(|k| self.0[k]) {
            Some((a, f)) => f as usize + (at - a as usize),
            None => 0,
        }
    }
}

/// The normalised text and everything read off it while it is built.
struct Normalized {
    norm: String,
    /// `norm` lower-cased without changing any byte offset.
    lower: String,
    /// Where `norm` came from, up to and with its end (the text's end).
    segments: Segments,
    /// Ranges of `norm` inside double quotation marks.
    quoted: Vec<Range<usize>>,
}

/// Folds white space, keeps paragraph and list breaks, straightens apostrophes, and records
/// where the output came from in the input ([`Segments`]). Lower-cases and finds the quoted ranges in the
/// same pass.
///
/// Runs of plain ASCII, with the single spaces between words, are copied whole: a lone space
/// between two visible characters normalises to itself, mapped to its own offset.
fn normalize(
    text: &str,
    mut norm: String,
    mut lower: String,
    segments: Vec<(u32, u32)>,
) -> Normalized {
    let bytes = text.as_bytes();
    let n = bytes.len();
    // Normalising never lengthens the text.
    norm.clear();
    norm.reserve(n);
    lower.clear();
    lower.reserve(n);
    let mut segments = Segments(segments);
    segments.0.clear();
    let mut quoted = Vec::new();
    let mut open: Option<usize> = None;
    let mut line_is_heading = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'#');
    let mut i = 0;
    while i < n {
        let b = bytes[i];
        if class(b) & PLAIN != 0 {
            let start = i;
            i += 1;
            loop {
                while bytes.get(i..i + 8).is_some_and(plain_chunk) {
                    i += 8;
                }
                match bytes.get(i) {
                    Some(&c) if class(c) & PLAIN != 0 => i += 1,
                    Some(b' ') if bytes.get(i + 1).is_some_and(|&c| class(c) & PLAIN != 0) => {
                        i += 2
                    }
                    _ => break,
                }
            }
            let run = &text[start..i];
            segments.note(norm.len(), start);
            norm.push_str(run);
            let from = lower.len();
            lower.push_str(run);
            lower[from..].make_ascii_lowercase();
            continue;
        }
        if b.is_ascii_whitespace() {
            let run_start = i;
            let mut newlines = 0;
            while i < n && bytes[i].is_ascii_whitespace() {
                if bytes[i] == b'\n' {
                    newlines += 1;
                }
                i += 1;
            }
            if norm.is_empty() || i >= n {
                // Leading and trailing white space vanish.
                continue;
            }
            let breaks =
                newlines >= 2 || (newlines == 1 && (line_is_heading || starts_block(&text[i..])));
            let out = if breaks { '\n' } else { ' ' };
            segments.note(norm.len(), run_start);
            norm.push(out);
            lower.push(out);
            if breaks {
                // A quotation never spans a paragraph or list break.
                open = None;
            }
            if newlines > 0 {
                line_is_heading = bytes[i] == b'#';
            }
            continue;
        }
        let at = norm.len();
        if b == b'"' {
            segments.note(at, i);
            norm.push('"');
            lower.push('"');
            match open.take() {
                Some(s) => quoted.push(s..at),
                None => open = Some(at + 1),
            }
            i += 1;
            continue;
        }
        let ch = text[i..].chars().next().expect("in bounds");
        let out = match ch {
            '\u{2019}' | '\u{2018}' => '\'',
            '\u{00a0}' | '\u{2009}' | '\u{202f}' => ' ',
            c => c,
        };
        segments.note(at, i);
        norm.push(out);
        lower.push(lower_same_length(out));
        match out {
            '\u{201c}' => open = Some(at + out.len_utf8()),
            '\u{201d}' => {
                if let Some(s) = open.take() {
                    quoted.push(s..at);
                }
            }
            _ => {}
        }
        i += ch.len_utf8();
    }
    segments.note(norm.len(), n);
    Normalized {
        norm,
        lower,
        segments,
        quoted,
    }
}

/// Whether the normaliser may copy these eight bytes as they are, in the middle of a run of
/// plain bytes: all plain or spaces, no two spaces together, and no space at the end (what
/// follows it is not known here). It errs only towards no: a control character other than
/// white space is plain, but sends the run back to the byte-by-byte test.
fn plain_chunk(chunk: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOWS: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
    // For ASCII bytes: whether any is below 0x20, and whether any is a double quote (zero
    // after the exclusive or); both exact as a yes or no.
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    let q = w ^ (ONES * u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q & HIGHS;
    if (w & HIGHS) | below_space | quote != 0 {
        return false;
    }
    // The high bit of every byte that is a space, exactly.
    let x = w ^ (ONES * u64::from(b' '));
    let spaces = !(((x & LOWS).wrapping_add(LOWS)) | x | LOWS);
    spaces & (spaces << 8) == 0 && spaces >> 56 == 0
}

/// The lower case of a character if it has the same UTF-8 length, so offsets stay valid;
/// otherwise the character itself.
fn lower_same_length(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) if l.len_utf8() == c.len_utf8() => l,
        _ => c,
    }
}

/// Whether a line starts a list item or a heading, which ends the sentence before it.
fn starts_block(line: &str) -> bool {
    let t = line.trim_start();
    if t.starts_with("- ") || t.starts_with("* ") || t.starts_with("+ ") || t.starts_with('#') {
        return true;
    }
    if t.starts_with('\u{2022}') {
        return true;
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0
        && digits < 4
        && matches!(t.as_bytes().get(digits), Some(b'.') | Some(b')'))
        && matches!(t.as_bytes().get(digits + 1), Some(b' '))
}

/// The character starting at byte `at` of `s`, which must be a character boundary.
fn char_at(s: &str, at: usize) -> Option<char> {
    s[at..].chars().next()
}

/// Whether the character at byte `at` is a letter or a digit (false past the end).
fn alphanumeric_at(norm: &str, at: usize) -> bool {
    match norm.as_bytes().get(at) {
        None => false,
        Some(&b) if b < 0x80 => b.is_ascii_alphanumeric(),
        Some(_) => char_at(norm, at).is_some_and(char::is_alphanumeric),
    }
}

/// Whether the joiner at byte `j` continues the token that started at `start`.
fn joins(norm: &str, start: usize, j: usize) -> bool {
    let bytes = norm.as_bytes();
    match bytes[j] {
        // don't, rate-limit
        b'\'' | b'-' => alphanumeric_at(norm, j + 1),
        // A dot or comma joins digits (99.9, 10,000) and dotted versions (v2.1). The token has a
        // character before `j`, and its last byte is an ASCII digit only if the character is.
        b'.' | b',' => {
            bytes.get(j + 1).is_some_and(u8::is_ascii_digit) && bytes[j - 1].is_ascii_digit()
        }
        // req/s, I/O, TCP/IP
        _ => j - start <= 4 && alphanumeric_at(norm, j + 1),
    }
}

/// The end of the run of ASCII word bytes (letters, digits, `_`) that starts at `j`.
///
/// Eight bytes are classed at a time, without a branch a byte: where a word ends is what the
/// processor cannot predict, and most words end within one load.
fn word_run_end(bytes: &[u8], mut j: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `w` whose low seven bits are in `lo..=hi`: with those bits
    // below 0x80 and the added constant at most 0x80, no byte carries into the next.
    let within = |w: u64, lo: u8, hi: u8| {
        let at_least = w.wrapping_add(ONES * u64::from(0x80 - lo));
        let above = w.wrapping_add(ONES * u64::from(0x7f - hi));
        at_least & !above & HIGHS
    };
    while let Some(chunk) = bytes.get(j..j + 8) {
        let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let low = w & !HIGHS;
        let word = (within(low, b'0', b'9')
            | within(low, b'a', b'z')
            | within(low, b'A', b'Z')
            | within(low, b'_', b'_'))
            & !w;
        // Bytes are little-endian: the first non-word byte is the lowest clear high bit.
        let run = (!word & HIGHS).trailing_zeros() as usize / 8;
        j += run;
        if run < 8 {
            return j;
        }
    }
    while j < bytes.len() && class(bytes[j]) & WORD != 0 {
        j += 1;
    }
    j
}

/// Splits the normalised text into tokens.
fn tokenize(norm: &str, mut tokens: Vec<Token>) -> Vec<Token> {
    tokens.clear();
    tokens.reserve(norm.len() / 4);
    let bytes = norm.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b' ' || b == b'\n' {
            i += 1;
            continue;
        }
        let (word, len) = if b < 0x80 {
            (class(b) & WORD != 0, 1)
        } else {
            let ch = char_at(norm, i).expect("in bounds");
            (is_word_char(ch), ch.len_utf8())
        };
        if !word {
            tokens.push(Token {
                kind: TokenKind::Punct,
                start: i as u32,
                end: (i + len) as u32,
                joined: false,
            });
            i += len;
            continue;
        }
        let start = i;
        let mut j = i + len;
        let mut joined = false;
        loop {
            j = word_run_end(bytes, j);
            match bytes.get(j) {
                Some(&c) if c >= 0x80 => match char_at(norm, j) {
                    Some(ch) if is_word_char(ch) => j += ch.len_utf8(),
                    _ => break,
                },
                Some(&c) if class(c) & JOINER != 0 && joins(norm, start, j) => {
                    joined = true;
                    j += 1;
                }
                _ => break,
            }
        }
        // A number is digits, possibly joined (99.9, 10,000, 24/7): it starts with a digit and
        // holds nothing but digits and joiners. Any letter, `_` or non-ASCII character makes a
        // word.
        let token = &bytes[start..j];
        let number =
            token[0].is_ascii_digit() && token.iter().all(|&c| class(c) & (DIGIT | JOINER) != 0);
        tokens.push(Token {
            kind: if number {
                TokenKind::Number
            } else {
                TokenKind::Word
            },
            start: start as u32,
            end: j as u32,
            joined,
        });
        i = j;
    }
    tokens
}

/// Sentences by UAX#29, then repaired: no break after an abbreviation, a break at every
/// paragraph or list break.
fn split_sentences(norm: &str, mut units: Vec<Unit>) -> Vec<Unit> {
    // Room for sentences of some 60 bytes, so the list seldom grows.
    units.clear();
    units.reserve(norm.len() / 60 + 4);
    let mut breaks = Vec::with_capacity(16);
    let mut para_start = 0;
    for para in norm.split('\n') {
        breaks.clear();
        sentence_breaks(para, &mut breaks);
        technical_starts(para, &mut breaks);
        breaks.push(para.len());
        // Sentences of this paragraph in `units` so far: one that ends in an abbreviation takes
        // the next one of the same paragraph in.
        let mut in_para = 0;
        let mut from = 0;
        for &cut in &breaks {
            let part = &para[from..cut];
            let start = para_start + from + (part.len() - part.trim_start().len());
            let end = para_start + from + part.trim_end().len();
            from = cut;
            if end <= start {
                continue;
            }
            if let Some(prev) = units.last_mut().filter(|_| in_para > 0) {
                if ends_with_abbreviation(&norm[prev.start..prev.end]) {
                    prev.end = end;
                    continue;
                }
            }
            units.push(Unit {
                start,
                end,
                sentence: units.len(),
            });
            in_para += 1;
        }
        para_start += para.len() + 1;
    }
    units
}

/// Adds the sentence starts UAX#29 misses in answers: after a full stop that ends a word, a
/// sentence may open with a number ("...came soon. 180 merchants integrated") or a technical
/// word in lower case ("...from the cache. p95 dropped"), where UAX#29 reads on (SB8). Not after
/// an abbreviation ("approx. 40"), a number ("v2. 3") or a single letter. Keeps `breaks` sorted.
fn technical_starts(para: &str, breaks: &mut Vec<usize>) {
    let b = para.as_bytes();
    let mut added = false;
    for (i, _) in para.match_indices(". ") {
        if i < 2 || !b[i - 1].is_ascii_alphabetic() || !b[i - 2].is_ascii_alphabetic() {
            continue;
        }
        let mut m = i + 1;
        while m < b.len() && b[m] == b' ' {
            m += 1;
        }
        let next = &para[m..];
        let word = next.split(' ').next().unwrap_or("");
        let opens = match word.as_bytes().first() {
            Some(c) if c.is_ascii_digit() => true,
            Some(c) if c.is_ascii_lowercase() => word[1..]
                .bytes()
                .any(|c| c.is_ascii_digit() || c.is_ascii_uppercase()),
            _ => false,
        };
        if opens && !ends_with_abbreviation(&para[..=i]) && !breaks.contains(&m) {
            breaks.push(m);
            added = true;
        }
    }
    if added {
        breaks.sort_unstable();
    }
}

/// Adds the offsets inside one paragraph where UAX#29 starts a new sentence to `breaks`.
///
/// ASCII paragraphs, nearly every answer, take a direct reading of UAX#29's sentence rules for
/// the ASCII characters (a property test holds it to unicode-segmentation on random text); any
/// other paragraph is segmented by unicode-segmentation itself.
fn sentence_breaks(para: &str, breaks: &mut Vec<usize>) {
    if para.is_ascii() {
        ascii_sentence_breaks(para.as_bytes(), breaks);
        return;
    }
    breaks.extend(
        para.split_sentence_bound_indices()
            .map(|(i, _)| i)
            .filter(|&i| i > 0),
    );
}

/// UAX#29's sentence boundaries (rules SB6 to SB11) for ASCII text without line breaks. In ASCII,
/// ATerm is `.`, STerm is `!` and `?`, SContinue is `,` `-` `:` `;`, Close is quotes and brackets.
fn ascii_sentence_breaks(b: &[u8], breaks: &mut Vec<usize>) {
    let is_sa_term = |c: u8| matches!(c, b'.' | b'!' | b'?');
    let is_close = |c: u8| matches!(c, b'"' | b'\'' | b'(' | b')' | b'[' | b']' | b'{' | b'}');
    let is_sp = |c: u8| matches!(c, b' ' | b'\t' | b'\x0b' | b'\x0c');
    let is_s_continue = |c: u8| matches!(c, b',' | b'-' | b':' | b';');
    let first = breaks.len();
    let mut i = 0;
    while i < b.len() {
        if !is_sa_term(b[i]) {
            i = next_sa_term(b, i + 1);
            continue;
        }
        let aterm = b[i] == b'.';
        let mut j = i + 1;
        while j < b.len() && is_close(b[j]) {
            j += 1;
        }
        let mut m = j;
        while m < b.len() && is_sp(b[m]) {
            m += 1;
        }
        i += 1;
        if m >= b.len() {
            continue; // the end of the text is not an inner boundary
        }
        let next = b[m];
        // SB6: ATerm × Numeric; SB7: (Upper | Lower) ATerm × Upper.
        if aterm && j == i && m == j {
            if next.is_ascii_digit() {
                continue;
            }
            let before = if i >= 2 { b[i - 2] } else { 0 };
            if before.is_ascii_alphabetic() && next.is_ascii_uppercase() {
                continue;
            }
        }
        // SB8: ATerm Close* Sp* × (¬(OLetter | Upper | Lower | ParaSep | SATerm))* Lower.
        if aterm {
            let mut k = m;
            while k < b.len() && !(b[k].is_ascii_alphabetic() || is_sa_term(b[k])) {
                k += 1;
            }
            if k < b.len() && b[k].is_ascii_lowercase() {
                continue;
            }
        }
        // SB8a: SATerm Close* Sp* × (SContinue | SATerm).
        if is_s_continue(next) || is_sa_term(next) {
            continue;
        }
        // SB9 to SB11: no break inside Close* Sp*, a break after them.
        // Several terminators before one start ("?!", "...") make one break.
        if breaks.len() == first || breaks.last() != Some(&m) {
            breaks.push(m);
        }
    }
}

/// The text after the last white space or `(` of a sentence.
fn last_word(sentence: &str) -> &str {
    sentence
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("")
}

/// The offset of the first `.`, `!` or `?` at or after `from`, or the length of `b`. Sentence
/// terminators are rare, so it looks at eight bytes at a time.
fn next_sa_term(b: &[u8], mut from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Whether any byte of `w` is zero: exact as a yes or no, though not as to which byte.
    let has_zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGHS != 0;
    while let Some(chunk) = b.get(from..from + 8) {
        let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        if has_zero(w ^ (ONES * u64::from(b'.')))
            || has_zero(w ^ (ONES * u64::from(b'!')))
            || has_zero(w ^ (ONES * u64::from(b'?')))
        {
            break;
        }
        from += 8;
    }
    while from < b.len() && !matches!(b[from], b'.' | b'!' | b'?') {
        from += 1;
    }
    from
}

fn ends_with_abbreviation(sentence: &str) -> bool {
    // The last word, read back over ASCII bytes; a longer one is no abbreviation. Any other
    // character leaves it to the general split below.
    let b = sentence.as_bytes();
    let mut k = b.len();
    while k > 0
        && b[k - 1] < 0x80
        && !b[k - 1].is_ascii_whitespace()
        && !matches!(b[k - 1], b'\x0b' | b'(')
    {
        k -= 1;
        if b.len() - k > 8 {
            return false;
        }
    }
    let last = if k == 0 || b[k - 1] < 0x80 {
        &sentence[k..]
    } else {
        last_word(sentence)
    };
    if last.len() > 8 {
        return false;
    }
    // Lower-case into a buffer on the stack: this runs once per sentence.
    let mut buf = [0u8; 8];
    let lower = &mut buf[..last.len()];
    lower.copy_from_slice(last.as_bytes());
    lower.make_ascii_lowercase();
    // "Ms." and "No." are titles and numbering only when capitalised: "took 70 ms." and "the
    // answer was no." end their sentences.
    if matches!(&*lower, b"ms." | b"no.") && !last.as_bytes()[0].is_ascii_uppercase() {
        return false;
    }
    // Abbreviations after which a full stop does not end a sentence.
    if matches!(
        &*lower,
        b"e.g."
            | b"i.e."
            | b"etc."
            | b"vs."
            | b"dr."
            | b"mr."
            | b"mrs."
            | b"ms."
            | b"prof."
            | b"approx."
            | b"no."
            | b"inc."
            | b"ltd."
            | b"co."
            | b"corp."
            | b"u.s."
            | b"u.k."
            | b"st."
            | b"jr."
            | b"sr."
            | b"fig."
            | b"cf."
            | b"est."
            | b"dept."
            | b"sept."
            | b"oct."
            | b"nov."
            | b"dec."
            | b"jan."
            | b"feb."
            | b"aug."
            | b"mt."
            | b"ft."
    ) {
        return true;
    }
    // A single initial such as "J." in "J. Smith".
    let b = last.as_bytes();
    b.len() == 2 && b[0].is_ascii_uppercase() && b[1] == b'.'
}

/// Whether `norm[start..limit]`, which starts with a word token `token_len` bytes long, starts
/// with a word that opens a new clause even without a comma (but, because, although, though,
/// whereas, unless, however, so that), followed by `limit` or a character that is not a word
/// character. `lower` is `norm` lower-cased byte for byte; an ASCII byte there stands for the same
/// letter in any case, and a byte of a non-ASCII character is never ASCII.
/// For each first letter, the clause opener (without a comma) that starts with it, and the
/// length of the opener's first word; "" and 0 where none does ("but" is tested before).
static OPENERS: [(&str, usize); 256] = {
    let mut t = [("", 0); 256];
    t[b'b' as usize] = ("because", 7);
    t[b'a' as usize] = ("although", 8);
    t[b't' as usize] = ("though", 6);
    t[b'w' as usize] = ("whereas", 7);
    t[b'u' as usize] = ("unless", 6);
    t[b'h' as usize] = ("however", 7);
    t[b's' as usize] = ("so that", 2);
    t
};

fn starts_with_clause_opener(
    norm: &str,
    lower: &[u8],
    start: usize,
    limit: usize,
    token_len: usize,
) -> bool {
    let lower = &lower[start..limit];
    // A table, not a `match`: which letter a word starts with is unpredictable, and a jump
    // table mispredicts on it.
    let (opener, word) = match lower.first() {
        Some(b'b') if lower.starts_with(b"but") => ("but", 3),
        Some(&b) => OPENERS[b as usize],
        None => return false,
    };
    // The opener's first word is letters, so the token runs on at least to its end; past it
    // the token may only go on through a joiner (but-then). Most words fail this cheap test.
    let fits = token_len == word || lower.get(word).is_none_or(|&b| class(b) & JOINER != 0);
    if !fits || !lower.starts_with(opener.as_bytes()) {
        return false;
    }
    // The opener is ASCII, so the offset after it is a character boundary.
    let after = start + opener.len();
    if after == limit {
        return true;
    }
    match norm.as_bytes()[after] {
        b if b < 0x80 => class(b) & WORD == 0,
        _ => !char_at(norm, after).is_some_and(is_word_char),
    }
}

/// Splits each sentence into clauses at clause punctuation, at a comma that opens a new clause,
/// and at subordinating conjunctions. `lower` is `norm` lower-cased byte for byte.
fn split_clauses(
    norm: &str,
    lower: &str,
    tokens: &[Token],
    sentences: &[Unit],
    mut clauses: Vec<Unit>,
) -> Vec<Unit> {
    let bytes = norm.as_bytes();
    let lower = lower.as_bytes();
    clauses.clear();
    // Room for two or three clauses a sentence, so the list seldom grows.
    clauses.reserve(sentences.len() * 3);
    for s in sentences {
        let first = tokens.partition_point(|t| (t.start as usize) < s.start);
        let last = tokens.partition_point(|t| (t.start as usize) < s.end);
        let toks = &tokens[first..last];
        let mut clause_start = s.start;
        for (k, t) in toks.iter().enumerate() {
            let (start, end) = (t.start as usize, t.end as usize);
            let mut cut: Option<(usize, usize)> = None; // (end of this clause, start of next)
            if t.kind == TokenKind::Punct {
                // A punctuation token is one character; only ASCII ones need their neighbours.
                let text = &bytes[start..end];
                let digit_before = start > 0 && bytes[start - 1].is_ascii_digit();
                let digit_after = bytes.get(end).is_some_and(u8::is_ascii_digit);
                let breaks = match text {
                    b";" => true,
                    // A colon between digits is a clock time (18:24) or a ratio, not a clause
                    // break.
                    b":" => !(digit_before && digit_after),
                    // \u{2014} and \u{2013}, the em and en dashes.
                    [0xe2, 0x80, 0x94] | [0xe2, 0x80, 0x93] => true,
                    b"-" => start > 0 && bytes[start - 1] == b' ' && bytes.get(end) == Some(&b' '),
                    _ => false,
                };
                if breaks {
                    cut = Some((start, end));
                } else if text == b"," {
                    if let Some(next) = toks.get(k + 1) {
                        if next.kind == TokenKind::Word && opens_after_comma(&lower[next.range()]) {
                            cut = Some((start, next.start as usize));
                        }
                    }
                }
            } else if k > 0
                && t.kind == TokenKind::Word
                && toks[k - 1].kind != TokenKind::Punct
                && starts_with_clause_opener(norm, lower, start, s.end, end - start)
            {
                cut = Some((start, start));
            }
            if let Some((end, next_start)) = cut {
                let end = trim_end_at(norm, clause_start, end);
                if end > clause_start {
                    clauses.push(Unit {
                        start: clause_start,
                        end,
                        sentence: s.sentence,
                    });
                }
                clause_start = skip_space(norm, next_start, s.end);
            }
        }
        if s.end > clause_start {
            clauses.push(Unit {
                start: clause_start,
                end: s.end,
                sentence: s.sentence,
            });
        }
    }
    clauses
}

/// Whether a lower-cased word opens a new clause after a comma.
fn opens_after_comma(word: &[u8]) -> bool {
    matches!(
        word,
        b"and"
            | b"but"
            | b"so"
            | b"or"
            | b"yet"
            | b"which"
            | b"who"
            | b"because"
            | b"although"
            | b"though"
            | b"while"
            | b"whereas"
            | b"since"
            | b"when"
            | b"after"
            | b"before"
            | b"until"
            | b"unless"
            | b"i"
            | b"we"
            | b"they"
            | b"he"
            | b"she"
            | b"it"
            | b"you"
            | b"my"
            | b"our"
            | b"their"
            | b"then"
            | b"instead"
    )
}

fn trim_end_at(norm: &str, start: usize, end: usize) -> usize {
    start + norm[start..end].trim_end().len()
}

fn skip_space(norm: &str, from: usize, limit: usize) -> usize {
    let rest = &norm[from..limit];
    from + (rest.len() - rest.trim_start().len())
}

/// Text on one line cut to `max` characters, with an ellipsis when cut.
pub fn clip(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}\u{2026}")
}

/// The document model as it was before the byte-driven rewrite, kept word for word as the
/// obviously correct reference that property tests hold the fast paths to.
#[cfg(test)]
mod reference {
    use std::ops::Range;

    use super::{is_word_char, skip_space, starts_block, trim_end_at, Token, TokenKind, Unit};

    /// The new code's sentence breaks of a paragraph, as a list.
    pub fn sentence_breaks(para: &str) -> Vec<usize> {
        let mut breaks = Vec::new();
        super::sentence_breaks(para, &mut breaks);
        breaks
    }

    /// Abbreviations after which a full stop does not end a sentence.
    pub const ABBREVIATIONS: &[&str] = &[
        "e.g.", "i.e.", "etc.", "vs.", "dr.", "mr.", "mrs.", "ms.", "prof.", "approx.", "no.",
        "inc.", "ltd.", "co.", "corp.", "u.s.", "u.k.", "st.", "jr.", "sr.", "fig.", "cf.", "est.",
        "dept.", "sept.", "oct.", "nov.", "dec.", "jan.", "feb.", "aug.", "mt.", "ft.",
    ];

    /// Abbreviations only when capitalised ("Ms. Patel", "No. 5"; "70 ms." ends a sentence).
    pub const CAPITALISED_ONLY: &[&str] = &["ms.", "no."];

    /// Words that open a new clause after a comma.
    pub const CLAUSE_OPENERS_AFTER_COMMA: &[&str] = &[
        "and", "but", "so", "or", "yet", "which", "who", "because", "although", "though", "while",
        "whereas", "since", "when", "after", "before", "until", "unless", "i", "we", "they", "he",
        "she", "it", "you", "my", "our", "their", "then", "instead",
    ];

    /// Words that open a new clause even without a comma.
    pub const CLAUSE_OPENERS: &[&str] = &[
        "but", "because", "although", "though", "whereas", "unless", "however", "so that",
    ];

    /// Every analysed part of a document, built the reference way.
    #[derive(Debug, PartialEq)]
    pub struct Parts {
        pub norm: String,
        pub lower: String,
        pub map: Vec<u32>,
        pub tokens: Vec<Token>,
        pub sentences: Vec<Unit>,
        pub clauses: Vec<Unit>,
        pub quoted: Vec<Range<usize>>,
    }

    fn starts_numeric(s: &str) -> bool {
        s.bytes().next().is_some_and(|b| b.is_ascii_digit())
            && s.bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    }

    /// The body of the old `Document::new`.
    pub fn parts(text: &str) -> Parts {
        let (norm, map) = normalize(text);
        let tokens = tokenize(&norm);
        let sentences = split_sentences(&norm);
        let clauses = split_clauses(&norm, &tokens, &sentences);
        let quoted = find_quoted(&norm);
        let lower = lower_same_length(&norm);
        Parts {
            norm,
            lower,
            map,
            tokens,
            sentences,
            clauses,
            quoted,
        }
    }

    /// Lower-cases letters whose lower case has the same UTF-8 length, so offsets stay valid.
    fn lower_same_length(norm: &str) -> String {
        if norm.is_ascii() {
            return norm.to_ascii_lowercase();
        }
        let mut out = String::with_capacity(norm.len());
        for c in norm.chars() {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) if l.len_utf8() == c.len_utf8() => out.push(l),
                _ => out.push(c),
            }
        }
        out
    }

    /// Folds white space, keeps paragraph and list breaks, straightens apostrophes, and records for
    /// each output byte the input byte it came from.
    fn normalize(text: &str) -> (String, Vec<u32>) {
        let mut norm = String::with_capacity(text.len());
        let mut map: Vec<u32> = Vec::with_capacity(text.len() + 1);
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut line_is_heading = false;
        let mut at_line_start = true;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii_whitespace() {
                let run_start = i;
                let mut newlines = 0;
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    if bytes[i] == b'\n' {
                        newlines += 1;
                    }
                    i += 1;
                }
                if norm.is_empty() || i >= bytes.len() {
                    // Leading and trailing white space vanish.
                    continue;
                }
                let breaks = newlines >= 2
                    || (newlines == 1 && (line_is_heading || starts_block(&text[i..])));
                norm.push(if breaks { '\n' } else { ' ' });
                map.push(run_start as u32);
                if newlines > 0 {
                    at_line_start = true;
                    line_is_heading = false;
                }
                continue;
            }
            let ch = text[i..].chars().next().expect("in bounds");
            if at_line_start {
                line_is_heading = ch == '#';
                at_line_start = false;
            }
            let out = match ch {
                '\u{2019}' | '\u{2018}' => '\'',
                '\u{00a0}' | '\u{2009}' | '\u{202f}' => ' ',
                c => c,
            };
            let mut buf = [0u8; 4];
            let s = out.encode_utf8(&mut buf);
            for _ in 0..s.len() {
                map.push(i as u32);
            }
            norm.push_str(s);
            i += ch.len_utf8();
        }
        map.push(text.len() as u32);
        (norm, map)
    }

    /// Splits the normalised text into tokens.
    fn tokenize(norm: &str) -> Vec<Token> {
        let mut tokens = Vec::with_capacity(norm.len() / 5);
        let bytes = norm.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b' ' || b == b'\n' {
                i += 1;
                continue;
            }
            let ch = if b < 0x80 {
                b as char
            } else {
                norm[i..].chars().next().expect("in bounds")
            };
            if is_word_char(ch) {
                let start = i;
                let mut all_digits = true;
                let mut j = i;
                while let Some(c) = norm[j..].chars().next() {
                    if is_word_char(c) {
                        all_digits &= c.is_ascii_digit();
                        j += c.len_utf8();
                        continue;
                    }
                    // Inner joiners: don't, rate-limit, 99.9, v2.1, 10,000.
                    if matches!(c, '\'' | '-' | '.' | ',' | '/') {
                        let next = norm[j + 1..].chars().next();
                        let joins = match c {
                            '\'' | '-' => next.is_some_and(char::is_alphanumeric),
                            // A dot or comma joins digits (99.9, 10,000) and dotted versions (v2.1).
                            '.' | ',' => {
                                next.is_some_and(|n| n.is_ascii_digit())
                                    && norm[..j]
                                        .chars()
                                        .next_back()
                                        .is_some_and(|p| p.is_ascii_digit())
                            }
                            // req/s, I/O, TCP/IP
                            _ => next.is_some_and(char::is_alphanumeric) && j - start <= 4,
                        };
                        if joins {
                            j += 1;
                            continue;
                        }
                    }
                    break;
                }
                tokens.push(Token {
                    kind: if all_digits || starts_numeric(&norm[start..j]) {
                        TokenKind::Number
                    } else {
                        TokenKind::Word
                    },
                    start: start as u32,
                    end: j as u32,
                    joined: norm[start..j].contains(['\'', '-', '.', ',', '/']),
                });
                i = j;
            } else {
                tokens.push(Token {
                    kind: TokenKind::Punct,
                    start: i as u32,
                    end: (i + ch.len_utf8()) as u32,
                    joined: false,
                });
                i += ch.len_utf8();
            }
        }
        tokens
    }

    /// Sentences by UAX#29, then repaired: no break after an abbreviation, a break at every
    /// paragraph or list break.
    fn split_sentences(norm: &str) -> Vec<Unit> {
        let mut raw: Vec<Range<usize>> = Vec::new();
        let mut para_start = 0;
        for para in norm.split('\n') {
            let mut from = 0;
            let mut cuts = sentence_breaks(para);
            // A full stop after a word, then a number or a technical word in lower case ("p95",
            // "iOS"), starts a sentence that UAX#29 runs on into; not after an abbreviation.
            let words: Vec<(usize, &str)> = para
                .split(' ')
                .scan(0, |at, w| {
                    let start = *at;
                    *at += w.len() + 1;
                    Some((start, w))
                })
                .filter(|(_, w)| !w.is_empty())
                .collect();
            for pair in words.windows(2) {
                let ((_, prev), (start, next)) = (pair[0], pair[1]);
                let Some(stem) = prev.strip_suffix('.') else {
                    continue;
                };
                let letters = stem
                    .chars()
                    .rev()
                    .take(2)
                    .filter(char::is_ascii_alphabetic)
                    .count()
                    == 2;
                let first = next.chars().next().unwrap_or(' ');
                let technical = first.is_ascii_digit()
                    || (first.is_ascii_lowercase()
                        && next
                            .chars()
                            .skip(1)
                            .any(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
                if letters && technical && !ends_with_abbreviation(&para[..start - 1]) {
                    cuts.push(start);
                }
            }
            cuts.sort_unstable();
            cuts.dedup();
            for cut in cuts.into_iter().chain([para.len()]) {
                let part = &para[from..cut];
                let start = para_start + from + (part.len() - part.trim_start().len());
                let end = para_start + from + part.trim_end().len();
                if end > start {
                    raw.push(start..end);
                }
                from = cut;
            }
            para_start += para.len() + 1;
        }
        // Merge a sentence that ends in an abbreviation with the next one in the same paragraph.
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(raw.len());
        for r in raw {
            if let Some(prev) = merged.last_mut() {
                let between = &norm[prev.end..r.start];
                if !between.contains('\n') && ends_with_abbreviation(&norm[prev.clone()]) {
                    prev.end = r.end;
                    continue;
                }
            }
            merged.push(r);
        }
        merged
            .into_iter()
            .enumerate()
            .map(|(i, r)| Unit {
                start: r.start,
                end: r.end,
                sentence: i,
            })
            .collect()
    }

    fn ends_with_abbreviation(sentence: &str) -> bool {
        let last = sentence
            .rsplit(|c: char| c.is_whitespace() || c == '(')
            .next()
            .unwrap_or("");
        if last.len() > 8 {
            return false;
        }
        let lower = last.to_ascii_lowercase();
        if CAPITALISED_ONLY.contains(&lower.as_str())
            && !last.starts_with(|c: char| c.is_ascii_uppercase())
        {
            return false;
        }
        if ABBREVIATIONS.contains(&lower.as_str()) {
            return true;
        }
        // A single initial such as "J." in "J. Smith".
        let b = last.as_bytes();
        b.len() == 2 && b[0].is_ascii_uppercase() && b[1] == b'.'
    }

    /// Splits each sentence into clauses at clause punctuation, at a comma that opens a new clause,
    /// and at subordinating conjunctions.
    fn split_clauses(norm: &str, tokens: &[Token], sentences: &[Unit]) -> Vec<Unit> {
        let mut clauses = Vec::with_capacity(sentences.len() * 2);
        for s in sentences {
            let first = tokens.partition_point(|t| (t.start as usize) < s.start);
            let last = tokens.partition_point(|t| (t.start as usize) < s.end);
            let toks = &tokens[first..last];
            let mut clause_start = s.start;
            let mut k = 0;
            while k < toks.len() {
                let t = toks[k];
                let text = &norm[t.range()];
                let mut cut: Option<(usize, usize)> = None; // (end of this clause, start of next)
                if t.kind == TokenKind::Punct {
                    let spaced_hyphen = text == "-"
                        && norm[..t.start as usize].ends_with(' ')
                        && norm[t.end as usize..].starts_with(' ');
                    // A colon between digits is a clock time (18:24) or a ratio, not a clause break.
                    let clock = text == ":"
                        && norm[..t.start as usize].ends_with(|c: char| c.is_ascii_digit())
                        && norm[t.end as usize..].starts_with(|c: char| c.is_ascii_digit());
                    if (matches!(text, ";" | ":" | "\u{2014}" | "\u{2013}") && !clock)
                        || spaced_hyphen
                    {
                        cut = Some((t.start as usize, t.end as usize));
                    } else if text == "," {
                        if let Some(next) = toks.get(k + 1) {
                            let w = &norm[next.range()];
                            if next.kind == TokenKind::Word
                                && CLAUSE_OPENERS_AFTER_COMMA
                                    .iter()
                                    .any(|o| o.eq_ignore_ascii_case(w))
                            {
                                cut = Some((t.start as usize, next.start as usize));
                            }
                        }
                    }
                } else if k > 0 && t.kind == TokenKind::Word {
                    let rest = &norm[t.start as usize..s.end];
                    if CLAUSE_OPENERS.iter().any(|o| {
                        rest.get(..o.len())
                            .is_some_and(|head| head.eq_ignore_ascii_case(o))
                            && rest[o.len()..]
                                .chars()
                                .next()
                                .is_none_or(|c| !is_word_char(c))
                    }) && toks[k - 1].kind != TokenKind::Punct
                    {
                        cut = Some((t.start as usize, t.start as usize));
                    }
                }
                if let Some((end, next_start)) = cut {
                    let end = trim_end_at(norm, clause_start, end);
                    if end > clause_start {
                        clauses.push(Unit {
                            start: clause_start,
                            end,
                            sentence: s.sentence,
                        });
                    }
                    clause_start = skip_space(norm, next_start, s.end);
                }
                k += 1;
            }
            if s.end > clause_start {
                clauses.push(Unit {
                    start: clause_start,
                    end: s.end,
                    sentence: s.sentence,
                });
            }
        }
        clauses
    }

    /// Ranges inside double quotation marks (straight or curly). Single quotes are left alone: they
    /// are apostrophes far more often than quotes.
    fn find_quoted(norm: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut open: Option<usize> = None;
        for (i, c) in norm.char_indices() {
            match c {
                '\u{201c}' => open = Some(i + c.len_utf8()),
                '\u{201d}' => {
                    if let Some(s) = open.take() {
                        out.push(s..i);
                    }
                }
                '"' => match open.take() {
                    Some(s) => out.push(s..i),
                    None => open = Some(i + 1),
                },
                '\n' => open = None,
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<String> {
        let d = Document::new(text);
        d.sentences()
            .iter()
            .map(|s| d.norm_slice(s.start..s.end).to_string())
            .collect()
    }

    fn clauses(text: &str) -> Vec<String> {
        let d = Document::new(text);
        d.clauses()
            .iter()
            .map(|s| d.norm_slice(s.start..s.end).to_string())
            .collect()
    }

    #[test]
    fn a_sentence_may_open_with_a_number_or_a_technical_word_after_a_full_stop() {
        let count = |t: &str| Document::new(t).sentences().len();
        assert_eq!(
            count("HTTPS came soon. 180 merchants integrated in May."),
            2
        );
        assert_eq!(
            count("It was served from the cache. p95 dropped to 40 ms."),
            2
        );
        assert_eq!(count("We had approx. 40 teams on it."), 1);
        assert_eq!(count("We moved to v2. 3 teams followed."), 1);
        assert_eq!(count("It was fine. then we left."), 1);
    }

    proptest::proptest! {
        /// The eight-at-a-time scan ends a run of word bytes where a byte-by-byte one does.
        #[test]
        fn word_runs_end_where_a_byte_scan_ends_them(
            bytes in proptest::collection::vec(proptest::prop_oneof![
                proptest::sample::select(b"aZz09_ -.'@`[{/:\x7f".to_vec()),
                proptest::num::u8::ANY,
            ], 0..40),
            from in 0usize..40,
        ) {
            let from = from.min(bytes.len());
            let mut j = from;
            while j < bytes.len() && class(bytes[j]) & WORD != 0 {
                j += 1;
            }
            proptest::prop_assert_eq!(word_run_end(&bytes, from), j);
        }
    }

    #[test]
    fn numbers_and_versions_do_not_end_sentences() {
        assert_eq!(
            sentences("Uptime stayed at 99.9% on v2.1 of the proxy. Then p99 fell to 80 ms."),
            vec![
                "Uptime stayed at 99.9% on v2.1 of the proxy.",
                "Then p99 fell to 80 ms."
            ]
        );
    }

    #[test]
    fn windows_find_the_same_breaks_as_the_whole_text() {
        let texts = [
            "It failed. We rolled back! Why? Because the canary at 5.5% said so... then it held.",
            "\"Ship it.\" He said. (We did not.) The U.S. team agreed. e.g. this stays.",
            "Version 2.1 shipped at 9 a.m. on Friday. It held?! Yes.",
        ];
        for t in texts {
            let whole: Vec<usize> = t
                .split_sentence_bound_indices()
                .map(|(i, _)| i)
                .filter(|&i| i > 0)
                .collect();
            assert_eq!(reference::sentence_breaks(t), whole, "{t}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 4000, ..Default::default() })]
        #[test]
        fn ascii_breaks_equal_uax29_on_any_ascii_paragraph(t in "[a-zA-Z0-9 .!?,;:'\"()\\[\\]{}\t-]{0,120}") {
            let whole: Vec<usize> = t.split_sentence_bound_indices().map(|(i, _)| i).filter(|&i| i > 0).collect();
            proptest::prop_assert_eq!(reference::sentence_breaks(&t), whole);
        }
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        assert_eq!(
            sentences("We paged Dr. Patel, e.g. the on-call lead. She agreed."),
            vec!["We paged Dr. Patel, e.g. the on-call lead.", "She agreed."]
        );
        // Milliseconds and a plain "no" end their sentences; the title and the numbering do not.
        assert_eq!(
            sentences("That gave us 70 ms. We asked Ms. Patel about No. 5. She said no. Done."),
            vec![
                "That gave us 70 ms.",
                "We asked Ms. Patel about No. 5.",
                "She said no.",
                "Done."
            ]
        );
    }

    #[test]
    fn wrapped_lines_join_but_paragraphs_and_lists_break() {
        let text =
            "I skipped the security\nreview once\n\nNever again\n- rolled back\n- paged the owner";
        assert_eq!(
            sentences(text),
            vec![
                "I skipped the security review once",
                "Never again",
                "- rolled back",
                "- paged the owner"
            ]
        );
    }

    #[test]
    fn clauses_split_at_conjunctions_after_commas_and_semicolons() {
        assert_eq!(
            clauses("I refused to skip the audit, and we shipped late; the VP agreed."),
            vec![
                "I refused to skip the audit",
                "and we shipped late",
                "the VP agreed."
            ]
        );
    }

    #[test]
    fn a_clock_time_does_not_split_a_clause() {
        assert_eq!(
            clauses("At 18:24 the on-call SRE paged me: we rolled back."),
            vec!["At 18:24 the on-call SRE paged me", "we rolled back."]
        );
    }

    #[test]
    fn lists_inside_a_clause_stay_together() {
        assert_eq!(
            clauses("We added a canary, a kill switch, and a staged rollout."),
            vec!["We added a canary, a kill switch", "and a staged rollout."]
        );
    }

    #[test]
    fn subordinate_clauses_split_without_a_comma() {
        assert_eq!(
            clauses("We shipped late because the pen test found a flaw."),
            vec!["We shipped late", "because the pen test found a flaw."]
        );
    }

    #[test]
    fn tokens_keep_inner_joiners() {
        let d = Document::new("don't rate-limit 10,000 req/s at 99.95% or p99");
        let words: Vec<&str> = d.tokens().iter().map(|t| d.norm_slice(t.range())).collect();
        assert_eq!(
            words,
            vec![
                "don't",
                "rate-limit",
                "10,000",
                "req/s",
                "at",
                "99.95",
                "%",
                "or",
                "p99"
            ]
        );
    }

    #[test]
    fn spans_map_back_through_folded_space_and_curly_apostrophes() {
        let text = "We couldn\u{2019}t   wait.\nReally";
        let d = Document::new(text);
        let start = d.norm().find("couldn't").unwrap();
        let span = d.original(start..start + "couldn't   wait".len() - 2);
        assert_eq!(&text[span.range()], "couldn\u{2019}t   wait");
    }

    #[test]
    fn quotation_marks_make_quoted_ranges() {
        let d = Document::new("The VP said \u{201c}just ship it\u{201d} and \"move fast\".");
        let ship = d.norm().find("ship").unwrap();
        let said = d.norm().find("said").unwrap();
        let fast = d.norm().find("fast").unwrap();
        assert!(d.is_quoted(ship));
        assert!(d.is_quoted(fast));
        assert!(!d.is_quoted(said));
    }

    #[test]
    fn questions_are_recognised() {
        let d = Document::new("Should we skip the review? We did not.");
        assert!(d.is_question(0));
        assert!(!d.is_question(1));
    }

    #[test]
    fn empty_text_has_no_units() {
        let d = Document::new("   \n ");
        assert!(d.sentences().is_empty());
        assert!(d.clauses().is_empty());
        assert_eq!(d.word_count(), 0);
    }

    /// Pieces of answer text, from plain prose to the characters the fast paths hand to the
    /// slow ones: curly quotes, dashes, odd spaces, bullets, letters outside ASCII.
    fn fragment() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            4 => "[a-zA-Z0-9]{1,8}",
            3 => Just(" ".to_string()),
            2 => "[.,;:!?'\"/()#*+-]",
            1 => "[ \t]{1,3}",
            1 => prop::sample::select(vec!["\n", "\r\n", "\n\n", "\n \n", "\t\n"]).prop_map(String::from),
            1 => prop::sample::select(vec!["\n- ", "\n* ", "\n+ ", "\n1. ", "\n12) ", "\n# ", "\n\u{2022} ", "\n\u{a0}- ", "\n1234. "])
                .prop_map(String::from),
            1 => prop::sample::select(vec![
                "\u{2018}", "\u{2019}", "\u{201c}", "\u{201d}", "\u{2013}", "\u{2014}", "\u{a0}",
                "\u{2009}", "\u{202f}", "\u{2022}", "\u{e9}", "\u{df}", "\u{130}", "\u{3a9}",
                "\u{65e5}\u{672c}", "\u{212a}", "\u{2003}", "\x0b", "_",
            ])
            .prop_map(String::from),
            1 => prop::sample::select(vec![
                "but", "But", "BECAUSE", "although", "though", "whereas", "unless", "however",
                "so that", "So That", "but-then", "and", "We", "i", "e.g.", "Dr.", "U.S.", "J.",
                "10,000", "99.9", "v2.1", "req/s", "TCP/IP", "don't", "18:24", " - ",
            ])
            .prop_map(String::from),
        ]
    }

    fn answer() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop::collection::vec(fragment(), 0..60).prop_map(|parts| parts.concat())
    }

    fn assert_same_as_reference(text: &str) {
        let d = Document::new(text);
        let r = reference::parts(text);
        assert_eq!(d.norm, r.norm, "norm of {text:?}");
        assert_eq!(d.lower, r.lower, "lower of {text:?}");
        // Every normalised offset, a character's first byte or not, leads where the reference's
        // map of every byte does.
        let sources: Vec<u32> = (0..=d.norm.len()).map(|at| d.source(at) as u32).collect();
        assert_eq!(sources, r.map, "map of {text:?}");
        assert_eq!(d.tokens, r.tokens, "tokens of {text:?}");
        assert_eq!(d.sentences, r.sentences, "sentences of {text:?}");
        assert_eq!(d.clauses, r.clauses, "clauses of {text:?}");
        assert_eq!(d.quoted, r.quoted, "quoted of {text:?}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 3000, ..Default::default() })]
        #[test]
        fn documents_equal_the_reference_on_mixed_text(t in answer()) {
            assert_same_as_reference(&t);
        }

        #[test]
        fn documents_equal_the_reference_on_any_characters(t in "[a-zA-Z0-9 .,;:!?'\"/()#*+_\t\n\r\u{a0}\u{2009}\u{202f}\u{2018}\u{2019}\u{201c}\u{201d}\u{2013}\u{2014}\u{2022}\u{e9}\u{df}\u{130}\u{3a9}\u{65e5}-]{0,80}") {
            assert_same_as_reference(&t);
        }
    }

    #[test]
    fn every_listed_abbreviation_is_recognised() {
        for a in reference::ABBREVIATIONS {
            let capitalised = reference::CAPITALISED_ONLY.contains(a);
            assert_eq!(
                ends_with_abbreviation(&format!("We met {a}")),
                !capitalised,
                "{a}"
            );
            assert!(
                ends_with_abbreviation(&format!("We met {}", a.to_uppercase())),
                "{a}"
            );
            assert!(!ends_with_abbreviation(&format!("We met x{a}")), "x{a}");
        }
    }

    #[test]
    fn every_listed_clause_opener_is_recognised() {
        for o in reference::CLAUSE_OPENERS_AFTER_COMMA {
            assert!(opens_after_comma(o.as_bytes()), "{o}");
            assert!(!opens_after_comma(format!("{o}x").as_bytes()), "{o}x");
        }
        for o in reference::CLAUSE_OPENERS {
            let text = format!("{o}, then");
            let word = o.split(' ').next().unwrap().len();
            assert!(
                starts_with_clause_opener(&text, text.as_bytes(), 0, text.len(), word),
                "{o}"
            );
            let longer = format!("{o}s then");
            assert!(
                !starts_with_clause_opener(&longer, longer.as_bytes(), 0, longer.len(), word + 1),
                "{o}s"
            );
        }
    }

    #[test]
    fn the_benchmark_answers_equal_the_reference() {
        for text in [
            include_str!("../benches/answers/strong-400.md"),
            include_str!("../benches/answers/weak-400.md"),
        ] {
            assert_same_as_reference(text);
        }
    }
}
