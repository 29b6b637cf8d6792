//! Phrase templates compiled into tables of numbers, and matched against an answer's units.
//!
//! A unit is a run of letters and digits, or any other single visible character: "didn't" is
//! `didn`, `'`, `t`; "99.9%" is `99`, `.`, `9`, `%`. Every unit a template uses gets a number; an
//! answer is read once into numbers (by the analyzer, one lookup a unit) and templates are then
//! matched by comparing numbers, never text. White space does not count: "99.9 %" and "99.9%" read
//! alike.
//!
//! Every phrasing of every template (each choice among its alternatives) is one path of a trie of
//! unit numbers, stored as a double array: from a node, the unit `u` leads to cell `base + u`,
//! which is the node's child if that cell names the node as its parent. Matching at a place of an
//! answer is then one load and one comparison a unit, for as long as some phrasing still fits,
//! whatever the number of templates; the nodes where phrasings end list their templates.
//!
//! The tables are plain arrays, so they can be compiled at build time and stored as bytes
//! ([`PhraseTables::to_bytes`]): the default pack's are, and a program starts without compiling
//! them. A fingerprint of the templates and their owners tells whether stored tables are the ones
//! a set of templates compiles to.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use crate::template::Template;

/// The number of a unit that no template uses.
pub const UNKNOWN: u32 = u32::MAX;

/// The number a reader gives a paragraph or list break, which no phrase crosses.
pub const BREAK: u32 = u32::MAX - 1;

/// A template that stands for more phrasings than this is refused: it is to be split.
const MAX_PHRASINGS_PER_TEMPLATE: u64 = 100_000;

/// Trie nodes a set of templates may take (twelve bytes each): beyond this the set is refused.
const MAX_NODES: usize = 4_000_000;

/// Alternatives that join inside a word ("roll{ed|ing|}") are combined into whole words; more
/// combinations than this in one word are refused.
const MAX_JOINED_ALTERNATIVES: usize = 4096;

/// Changes whenever the tables' layout or the way templates compile changes, so that stored
/// tables from another version are never taken for current ones.
const FORMAT: &[u8; 8] = b"DBPHRS05";

const MULTIPLIER: u64 = 0xf135_7aea_2e62_a9c5;

/// FxHash's multiply-and-rotate over eight bytes at a time, with a final mix: units are a few
/// bytes long, so a cryptographic hash would cost more than the rest of a lookup.
#[derive(Debug, Default, Clone, Copy)]
struct UnitHasher(u64);

impl UnitHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(MULTIPLIER);
    }
}

impl Hasher for UnitHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("eight bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    // What `write` does with eight little-endian bytes, without the loop over them.
    fn write_u64(&mut self, word: u64) {
        self.add(word);
    }

    fn finish(&self) -> u64 {
        (self.0 ^ (self.0 >> 29)).wrapping_mul(MULTIPLIER)
    }
}

/// Hashes the trie's edges while it is built: SipHash would cost more than all the rest.
type EdgeHasher = BuildHasherDefault<UnitHasher>;

/// The word at `start..end` of `text` packed into an integer, little-endian and zero-padded
/// (with its length, no two words share one), if it is one to eight bytes long. Read in one load
/// masked to its length where eight bytes of text follow its start: no branch on its length.
#[inline]
pub fn packed_word(text: &[u8], start: usize, end: usize) -> Option<u64> {
    let n = end - start;
    if !(1..=8).contains(&n) {
        return None;
    }
    Some(match text.get(start..start + 8) {
        Some(eight) => {
            u64::from_le_bytes(eight.try_into().expect("eight bytes")) & (u64::MAX >> (64 - 8 * n))
        }
        None => pack_word(&text[start..end]),
    })
}

/// [`packed_word`] of a whole word of up to eight bytes, usable in constants.
pub const fn pack_word(word: &[u8]) -> u64 {
    let mut w = 0u64;
    let mut i = 0;
    while i < word.len() && i < 8 {
        w |= (word[i] as u64) << (8 * i);
        i += 1;
    }
    w
}

/// A unit's key in the unit table: [`packed_word`] for up to eight bytes, a hash for longer.
#[inline]
fn unit_key(unit: &[u8]) -> u64 {
    packed_word(unit, 0, unit.len()).unwrap_or_else(|| {
        let mut h = UnitHasher(unit.len() as u64);
        h.write(unit);
        h.finish()
    })
}

#[inline]
fn slot_start(key: u64, len: usize, slots: usize) -> usize {
    let h = (key ^ len as u64).wrapping_mul(MULTIPLIER);
    (h ^ (h >> 32)) as usize & (slots - 1)
}

/// A slot of the unit table: the unit's length and key ([`unit_key`]), and its number plus one
/// (zero: empty). Kept as a [`SlotRecord`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Slot {
    key: u64,
    len: u32,
    id: u32,
}

/// A [`Slot`] as the tables keep it: its key, length and number, little-endian.
type SlotRecord = [u8; 16];

impl Slot {
    #[inline]
    fn read(r: &SlotRecord) -> Slot {
        Slot {
            key: u64::from(word(r, 0)) | u64::from(word(r, 1)) << 32,
            len: word(r, 2),
            id: word(r, 3),
        }
    }

    fn record(self) -> SlotRecord {
        let mut r = [0; 16];
        r[..8].copy_from_slice(&self.key.to_le_bytes());
        r[8..12].copy_from_slice(&self.len.to_le_bytes());
        r[12..].copy_from_slice(&self.id.to_le_bytes());
        r
    }
}

/// Fixed-size records of little-endian words. Stored tables (the default pack's, in the
/// program's own bytes) are read where they lie: starting up neither copies nor decodes them,
/// and only the pages that matching touches are ever read in.
type Records<const N: usize> = Cow<'static, [[u8; N]]>;

/// Word `k` of a record.
#[inline]
fn word<const N: usize>(record: &[u8; N], k: usize) -> u32 {
    u32::from_le_bytes(record[4 * k..4 * k + 4].try_into().expect("four bytes"))
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Calls `f` with the byte range of each unit of `s`: runs of letters, digits and `_`, and every
/// other character but white space alone.
fn split_units(s: &str, mut f: impl FnMut(Range<usize>)) {
    let mut run: Option<usize> = None;
    for (i, c) in s.char_indices() {
        if is_word_char(c) {
            run.get_or_insert(i);
            continue;
        }
        if let Some(start) = run.take() {
            f(start..i);
        }
        if !c.is_whitespace() {
            f(i..i + c.len_utf8());
        }
    }
    if let Some(start) = run {
        f(start..s.len());
    }
}

/// A cell of the double-array trie: the base its node's children are placed from, its parent
/// node's cell plus one (zero: a free cell), and one plus where the list of the templates whose
/// phrasings end at it starts in `accepted` (zero: none). Kept as a [`CellRecord`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Cell {
    base: u32,
    parent: u32,
    accept: u32,
}

/// A [`Cell`] as the tables keep it: base, parent and accept, little-endian.
type CellRecord = [u8; 12];

impl Cell {
    #[inline]
    fn read(r: &CellRecord) -> Cell {
        Cell {
            base: word(r, 0),
            parent: word(r, 1),
            accept: word(r, 2),
        }
    }

    const fn record(self) -> CellRecord {
        let words = [self.base, self.parent, self.accept];
        let mut r = [0; 12];
        let mut i = 0;
        while i < 12 {
            r[i] = words[i / 4].to_le_bytes()[i % 4];
            i += 1;
        }
        r
    }
}

/// Marks the last template of a list in `accepted`: each accepting cell's list runs from where
/// the cell says to the first entry so marked.
const LAST: u32 = 1 << 31;

/// The parent of the root, which no cell is.
const NO_PARENT: u32 = u32::MAX;

/// Where a step that leads nowhere goes: past the end of every table, so it reads as [`NONE`].
const DEAD: u32 = u32::MAX;

/// What a cell past the end reads as: no parent, no templates, and a base that puts every step
/// from it past the end again (tables hold fewer than [`MAX_CELLS`] cells; unit numbers, but
/// [`UNKNOWN`] and [`BREAK`], are smaller still, and those two wrap round to just below 2^31).
static NONE: CellRecord = Cell {
    base: 1 << 31,
    parent: NO_PARENT,
    accept: 0,
}
.record();

/// More cells than any table may hold (stored tables with more are refused).
const MAX_CELLS: usize = 1 << 30;

/// Compiled phrase templates, each owned by one or more codes (the caller's keys, numbered).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhraseTables {
    fingerprint: u64,
    phrasings: u64,
    /// The unit table: a power of two long, at least twice the number of units.
    slots: Records<16>,
    /// For each unit number, its bytes in `arena`.
    spans: Vec<(u32, u32)>,
    arena: Cow<'static, [u8]>,
    /// The numbers of the one-byte ASCII units, without hashing.
    ascii: Vec<u32>,
    /// The trie of every phrasing, as a double array; the root is cell 0.
    cells: Records<12>,
    /// For each accepting cell, the templates whose phrasings end there: a list of template
    /// numbers, its last one marked with [`LAST`].
    accepted: Records<4>,
    /// For each template, its range of `owner_codes`.
    owners: Vec<(u32, u32)>,
    owner_codes: Vec<u32>,
}

/// Collects templates and their owners' codes; compiling waits for [`TablesBuilder::build`], so
/// that stored tables can be taken instead when the fingerprint matches.
#[derive(Debug)]
pub struct TablesBuilder<'a> {
    entries: Vec<(u32, &'a str)>,
    hash: UnitHasher,
    /// One more than the highest code added.
    codes: u32,
}

impl Default for TablesBuilder<'_> {
    fn default() -> Self {
        let mut hash = UnitHasher::default();
        hash.write(FORMAT);
        TablesBuilder {
            entries: Vec::new(),
            hash,
            codes: 0,
        }
    }
}

impl<'a> TablesBuilder<'a> {
    /// Adds templates owned by `code`.
    pub fn add<S: AsRef<str>>(&mut self, code: u32, templates: &'a [S]) {
        self.codes = self.codes.max(code.saturating_add(1));
        for t in templates {
            let t = t.as_ref();
            self.hash.write(t.as_bytes());
            self.hash.add(u64::from(code) | 1 << 40);
            self.entries.push((code, t));
        }
    }

    /// What the templates added so far, with their codes, compile to, in one number.
    pub fn fingerprint(&self) -> u64 {
        self.hash.finish()
    }

    /// Stored tables, if they are the ones these templates compile to: the fingerprint matches,
    /// and (should two sets of templates ever share one) every owner code is one added here.
    /// They are read where they lie ([`PhraseTables::from_static`]).
    pub fn load(&self, stored: &'static [u8]) -> Option<PhraseTables> {
        PhraseTables::from_static(stored).filter(|t| {
            t.fingerprint == self.fingerprint() && t.owner_codes.iter().all(|&c| c < self.codes)
        })
    }

    /// Compiles the templates, or says which are wrong (with their codes).
    pub fn build(self) -> Result<PhraseTables, Vec<(u32, String)>> {
        self.build_within(MAX_NODES)
    }

    /// [`TablesBuilder::build`], refusing templates whose trie would pass `max_nodes` nodes.
    fn build_within(self, max_nodes: usize) -> Result<PhraseTables, Vec<(u32, String)>> {
        let fingerprint = self.fingerprint();
        let mut errors = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::with_capacity(self.entries.len());
        let mut owners: Vec<Vec<u32>> = Vec::new();
        let mut parsed: Vec<Vec<Vec<String>>> = Vec::new();
        let mut texts: Vec<&str> = Vec::new();
        let mut phrasings = 0u64;
        for &(code, t) in &self.entries {
            let i = match index.get(t) {
                Some(&i) => i,
                None => {
                    let parts = Template::parse(t).and_then(|p| {
                        let count = p.count() as u64;
                        if count > MAX_PHRASINGS_PER_TEMPLATE {
                            return Err(format!(
                                "stands for {count} phrasings, more than {MAX_PHRASINGS_PER_TEMPLATE}: split it into smaller templates"
                            ));
                        }
                        phrasings = phrasings.saturating_add(count);
                        join_word_parts(p.parts())
                    });
                    match parts {
                        Ok(parts) => {
                            parsed.push(parts);
                            texts.push(t);
                        }
                        Err(e) => {
                            errors.push((code, format!("template {t:?}: {e}")));
                            continue;
                        }
                    }
                    owners.push(Vec::new());
                    index.insert(t, parsed.len() - 1);
                    parsed.len() - 1
                }
            };
            if !owners[i].contains(&code) {
                owners[i].push(code);
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut tables = PhraseTables {
            fingerprint,
            phrasings,
            slots: Cow::Owned(vec![Slot::default().record(); 1024]),
            spans: Vec::new(),
            arena: Cow::Owned(Vec::new()),
            ascii: vec![UNKNOWN; 128],
            cells: Cow::Owned(Vec::new()),
            accepted: Cow::Owned(Vec::new()),
            owners: Vec::with_capacity(owners.len()),
            owner_codes: Vec::new(),
        };
        let mut trie = Trie::default();
        // The edge map holds every child but the first of each node, one fewer than the leaves,
        // and a leaf is where some phrasing ends: room for a child a phrasing (within reason)
        // spares growing it step by step.
        trie.edges.reserve(phrasings.min(1 << 20) as usize);
        for (t, parts) in parsed.iter().enumerate() {
            let parts: Vec<Vec<Vec<u32>>> = parts
                .iter()
                .map(|alts| {
                    alts.iter()
                        .map(|alt| {
                            let mut ids = Vec::new();
                            split_units(alt, |r| ids.push(tables.intern(alt[r].as_bytes())));
                            ids
                        })
                        .collect()
                })
                .collect();
            trie.add(t as u32, &parts, 0);
            // Every node but the root counts.
            if trie.nodes.len() > max_nodes {
                return Err(vec![(
                    owners[t][0],
                    format!(
                        "template {:?}: the pack's phrasings pass {max_nodes} trie nodes in all: cut alternatives",
                        texts[t]
                    ),
                )]);
            }
        }
        for codes in &owners {
            let from = tables.owner_codes.len() as u32;
            tables.owner_codes.extend_from_slice(codes);
            tables.owners.push((from, tables.owner_codes.len() as u32));
        }
        tables.place(&trie);
        Ok(tables)
    }
}

/// The trie of every phrasing while it is built: node 0 is the root, each edge a unit; nodes are
/// numbered in the order they are made.
struct Trie {
    /// Each node, by number.
    nodes: Vec<Node>,
    /// The children of nodes by units, keyed by `node << 32 | unit`, but for each node's first
    /// child: most nodes have one child or none, and then need no hashing.
    edges: HashMap<u64, u32, EdgeHasher>,
    /// (node, template) for each template with a phrasing ending at the node, once each, in the
    /// order the templates are added.
    ends: Vec<(u32, u32)>,
}

/// A node of a [`Trie`] being built.
#[derive(Clone, Copy)]
struct Node {
    /// The node it hangs from ([`NO_PARENT`] for the root), and by which unit.
    parent: u32,
    unit: u32,
    /// One plus the last template with a phrasing ending here (zero: none yet), so that a
    /// template's many phrasings ending alike are listed once.
    last_end: u32,
    /// The first child made (zero: none, as the root is no one's child).
    first: u32,
}

impl Default for Trie {
    fn default() -> Self {
        Trie {
            nodes: vec![Node {
                parent: NO_PARENT,
                unit: 0,
                last_end: 0,
                first: 0,
            }],
            edges: HashMap::default(),
            ends: Vec::new(),
        }
    }
}

impl Trie {
    /// Adds every phrasing of template `t`, whose parts are given as lists of alternatives (each
    /// a list of units; an empty one makes its part optional), from `node` on. Templates are
    /// added in the order of their numbers.
    fn add(&mut self, t: u32, parts: &[Vec<Vec<u32>>], node: u32) {
        let Some((alts, rest)) = parts.split_first() else {
            let last = &mut self.nodes[node as usize].last_end;
            if node != 0 && *last != t + 1 {
                *last = t + 1;
                self.ends.push((node, t));
            }
            return;
        };
        for alt in alts {
            let mut n = node;
            for &u in alt {
                n = self.child(n, u);
            }
            self.add(t, rest, n);
        }
    }

    /// The child of `node` by `unit`, made if there is none.
    fn child(&mut self, node: u32, unit: u32) -> u32 {
        let next = self.nodes.len() as u32;
        let first = self.nodes[node as usize].first;
        if first == 0 {
            self.nodes[node as usize].first = next;
        } else if self.nodes[first as usize].unit == unit {
            return first;
        } else {
            let key = u64::from(node) << 32 | u64::from(unit);
            let child = *self.edges.entry(key).or_insert(next);
            if child != next {
                return child;
            }
        }
        self.nodes.push(Node {
            parent: node,
            unit,
            last_end: 0,
            first: 0,
        });
        next
    }
}

/// Lists of items, one for each node, stored in one array: node `n`'s are
/// `items[start[n]..start[n + 1]]`, in the order they were given. Grouped by counting, not
/// sorting, and without a vector for each node.
struct ByNode<T> {
    start: Vec<u32>,
    items: Vec<T>,
}

impl<T: Copy + Default> ByNode<T> {
    /// Groups `(node, item)` pairs by node, for nodes numbered below `nodes`.
    fn new(nodes: usize, pairs: impl Iterator<Item = (u32, T)> + Clone) -> Self {
        // Count each node's items, then turn the counts into where each node's run starts.
        let mut start = vec![0u32; nodes + 1];
        for (n, _) in pairs.clone() {
            start[n as usize + 1] += 1;
        }
        for n in 1..=nodes {
            start[n] += start[n - 1];
        }
        let mut next = start.clone();
        let mut items = vec![T::default(); start[nodes] as usize];
        for (n, item) in pairs {
            let at = &mut next[n as usize];
            items[*at as usize] = item;
            *at += 1;
        }
        ByNode { start, items }
    }

    fn range(&self, node: usize) -> Range<usize> {
        self.start[node] as usize..self.start[node + 1] as usize
    }

    fn of(&self, node: usize) -> &[T] {
        &self.items[self.range(node)]
    }
}

/// Which cells of a double array are taken, one bit each, so that sixty-four bases can be tried
/// at once. Cells past the end are free.
#[derive(Default)]
struct TakenCells {
    words: Vec<u64>,
    /// The first free cell: every cell before it is taken.
    first_free: usize,
}

impl TakenCells {
    /// Bit `i` tells whether cell `cell + i` is taken.
    fn sixty_four(&self, cell: usize) -> u64 {
        let word = |w: usize| self.words.get(w).copied().unwrap_or(0);
        let (w, shift) = (cell / 64, cell % 64);
        if shift == 0 {
            word(w)
        } else {
            word(w) >> shift | word(w + 1) << (64 - shift)
        }
    }

    fn take(&mut self, cell: usize) {
        let w = cell / 64;
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        self.words[w] |= 1 << (cell % 64);
        while self.sixty_four(self.first_free) == u64::MAX {
            self.first_free += 64;
        }
        self.first_free += self.sixty_four(self.first_free).trailing_ones() as usize;
    }

    /// The least base from which every one of `units` (ascending) leads to a free cell.
    fn base_for(&self, units: &[(u32, u32)]) -> usize {
        let low = units[0].0 as usize;
        // No base puts the first unit on a cell before the first free one.
        let mut base = self.first_free.saturating_sub(low);
        loop {
            // The bases from `base` on that some unit finds taken, sixty-four at a time.
            let clash = units.iter().try_fold(0, |clash, &(u, _)| {
                let clash = clash | self.sixty_four(base + u as usize);
                (clash != u64::MAX).then_some(clash)
            });
            match clash {
                Some(clash) => return base + clash.trailing_ones() as usize,
                None => base += 64,
            }
        }
    }
}

/// Joins the parts whose alternatives can meet inside a word ("roll" and "{ed|ing|}" in
/// "roll{ed|ing|} back") into one part of whole-word alternatives; the rest stay as they are.
fn join_word_parts(parts: &[Vec<String>]) -> Result<Vec<Vec<String>>, String> {
    let first_is_word = |s: &str| s.chars().next().is_some_and(is_word_char);
    let last_is_word = |s: &str| s.chars().next_back().is_some_and(is_word_char);
    // For each part, whether some phrasing up to and including it ends inside a word.
    let mut ends_in_word = Vec::with_capacity(parts.len());
    for (i, alts) in parts.iter().enumerate() {
        let before = i > 0 && ends_in_word[i - 1];
        ends_in_word.push(alts.iter().any(|a| {
            if a.is_empty() {
                before
            } else {
                last_is_word(a)
            }
        }));
    }
    // Groups of parts to join, as ranges of part indices.
    let mut groups: Vec<Range<usize>> = Vec::new();
    for (i, alts) in parts.iter().enumerate() {
        let glued = i > 0 && ends_in_word[i - 1] && alts.iter().any(|a| first_is_word(a));
        if !glued {
            groups.push(i..i + 1);
            continue;
        }
        let mut group = groups.pop().expect("a part before");
        group.end = i + 1;
        // A word can reach back through parts that may be empty.
        while group.start > 0
            && parts[group.start].iter().any(String::is_empty)
            && ends_in_word[group.start - 1]
        {
            let before = groups.pop().expect("a part before");
            group.start = before.start;
        }
        groups.push(group);
    }
    if groups.len() == parts.len() {
        return Ok(parts.to_vec());
    }
    let mut joined = Vec::with_capacity(groups.len());
    for g in groups {
        if g.len() == 1 {
            joined.push(parts[g.start].clone());
            continue;
        }
        let mut alts = vec![String::new()];
        for part in &parts[g] {
            if alts.len() * part.len() > MAX_JOINED_ALTERNATIVES {
                return Err(format!(
                    "more than {MAX_JOINED_ALTERNATIVES} ways to spell one word: split the template"
                ));
            }
            alts = alts
                .iter()
                .flat_map(|a| part.iter().map(move |b| format!("{a}{b}")))
                .collect();
        }
        joined.push(alts);
    }
    Ok(joined)
}

impl PhraseTables {
    /// How many distinct templates the tables hold.
    pub fn len(&self) -> usize {
        self.owners.len()
    }

    /// Whether the tables hold no template.
    pub fn is_empty(&self) -> bool {
        self.owners.is_empty()
    }

    /// How many phrasings the templates stand for (each combination of alternatives counts).
    pub fn phrasings(&self) -> usize {
        usize::try_from(self.phrasings).unwrap_or(usize::MAX)
    }

    #[inline]
    fn unit(&self, id: u32) -> &[u8] {
        // Any number reads as some unit, an empty one past the end: stored tables are not
        // checked slot by slot at start-up.
        let (from, to) = self.spans.get(id as usize).copied().unwrap_or((0, 0));
        self.arena.get(from as usize..to as usize).unwrap_or(&[])
    }

    /// The slot holding `unit`, or the empty slot where it belongs.
    #[inline]
    fn slot(&self, unit: &[u8]) -> usize {
        self.slot_of(unit_key(unit), unit)
    }

    /// [`PhraseTables::slot`] with the unit's key already made. Always inlined: called for
    /// nearly every token, and as a call it spent a fifth of its instructions saving registers.
    #[inline(always)]
    fn slot_of(&self, key: u64, unit: &[u8]) -> usize {
        let slots: &[SlotRecord] = &self.slots;
        let mask = slots.len() - 1;
        let mut i = slot_start(key, unit.len(), slots.len());
        loop {
            let s = Slot::read(&slots[i]);
            // Whether the slot is empty or holds the unit, tested without a short-circuit: which
            // it is (a word of no template, or one of some) is unpredictable, but that it is one
            // of the two, at the first slot tried, is nearly certain.
            let same = (s.key == key) & (s.len as usize == unit.len());
            if (s.id == 0) | same {
                // Keys of up to eight bytes are the bytes; a longer unit's is a hash.
                if !same || unit.len() <= 8 || self.unit(s.id.wrapping_sub(1)) == unit {
                    return i;
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// The number of a unit (lower case), or [`UNKNOWN`].
    #[inline]
    pub fn id(&self, unit: &[u8]) -> u32 {
        match unit {
            &[b] if b < 128 => self.ascii[b as usize],
            _ => Slot::read(&self.slots[self.slot(unit)]).id.wrapping_sub(1),
        }
    }

    /// The number of the unit at `start..end` of `text` (lower case), or [`UNKNOWN`]; a short
    /// unit's key is read with [`packed_word`].
    #[inline]
    pub fn id_at(&self, text: &[u8], start: usize, end: usize) -> u32 {
        let unit = &text[start..end];
        let key = packed_word(text, start, end).unwrap_or_else(|| unit_key(unit));
        Slot::read(&self.slots[self.slot_of(key, unit)])
            .id
            .wrapping_sub(1)
    }

    fn intern(&mut self, unit: &[u8]) -> u32 {
        let i = self.slot(unit);
        if let Some(id) = Slot::read(&self.slots[i]).id.checked_sub(1) {
            return id;
        }
        let id = self.spans.len() as u32;
        let from = self.arena.len() as u32;
        self.arena.to_mut().extend_from_slice(unit);
        self.spans.push((from, self.arena.len() as u32));
        if let &[b] = unit {
            if b < 128 {
                self.ascii[b as usize] = id;
            }
        }
        let slots = self.slots.to_mut();
        slots[i] = Slot {
            key: unit_key(unit),
            len: unit.len() as u32,
            id: id + 1,
        }
        .record();
        if self.spans.len() * 2 > slots.len() {
            let bigger = vec![Slot::default().record(); slots.len() * 2];
            let old = std::mem::replace(slots, bigger);
            let mask = slots.len() - 1;
            for s in old.iter().map(Slot::read).filter(|s| s.id != 0) {
                let mut i = slot_start(s.key, s.len as usize, slots.len());
                while Slot::read(&slots[i]).id != 0 {
                    i = (i + 1) & mask;
                }
                slots[i] = s.record();
            }
        }
        id
    }

    /// Lays the trie out as a double array: breadth first, each node's children at the first
    /// base where all their cells are free.
    fn place(&mut self, trie: &Trie) {
        let nodes = trie.nodes.len();
        // Each node's children as (unit, child), by unit.
        let mut children = ByNode::new(
            nodes,
            (1..nodes as u32).map(|c| {
                let n = trie.nodes[c as usize];
                (n.parent, (n.unit, c))
            }),
        );
        for node in 0..nodes {
            let range = children.range(node);
            children.items[range].sort_unstable();
        }
        let ends = ByNode::new(nodes, trie.ends.iter().copied());
        let mut accepted = Vec::with_capacity(ends.items.len());
        // A cell for each node, and a few left free between: room enough, as a rule.
        let mut cells = Vec::with_capacity(nodes + nodes / 8);
        cells.push(Cell {
            base: 0,
            parent: NO_PARENT,
            accept: 0,
        });
        let mut taken = TakenCells::default();
        taken.take(0);
        // (node, cell) in breadth-first order: a queue, read at `next`, that keeps what was read.
        let mut queue = Vec::with_capacity(nodes);
        queue.push((0u32, 0u32));
        let mut next = 0;
        while let Some(&(node, cell)) = queue.get(next) {
            next += 1;
            let node = node as usize;
            let ends = ends.of(node);
            // Template numbers stay below `LAST`: 2^31 distinct templates would not fit in
            // memory as text.
            if let Some((&last, rest)) = ends.split_last() {
                cells[cell as usize].accept = accepted.len() as u32 + 1;
                accepted.extend_from_slice(rest);
                accepted.push(last | LAST);
            }
            let kids = children.of(node);
            let Some(&(high, _)) = kids.last() else {
                continue;
            };
            // The first base where all the children's cells are free.
            let base = taken.base_for(kids);
            let top = base + high as usize;
            if top >= cells.len() {
                cells.resize(top + 1, Cell::default());
            }
            cells[cell as usize].base = base as u32;
            for &(u, child) in kids {
                let c = base + u as usize;
                taken.take(c);
                cells[c].parent = cell + 1;
                queue.push((child, c as u32));
            }
        }
        self.cells = Cow::Owned(cells.into_iter().map(Cell::record).collect());
        self.accepted = Cow::Owned(accepted.into_iter().map(u32::to_le_bytes).collect());
    }

    /// Tries every template at each of the places `starts` (unit indices, ascending) of an
    /// answer read into unit numbers (`ids`, with [`UNKNOWN`] and [`BREAK`] where they belong),
    /// and calls `f` with the start, the end of each template's longest match there (in units,
    /// exclusive) and its owners' codes.
    pub fn matches(
        &self,
        ids: &[u32],
        starts: impl IntoIterator<Item = usize>,
        mut f: impl FnMut(usize, usize, &[u32]),
    ) {
        let cells: &[CellRecord] = &self.cells;
        if cells.is_empty() {
            return;
        }
        // The accepting cells met from one start, with where they end, when the walk goes past
        // the first two units (the usual case, no further, needs no list).
        let mut ends: Vec<(usize, u32)> = Vec::new();
        for at in starts {
            let unit = |k: usize| ids.get(at + k).copied().unwrap_or(UNKNOWN);
            // The first two steps are taken without a branch on whether they lead anywhere: most
            // places end there, and where is what the processor cannot predict.
            let first = step(cells, 0, unit(0));
            let second = step(cells, first, unit(1));
            let (a1, a2) = (cell(cells, first).accept, cell(cells, second).accept);
            let mut found = [(at + 1, a1), (at + 2, a2)];
            let n1 = usize::from(a1 != 0);
            found[n1] = (at + 2, a2);
            let n = n1 + usize::from(a2 != 0);
            if second == DEAD {
                if n > 0 {
                    self.report(at, &found[..n], &mut f);
                }
                continue;
            }
            ends.extend_from_slice(&found[..n]);
            let mut c = second;
            for (end, &unit) in ids.iter().enumerate().skip(at + 2) {
                c = step(cells, c, unit);
                if c == DEAD {
                    break;
                }
                let accept = cell(cells, c).accept;
                if accept != 0 {
                    ends.push((end + 1, accept));
                }
            }
            self.report(at, &ends, &mut f);
            ends.clear();
        }
    }

    /// Calls `f` for each template ending at one of the accepting cells `ends` met from `at`
    /// (in order of end), with the longest end of each.
    fn report(&self, at: usize, ends: &[(usize, u32)], f: &mut impl FnMut(usize, usize, &[u32])) {
        // Longest first: a template reported at one end is not reported again at a shorter.
        for (k, &(end, accept)) in ends.iter().enumerate().rev() {
            for t in self.accepted(accept) {
                if ends[k + 1..]
                    .iter()
                    .any(|&(_, longer)| self.accepted(longer).any(|l| l == t))
                {
                    continue;
                }
                f(at, end, self.owners_of(t));
            }
        }
    }

    /// The templates whose phrasings end at an accepting cell.
    #[inline]
    fn accepted(&self, accept: u32) -> impl Iterator<Item = u32> + '_ {
        // Up to and with the first entry marked last; a stored cell pointing past the end (the
        // tables are not checked cell by cell at start-up) reads as no template.
        let list = self
            .accepted
            .get((accept as usize).wrapping_sub(1)..)
            .unwrap_or(&[]);
        let mut done = false;
        list.iter().map_while(move |e| {
            let t = word(e, 0);
            (!std::mem::replace(&mut done, t & LAST != 0)).then_some(t & !LAST)
        })
    }

    /// The owners' codes of template `t` (none for a number past the end).
    #[inline]
    fn owners_of(&self, t: u32) -> &[u32] {
        let (from, to) = self.owners.get(t as usize).copied().unwrap_or((0, 0));
        self.owner_codes
            .get(from as usize..to as usize)
            .unwrap_or(&[])
    }

    /// The tables as bytes, for [`PhraseTables::from_bytes`] and [`PhraseTables::from_static`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer(Vec::new());
        w.0.extend_from_slice(FORMAT);
        w.u64(self.fingerprint);
        w.u64(self.phrasings);
        w.records(&self.slots);
        w.array(&self.spans, |w, &(a, b)| w.pair(a, b));
        w.u32(self.arena.len() as u32);
        w.0.extend_from_slice(&self.arena);
        w.array(&self.ascii, |w, &a| w.u32(a));
        w.records(&self.cells);
        w.records(&self.accepted);
        w.array(&self.owners, |w, &(a, b)| w.pair(a, b));
        w.array(&self.owner_codes, |w, &c| w.u32(c));
        w.0
    }

    /// Tables stored by [`PhraseTables::to_bytes`] (of this version), or `None`; copied out of
    /// `bytes`.
    pub fn from_bytes(bytes: &[u8]) -> Option<PhraseTables> {
        PhraseTables::read::<Copied>(bytes)
    }

    /// [`PhraseTables::from_bytes`] for bytes that live as long as the program (the tables
    /// compiled into it): the large arrays are read where they lie, not copied.
    pub fn from_static(bytes: &'static [u8]) -> Option<PhraseTables> {
        PhraseTables::read::<InPlace>(bytes)
    }

    fn read<'a, K: Keep<'a>>(bytes: &'a [u8]) -> Option<PhraseTables> {
        let rest = bytes.strip_prefix(FORMAT)?;
        let mut r = Reader(rest);
        let fingerprint = r.u64()?;
        let phrasings = r.u64()?;
        let slots = K::keep(r.in_place::<16>()?);
        let spans = r.records(|[a, b]| (a, b))?;
        let arena = K::keep(r.in_place::<1>()?.as_flattened());
        let ascii = r.records(|[a]| a)?;
        let cells = K::keep(r.in_place::<12>()?);
        let accepted = K::keep(r.in_place::<4>()?);
        let owners = r.records(|[a, b]| (a, b))?;
        let owner_codes = r.records(|[c]| c)?;
        let tables = PhraseTables {
            fingerprint,
            phrasings,
            slots,
            spans,
            arena,
            ascii,
            cells,
            accepted,
            owners,
            owner_codes,
        };
        (r.0.is_empty() && tables.consistent()).then_some(tables)
    }

    /// Whether matching with the tables is sure to end without going out of bounds. Only what
    /// costs little is checked here: the large arrays (cells, slots, template lists) are read
    /// with every index checked, so a damaged one gives wrong matches, never a crash.
    fn consistent(&self) -> bool {
        let within = |(a, b): (u32, u32), len: usize| a <= b && b as usize <= len;
        let units = self.spans.len();
        self.slots.len().is_power_of_two()
            // Every probe of the unit table ends at an empty slot.
            && self.slots.iter().any(|s| Slot::read(s).id == 0)
            && self.cells.len() < MAX_CELLS
            && units < MAX_CELLS
            && self.ascii.len() == 128
            && self.spans.iter().all(|&s| within(s, self.arena.len()))
            && self
                .ascii
                .iter()
                .all(|&a| a == UNKNOWN || (a as usize) < units)
            && self
                .owners
                .iter()
                .all(|&r| within(r, self.owner_codes.len()))
    }
}

/// Cell `i`, or [`NONE`] past the end (as [`DEAD`] is).
#[inline]
fn cell(cells: &[CellRecord], i: u32) -> Cell {
    Cell::read(cells.get(i as usize).unwrap_or(&NONE))
}

/// The child of cell `from` by `unit`, or [`DEAD`]; a choice of values, not a branch.
#[inline]
fn step(cells: &[CellRecord], from: u32, unit: u32) -> u32 {
    let to = cell(cells, from).base.wrapping_add(unit);
    if cell(cells, to).parent == from.wrapping_add(1) {
        to
    } else {
        DEAD
    }
}

/// How stored arrays become the tables' own: borrowed where they lie, or copied.
trait Keep<'a> {
    fn keep<T: Clone + 'static>(items: &'a [T]) -> Cow<'static, [T]>;
}

struct InPlace;

impl Keep<'static> for InPlace {
    fn keep<T: Clone + 'static>(items: &'static [T]) -> Cow<'static, [T]> {
        Cow::Borrowed(items)
    }
}

struct Copied;

impl<'a> Keep<'a> for Copied {
    fn keep<T: Clone + 'static>(items: &'a [T]) -> Cow<'static, [T]> {
        Cow::Owned(items.to_vec())
    }
}

struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    fn pair(&mut self, a: u32, b: u32) {
        self.u32(a);
        self.u32(b);
    }

    fn array<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Writer, &T)) {
        self.u32(items.len() as u32);
        for item in items {
            each(self, item);
        }
    }

    /// Records as they are kept, after their count.
    fn records<const N: usize>(&mut self, records: &[[u8; N]]) {
        self.u32(records.len() as u32);
        self.0.extend_from_slice(records.as_flattened());
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn u32(&mut self) -> Option<u32> {
        let (head, rest) = self.0.split_first_chunk::<4>()?;
        self.0 = rest;
        Some(u32::from_le_bytes(*head))
    }

    fn u64(&mut self) -> Option<u64> {
        let (head, rest) = self.0.split_first_chunk::<8>()?;
        self.0 = rest;
        Some(u64::from_le_bytes(*head))
    }

    /// Records written by [`Writer::records`], where they lie.
    fn in_place<const N: usize>(&mut self) -> Option<&'a [[u8; N]]> {
        let n = self.u32()? as usize;
        // A count beyond the bytes left is a damaged file.
        let len = n.checked_mul(N).filter(|&len| len <= self.0.len())?;
        let (head, rest) = self.0.split_at(len);
        self.0 = rest;
        Some(head.as_chunks::<N>().0)
    }

    /// An array written by [`Writer::array`] whose items are `N` words each, made into `T`s.
    fn records<const N: usize, T>(&mut self, each: impl Fn([u32; N]) -> T) -> Option<Vec<T>> {
        let n = self.u32()? as usize;
        // A count beyond the bytes left is a damaged file.
        let len = n.checked_mul(4 * N).filter(|&len| len <= self.0.len())?;
        let (head, rest) = self.0.split_at(len);
        self.0 = rest;
        Some(
            head.chunks_exact(4 * N)
                .map(|record| {
                    each(std::array::from_fn(|k| {
                        u32::from_le_bytes(record[4 * k..4 * k + 4].try_into().expect("4 bytes"))
                    }))
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(templates: &[&str]) -> PhraseTables {
        let mut b = TablesBuilder::default();
        for (i, t) in templates.iter().enumerate() {
            b.add(i as u32, std::slice::from_ref(t));
        }
        b.build().unwrap()
    }

    #[test]
    fn stored_tables_read_back_the_same() {
        let t = tables(&[
            "{the |our |}canary",
            "roll{ed|ing|} back",
            "99.9%",
            "it's done",
        ]);
        let bytes = t.to_bytes();
        assert_eq!(PhraseTables::from_bytes(&bytes).as_ref(), Some(&t));
        // Tables that live as long as the program are read where they lie, not copied.
        let in_place = PhraseTables::from_static(bytes.leak()).unwrap();
        assert_eq!(in_place, t);
        assert!(matches!(in_place.cells, Cow::Borrowed(_)));
        assert!(matches!(in_place.slots, Cow::Borrowed(_)));
        assert!(matches!(in_place.accepted, Cow::Borrowed(_)));
    }

    #[test]
    fn damaged_or_foreign_bytes_are_refused() {
        let bytes = tables(&["roll back", "the canary"]).to_bytes();
        assert_eq!(PhraseTables::from_bytes(&bytes[..bytes.len() - 1]), None);
        assert_eq!(PhraseTables::from_bytes(b"not tables"), None);
        let mut other = bytes.clone();
        other[3] ^= 1;
        assert_eq!(PhraseTables::from_bytes(&other), None);
        // An index pointing outside its array.
        let mut bent = bytes.clone();
        let n = bent.len();
        bent[n - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
        bent[n - 8..n - 4].copy_from_slice(&1u32.to_le_bytes());
        let _ = PhraseTables::from_bytes(&bent); // must not panic
    }

    #[test]
    fn a_fingerprint_changes_with_any_template_or_owner() {
        let fp = |entries: &[(u32, &str)]| {
            let mut b = TablesBuilder::default();
            for (c, t) in entries {
                b.add(*c, std::slice::from_ref(t));
            }
            b.fingerprint()
        };
        let base = fp(&[(0, "roll back"), (1, "canary")]);
        assert_eq!(base, fp(&[(0, "roll back"), (1, "canary")]));
        assert_ne!(base, fp(&[(0, "roll back"), (2, "canary")]));
        assert_ne!(base, fp(&[(0, "roll back"), (1, "canaries")]));
        assert_ne!(base, fp(&[(1, "canary"), (0, "roll back")]));
    }

    #[test]
    fn stored_tables_load_only_for_their_own_templates() {
        let bytes = tables(&["roll back", "canary"]).to_bytes();
        let mut same = TablesBuilder::default();
        same.add(0, &["roll back"]);
        same.add(1, &["canary"]);
        let bytes = bytes.leak();
        assert!(same.load(bytes).is_some());
        let mut other = TablesBuilder::default();
        other.add(0, &["roll back"]);
        assert!(other.load(bytes).is_none());
    }

    #[test]
    fn stored_tables_naming_an_owner_not_added_are_refused() {
        let mut bytes = tables(&["roll back", "canary"]).to_bytes();
        // The last word of the bytes is the last owner code: make it one no builder added.
        let n = bytes.len();
        bytes[n - 4..].copy_from_slice(&7u32.to_le_bytes());
        let mut same = TablesBuilder::default();
        same.add(0, &["roll back"]);
        same.add(1, &["canary"]);
        assert!(PhraseTables::from_bytes(&bytes).is_some());
        assert!(same.load(bytes.leak()).is_none());
    }

    #[test]
    fn bad_templates_are_reported_with_their_codes() {
        let mut b = TablesBuilder::default();
        b.add(3, &["fine", "{broken"]);
        let errors = b.build().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, 3);
        assert!(errors[0].1.contains("{broken"), "{:?}", errors[0].1);
    }

    #[test]
    fn too_many_spellings_of_one_word_are_refused() {
        let alts: Vec<String> = (0..100).map(|i| format!("a{i}")).collect();
        let t = format!("x{{{}}}{{{}}}", alts.join("|"), alts.join("|"));
        let mut b = TablesBuilder::default();
        b.add(0, std::slice::from_ref(&t));
        let e = b.build().unwrap_err();
        assert!(e[0].1.contains("ways to spell one word"), "{e:?}");
    }

    #[test]
    fn phrasings_past_the_node_limit_are_refused_at_the_template_that_passes_it() {
        let mut b = TablesBuilder::default();
        b.add(0, &["roll back"]);
        b.add(1, &["{a|b|c} {d|e|f} {g|h|i}"]); // root, 2 nodes, then 3 + 9 + 27
        let e = b.build_within(20).unwrap_err();
        assert_eq!(e[0].0, 1);
        assert!(e[0].1.contains("pass 20 trie nodes"), "{e:?}");
        let mut b = TablesBuilder::default();
        b.add(0, &["roll back"]);
        b.add(1, &["{a|b|c} {d|e|f} {g|h|i}"]);
        assert!(b.build_within(42).is_ok());
    }

    #[test]
    fn a_template_with_too_many_phrasings_is_refused() {
        let alts: Vec<String> = (0..10).map(|i| format!("w{i} ")).collect();
        let group = format!("{{{}}}", alts.join("|"));
        let t = group.repeat(6); // 10^6 phrasings
        let mut b = TablesBuilder::default();
        b.add(0, std::slice::from_ref(&t));
        let e = b.build().unwrap_err();
        assert!(e[0].1.contains("split it into smaller templates"), "{e:?}");
    }

    /// Every (start, end, codes) match, found the simple way: each phrasing of each template
    /// spelled out and compared at each start; the longest phrasing of a template wins.
    fn reference(
        templates: &[(u32, String)],
        t: &PhraseTables,
        ids: &[u32],
    ) -> Vec<(usize, usize, Vec<u32>)> {
        let mut owners: Vec<(String, Vec<u32>)> = Vec::new();
        for (code, text) in templates {
            match owners.iter_mut().find(|(t, _)| t == text) {
                Some((_, codes)) if !codes.contains(code) => codes.push(*code),
                Some(_) => {}
                None => owners.push((text.clone(), vec![*code])),
            }
        }
        let mut out = Vec::new();
        for (text, codes) in &owners {
            let mut phrasings = vec![String::new()];
            for part in Template::parse(text).unwrap().parts() {
                phrasings = phrasings
                    .iter()
                    .flat_map(|p| part.iter().map(move |a| format!("{p}{a}")))
                    .collect();
            }
            let phrasings: Vec<Vec<u32>> = phrasings
                .iter()
                .map(|p| {
                    let mut units = Vec::new();
                    split_units(p, |r| units.push(t.id(p[r].as_bytes())));
                    units
                })
                .filter(|u| !u.is_empty())
                .collect();
            for at in 0..ids.len() {
                let longest = phrasings
                    .iter()
                    .filter(|p| ids[at..].starts_with(p))
                    .map(Vec::len)
                    .max();
                if let Some(n) = longest {
                    out.push((at, at + n, codes.clone()));
                }
            }
        }
        out.sort();
        out
    }

    fn template() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let word = proptest::sample::select(vec!["a", "b", "c", "ab", "it's", "9.9", "%"]);
        let part = prop_oneof![
            word.clone().prop_map(|w| format!("{w} ")),
            (proptest::collection::vec(word, 1..4), any::<bool>()).prop_map(|(ws, empty)| {
                let mut alts: Vec<String> = ws.iter().map(|w| format!("{w} ")).collect();
                if empty {
                    alts.push(String::new());
                }
                format!("{{{}}}", alts.join("|"))
            }),
            Just("{s|} ".to_string()),
        ];
        proptest::collection::vec(part, 1..5).prop_map(|p| p.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]
        /// The trie finds, at every start, each template's longest match: as spelling out every
        /// phrasing of every template and comparing them would.
        #[test]
        fn the_trie_matches_as_every_phrasing_spelled_out(
            templates in proptest::collection::vec((0u32..4, template()), 1..6),
            text in proptest::collection::vec(0usize..12, 0..30),
        ) {
            let valid: Vec<(u32, String)> = templates
                .into_iter()
                .filter(|(_, t)| Template::parse(t).is_ok())
                .collect();
            proptest::prop_assume!(!valid.is_empty());
            let mut b = TablesBuilder::default();
            for (code, t) in &valid {
                b.add(*code, std::slice::from_ref(t));
            }
            let tables = b.build().unwrap();
            let vocab = ["a", "b", "c", "ab", "it", "'", "s", "9", ".", "%", "zz", "\n"];
            let ids: Vec<u32> = text
                .iter()
                .map(|&i| if vocab[i] == "\n" { BREAK } else { tables.id(vocab[i].as_bytes()) })
                .collect();
            let mut found = Vec::new();
            tables.matches(&ids, 0..ids.len(), |at, end, codes| {
                found.push((at, end, codes.to_vec()));
            });
            found.sort();
            proptest::prop_assert_eq!(found, reference(&valid, &tables, &ids));
        }
    }
}
