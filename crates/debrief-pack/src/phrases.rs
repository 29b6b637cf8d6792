//! Phrase templates compiled into tables of numbers, and matched against an answer's units.
//!
//! A unit is a run of letters and digits, or any other single visible character: "didn't" is
//! `didn`, `'`, `t`; "99.9%" is `99`, `.`, `9`, `%`. Every unit a template uses gets a number; an
//! answer is read once into numbers (by the analyzer, one lookup a unit) and templates are then
//! matched by comparing numbers, never text. A template is tried only where one of its first
//! units (its first two where the first is a common word such as "the") stands, and only when
//! the unit after that is one it can continue with (a 64-bit filter). White space does not count:
//! "99.9 %" and "99.9%" read alike.
//!
//! The tables are plain arrays, so they can be compiled at build time and stored as bytes
//! ([`PhraseTables::to_bytes`]): the default pack's are, and a program starts without compiling
//! them. A fingerprint of the templates and their owners tells whether stored tables are the ones
//! a set of templates compiles to.

use std::collections::HashMap;
use std::hash::Hasher;
use std::ops::Range;

use crate::template::Template;

/// The number of a unit that no template uses.
pub const UNKNOWN: u32 = u32::MAX;

/// The number a reader gives a paragraph or list break, which no phrase crosses.
pub const BREAK: u32 = u32::MAX - 1;

/// A template with more two-unit starts than this is tried at every place its first unit is.
const MAX_ANCHORS_PER_TEMPLATE: usize = 512;

/// Starts one unit past the anchors that a template may have and still get a filter; one with
/// more is tried wherever its anchor is.
const MAX_FOLLOWERS: usize = 4096;

/// Alternatives that join inside a word ("roll{ed|ing|}") are combined into whole words; more
/// combinations than this in one word are refused.
const MAX_JOINED_ALTERNATIVES: usize = 4096;

/// Changes whenever the tables' layout or the way templates compile changes, so that stored
/// tables from another version are never taken for current ones.
const FORMAT: &[u8; 8] = b"DBPHRS03";

/// Words so frequent in answers that a template starting with one is tried only where its first
/// two units are.
fn is_common_word(w: &[u8]) -> bool {
    matches!(
        w,
        b"a" | b"an"
            | b"the"
            | b"our"
            | b"my"
            | b"we"
            | b"i"
            | b"to"
            | b"of"
            | b"in"
            | b"on"
            | b"it"
            | b"that"
            | b"this"
            | b"and"
            | b"for"
            | b"with"
            | b"was"
            | b"is"
            | b"be"
            | b"they"
            | b"their"
            | b"at"
            | b"by"
            | b"from"
            | b"as"
            | b"so"
            | b"no"
            | b"not"
            | b"had"
            | b"have"
            | b"were"
            | b"are"
            | b"all"
            | b"but"
            | b"or"
            | b"into"
            | b"he"
            | b"she"
            | b"his"
            | b"her"
            | b"them"
            | b"us"
            | b"me"
            | b"what"
            | b"when"
            | b"which"
            | b"who"
            | b"more"
            | b"very"
            | b"just"
            | b"been"
            | b"did"
            | b"do"
            | b"then"
            | b"there"
            | b"out"
            | b"up"
    )
}

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

    fn finish(&self) -> u64 {
        (self.0 ^ (self.0 >> 29)).wrapping_mul(MULTIPLIER)
    }
}

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
/// (zero: empty).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Slot {
    key: u64,
    len: u32,
    id: u32,
}

/// A slot of the table of two-unit anchors: the pair ([`pair_key`]; `u64::MAX` is empty) and the
/// range of `anchored` it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PairSlot {
    key: u64,
    from: u32,
    to: u32,
}

const EMPTY_PAIR: PairSlot = PairSlot {
    key: u64::MAX,
    from: 0,
    to: 0,
};

fn pair_key(first: u32, second: u32) -> u64 {
    (u64::from(first) << 32) | u64::from(second)
}

/// A unit's bit in a template's filter of the units that may follow its anchor.
fn unit_bit(unit: u32) -> u64 {
    1 << (unit.wrapping_mul(0x9e37_79b1) >> 26)
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

/// A part of a template: whether it may match nothing, and its alternatives (a range of
/// `alternatives`, sorted by first unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Part {
    optional: bool,
    from: u32,
    to: u32,
}

/// An alternative: its first unit, and all its units (a range of `pool`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Alternative {
    first: u32,
    from: u32,
    to: u32,
}

/// The first units of a match, at most three.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Prefix {
    units: [u32; 3],
    len: u8,
}

impl Prefix {
    fn units(&self) -> &[u32] {
        &self.units[..self.len as usize]
    }
}

/// Compiled phrase templates, each owned by one or more codes (the caller's keys, numbered).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhraseTables {
    fingerprint: u64,
    phrasings: u64,
    /// The unit table: a power of two long, at least twice the number of units.
    slots: Vec<Slot>,
    /// For each unit number, its bytes in `arena`.
    spans: Vec<(u32, u32)>,
    arena: Vec<u8>,
    /// For each unit number, whether it is a common word.
    common: Vec<bool>,
    /// The numbers of the one-byte ASCII units, without hashing.
    ascii: Vec<u32>,
    /// For each unit number, the range of `anchored` listing the templates it starts alone.
    by_first: Vec<(u32, u32)>,
    /// Two-unit anchors, an open-addressing table a power of two long.
    by_pair: Vec<PairSlot>,
    /// Templates with their filters: the bits ([`unit_bit`]) of the units that may follow the
    /// anchor, so that most templates that cannot match are never walked.
    anchored: Vec<(u32, u64)>,
    /// For each template, its range of `parts`.
    templates: Vec<(u32, u32)>,
    parts: Vec<Part>,
    alternatives: Vec<Alternative>,
    pool: Vec<u32>,
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
    pub fn load(&self, stored: &[u8]) -> Option<PhraseTables> {
        PhraseTables::from_bytes(stored).filter(|t| {
            t.fingerprint == self.fingerprint() && t.owner_codes.iter().all(|&c| c < self.codes)
        })
    }

    /// Compiles the templates, or says which are wrong (with their codes).
    pub fn build(self) -> Result<PhraseTables, Vec<(u32, String)>> {
        let fingerprint = self.fingerprint();
        let mut errors = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::with_capacity(self.entries.len());
        let mut owners: Vec<Vec<u32>> = Vec::new();
        let mut parsed: Vec<Vec<Vec<String>>> = Vec::new();
        let mut phrasings = 0u64;
        for &(code, t) in &self.entries {
            let i = match index.get(t) {
                Some(&i) => i,
                None => {
                    let parts = Template::parse(t).and_then(|p| {
                        phrasings = phrasings.saturating_add(p.count() as u64);
                        join_word_parts(p.parts())
                    });
                    match parts {
                        Ok(parts) => parsed.push(parts),
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
            slots: vec![Slot::default(); 1024],
            spans: Vec::new(),
            arena: Vec::new(),
            common: Vec::new(),
            ascii: vec![UNKNOWN; 128],
            by_first: Vec::new(),
            by_pair: Vec::new(),
            anchored: Vec::new(),
            templates: Vec::with_capacity(parsed.len()),
            parts: Vec::new(),
            alternatives: Vec::new(),
            pool: Vec::new(),
            owners: Vec::with_capacity(owners.len()),
            owner_codes: Vec::new(),
        };
        for parts in &parsed {
            tables.add_template(parts);
        }
        for codes in &owners {
            let from = tables.owner_codes.len() as u32;
            tables.owner_codes.extend_from_slice(codes);
            tables.owners.push((from, tables.owner_codes.len() as u32));
        }
        tables.index();
        Ok(tables)
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
        self.templates.len()
    }

    /// Whether the tables hold no template.
    pub fn is_empty(&self) -> bool {
        self.templates.is_empty()
    }

    /// How many phrasings the templates stand for (each combination of alternatives counts).
    pub fn phrasings(&self) -> usize {
        usize::try_from(self.phrasings).unwrap_or(usize::MAX)
    }

    #[inline]
    fn unit(&self, id: u32) -> &[u8] {
        let (from, to) = self.spans[id as usize];
        &self.arena[from as usize..to as usize]
    }

    /// The slot holding `unit`, or the empty slot where it belongs.
    #[inline]
    fn slot(&self, unit: &[u8]) -> usize {
        self.slot_of(unit_key(unit), unit)
    }

    /// [`PhraseTables::slot`] with the unit's key already made.
    #[inline]
    fn slot_of(&self, key: u64, unit: &[u8]) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = slot_start(key, unit.len(), self.slots.len());
        loop {
            let s = self.slots[i];
            if s.id == 0
                || (s.key == key
                    && s.len as usize == unit.len()
                    && (unit.len() <= 8 || self.unit(s.id - 1) == unit))
            {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// The number of a unit (lower case), or [`UNKNOWN`].
    #[inline]
    pub fn id(&self, unit: &[u8]) -> u32 {
        match unit {
            &[b] if b < 128 => self.ascii[b as usize],
            _ => self.slots[self.slot(unit)].id.wrapping_sub(1),
        }
    }

    /// The number of the unit at `start..end` of `text` (lower case), or [`UNKNOWN`]; a short
    /// unit's key is read with [`packed_word`].
    #[inline]
    pub fn id_at(&self, text: &[u8], start: usize, end: usize) -> u32 {
        let unit = &text[start..end];
        let key = packed_word(text, start, end).unwrap_or_else(|| unit_key(unit));
        self.slots[self.slot_of(key, unit)].id.wrapping_sub(1)
    }

    fn intern(&mut self, unit: &[u8]) -> u32 {
        let i = self.slot(unit);
        if let Some(id) = self.slots[i].id.checked_sub(1) {
            return id;
        }
        let id = self.spans.len() as u32;
        let from = self.arena.len() as u32;
        self.arena.extend_from_slice(unit);
        self.spans.push((from, self.arena.len() as u32));
        self.common.push(is_common_word(unit));
        if let &[b] = unit {
            if b < 128 {
                self.ascii[b as usize] = id;
            }
        }
        self.slots[i] = Slot {
            key: unit_key(unit),
            len: unit.len() as u32,
            id: id + 1,
        };
        if self.spans.len() * 2 > self.slots.len() {
            let bigger = vec![Slot::default(); self.slots.len() * 2];
            let old = std::mem::replace(&mut self.slots, bigger);
            let mask = self.slots.len() - 1;
            for s in old.into_iter().filter(|s| s.id != 0) {
                let mut i = slot_start(s.key, s.len as usize, self.slots.len());
                while self.slots[i].id != 0 {
                    i = (i + 1) & mask;
                }
                self.slots[i] = s;
            }
        }
        id
    }

    fn add_template(&mut self, parts: &[Vec<String>]) {
        let first_part = self.parts.len() as u32;
        for alts in parts {
            let mut units: Vec<Vec<u32>> = Vec::with_capacity(alts.len());
            for alt in alts {
                let mut ids = Vec::new();
                split_units(alt, |r| ids.push(self.intern(alt[r].as_bytes())));
                units.push(ids);
            }
            let optional = units.iter().any(Vec::is_empty);
            units.retain(|u| !u.is_empty());
            units.sort_unstable();
            units.dedup();
            let from = self.alternatives.len() as u32;
            for u in units {
                let start = self.pool.len() as u32;
                self.pool.extend_from_slice(&u);
                self.alternatives.push(Alternative {
                    first: u[0],
                    from: start,
                    to: self.pool.len() as u32,
                });
            }
            self.parts.push(Part {
                optional,
                from,
                to: self.alternatives.len() as u32,
            });
        }
        self.templates.push((first_part, self.parts.len() as u32));
    }

    fn template_parts(&self, t: u32) -> &[Part] {
        let (from, to) = self.templates[t as usize];
        &self.parts[from as usize..to as usize]
    }

    /// Every way a match of template `t` can begin: its units from the first until `enough`
    /// holds of them, or the template ends; `None` if there are more than `cap`.
    fn prefixes(&self, t: u32, enough: &dyn Fn(&[u32]) -> bool, cap: usize) -> Option<Vec<Prefix>> {
        let mut out = Vec::new();
        let mut prefix = Prefix::default();
        self.collect_prefixes(self.template_parts(t), &mut prefix, enough, cap, &mut out)
            .then_some(())?;
        out.sort_unstable();
        out.dedup();
        Some(out)
    }

    /// Collects the prefixes of the matches of `parts`; false once there are more than `cap`.
    fn collect_prefixes(
        &self,
        parts: &[Part],
        prefix: &mut Prefix,
        enough: &dyn Fn(&[u32]) -> bool,
        cap: usize,
        out: &mut Vec<Prefix>,
    ) -> bool {
        let Some((part, rest)) = parts.split_first() else {
            if prefix.len > 0 {
                out.push(*prefix);
            }
            return out.len() <= cap;
        };
        if part.optional && !self.collect_prefixes(rest, prefix, enough, cap, out) {
            return false;
        }
        for alt in &self.alternatives[part.from as usize..part.to as usize] {
            let saved = *prefix;
            for &u in &self.pool[alt.from as usize..alt.to as usize] {
                prefix.units[prefix.len as usize] = u;
                prefix.len += 1;
                if enough(prefix.units()) {
                    break;
                }
            }
            let more = if enough(prefix.units()) {
                out.push(*prefix);
                out.len() <= cap
            } else {
                self.collect_prefixes(rest, prefix, enough, cap, out)
            };
            *prefix = saved;
            if !more {
                return false;
            }
        }
        true
    }

    /// Indexes every template by the units it can start with.
    fn index(&mut self) {
        let mut singles: Vec<(u32, u32, u64)> = Vec::new();
        let mut pairs: Vec<(u64, u32, u64)> = Vec::new();
        for t in 0..self.templates.len() as u32 {
            let is_common = |u: u32| self.common[u as usize];
            let anchors = self
                .prefixes(
                    t,
                    &|p| p.len() == 2 || !is_common(p[0]),
                    MAX_ANCHORS_PER_TEMPLATE,
                )
                .or_else(|| self.prefixes(t, &|p| p.len() == 1, usize::MAX))
                .expect("no cap");
            let single_alone = |first: u32| anchors.iter().any(|b| b.units() == [first]);
            // Every start one unit longer than the anchors, for the filters.
            let two = self.prefixes(t, &|p| p.len() == 2, MAX_FOLLOWERS);
            let three = if anchors.iter().any(|a| a.len == 2) {
                self.prefixes(t, &|p| p.len() == 3, MAX_FOLLOWERS)
            } else {
                None
            };
            for a in &anchors {
                match *a.units() {
                    [first] => singles.push((first, t, follow_mask(two.as_deref(), &[first]))),
                    // Where the first unit alone already starts the template, a pair would try
                    // it twice at one place.
                    [first, _] if single_alone(first) => {}
                    [first, second] => pairs.push((
                        pair_key(first, second),
                        t,
                        follow_mask(three.as_deref(), &[first, second]),
                    )),
                    _ => unreachable!("anchors are one or two units"),
                }
            }
        }
        singles.sort_unstable();
        singles.dedup();
        pairs.sort_unstable();
        pairs.dedup();
        self.anchored = Vec::with_capacity(singles.len() + pairs.len());
        self.by_first = vec![(0, 0); self.spans.len()];
        for chunk in singles.chunk_by(|a, b| a.0 == b.0) {
            let from = self.anchored.len() as u32;
            self.anchored
                .extend(chunk.iter().map(|&(_, t, mask)| (t, mask)));
            self.by_first[chunk[0].0 as usize] = (from, self.anchored.len() as u32);
        }
        let distinct = pairs.chunk_by(|a, b| a.0 == b.0).count();
        self.by_pair = vec![EMPTY_PAIR; (distinct * 2).next_power_of_two().max(16)];
        let mask = self.by_pair.len() - 1;
        for chunk in pairs.chunk_by(|a, b| a.0 == b.0) {
            let from = self.anchored.len() as u32;
            self.anchored
                .extend(chunk.iter().map(|&(_, t, mask)| (t, mask)));
            let key = chunk[0].0;
            let mut i = slot_start(key, 2, self.by_pair.len());
            while self.by_pair[i].key != u64::MAX {
                i = (i + 1) & mask;
            }
            self.by_pair[i] = PairSlot {
                key,
                from,
                to: self.anchored.len() as u32,
            };
        }
    }

    #[inline]
    fn pair(&self, first: u32, second: u32) -> Option<(u32, u32)> {
        let key = pair_key(first, second);
        let mask = self.by_pair.len() - 1;
        let mut i = slot_start(key, 2, self.by_pair.len());
        loop {
            let s = self.by_pair[i];
            if s.key == key {
                return Some((s.from, s.to));
            }
            if s.key == u64::MAX {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Tries every template that can start at unit `at` of an answer read into unit numbers
    /// (`ids`, with [`UNKNOWN`] and [`BREAK`] where they belong), and calls `f` with the end of
    /// each one's longest match (in units, exclusive) and its owners' codes.
    pub fn matches_at(&self, ids: &[u32], at: usize, mut f: impl FnMut(usize, &[u32])) {
        let Some(&id) = ids.get(at) else { return };
        if id >= BREAK {
            return;
        }
        let next = ids.get(at + 1).copied().unwrap_or(UNKNOWN);
        let mut try_all = |from: u32, to: u32, filter: u64| {
            for &(t, follows) in &self.anchored[from as usize..to as usize] {
                if follows & filter == 0 {
                    continue;
                }
                let mut best = at;
                self.walk(self.template_parts(t), ids, at, &mut best);
                if best > at {
                    let (from, to) = self.owners[t as usize];
                    f(best, &self.owner_codes[from as usize..to as usize]);
                }
            }
        };
        let (from, to) = self.by_first[id as usize];
        if from < to {
            try_all(from, to, unit_bit(next));
        }
        if self.common[id as usize] {
            if let Some((from, to)) = self.pair(id, next) {
                let third = ids.get(at + 2).copied().unwrap_or(UNKNOWN);
                try_all(from, to, unit_bit(third));
            }
        }
    }

    fn walk(&self, parts: &[Part], ids: &[u32], at: usize, best: &mut usize) {
        let Some((part, rest)) = parts.split_first() else {
            *best = (*best).max(at);
            return;
        };
        if part.optional {
            self.walk(rest, ids, at, best);
        }
        let Some(&next) = ids.get(at) else { return };
        let alternatives = &self.alternatives[part.from as usize..part.to as usize];
        let from = alternatives.partition_point(|a| a.first < next);
        for alt in &alternatives[from..] {
            if alt.first != next {
                break;
            }
            // The first unit is equal; compare the rest in place (most alternatives are a word
            // or two, too short for a call to memcmp to pay).
            let units = &self.pool[alt.from as usize + 1..alt.to as usize];
            let end = at + 1 + units.len();
            if end <= ids.len() && units.iter().zip(&ids[at + 1..end]).all(|(a, b)| a == b) {
                self.walk(rest, ids, end, best);
            }
        }
    }

    /// The tables as bytes, for [`PhraseTables::from_bytes`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer(Vec::new());
        w.0.extend_from_slice(FORMAT);
        w.u64(self.fingerprint);
        w.u64(self.phrasings);
        w.array(&self.slots, |w, s| {
            w.u64(s.key);
            w.u32(s.len);
            w.u32(s.id);
        });
        w.array(&self.spans, |w, &(a, b)| w.pair(a, b));
        w.array(&self.arena, |w, &b| w.u32(u32::from(b)));
        w.array(&self.common, |w, &c| w.u32(u32::from(c)));
        w.array(&self.ascii, |w, &a| w.u32(a));
        w.array(&self.by_first, |w, &(a, b)| w.pair(a, b));
        w.array(&self.by_pair, |w, p| {
            w.u64(p.key);
            w.pair(p.from, p.to);
        });
        w.array(&self.anchored, |w, &(t, mask)| {
            w.u32(t);
            w.u64(mask);
        });
        w.array(&self.templates, |w, &(a, b)| w.pair(a, b));
        w.array(&self.parts, |w, p| {
            w.u32(u32::from(p.optional));
            w.pair(p.from, p.to);
        });
        w.array(&self.alternatives, |w, a| {
            w.u32(a.first);
            w.pair(a.from, a.to);
        });
        w.array(&self.pool, |w, &u| w.u32(u));
        w.array(&self.owners, |w, &(a, b)| w.pair(a, b));
        w.array(&self.owner_codes, |w, &c| w.u32(c));
        w.0
    }

    /// Tables stored by [`PhraseTables::to_bytes`] (of this version), or `None`.
    pub fn from_bytes(bytes: &[u8]) -> Option<PhraseTables> {
        let rest = bytes.strip_prefix(FORMAT)?;
        let mut r = Reader(rest);
        let fingerprint = r.u64()?;
        let phrasings = r.u64()?;
        let slots = r.array(|r| {
            Some(Slot {
                key: r.u64()?,
                len: r.u32()?,
                id: r.u32()?,
            })
        })?;
        let spans = r.array(Reader::pair)?;
        let arena = r.array(|r| u8::try_from(r.u32()?).ok())?;
        let common = r.array(|r| Some(r.u32()? != 0))?;
        let ascii = r.array(Reader::u32)?;
        let by_first = r.array(Reader::pair)?;
        let by_pair = r.array(|r| {
            let key = r.u64()?;
            let (from, to) = r.pair()?;
            Some(PairSlot { key, from, to })
        })?;
        let anchored = r.array(|r| Some((r.u32()?, r.u64()?)))?;
        let templates = r.array(Reader::pair)?;
        let parts = r.array(|r| {
            let optional = r.u32()? != 0;
            let (from, to) = r.pair()?;
            Some(Part { optional, from, to })
        })?;
        let alternatives = r.array(|r| {
            let first = r.u32()?;
            let (from, to) = r.pair()?;
            Some(Alternative { first, from, to })
        })?;
        let pool = r.array(Reader::u32)?;
        let owners = r.array(Reader::pair)?;
        let owner_codes = r.array(Reader::u32)?;
        let tables = PhraseTables {
            fingerprint,
            phrasings,
            slots,
            spans,
            arena,
            common,
            ascii,
            by_first,
            by_pair,
            anchored,
            templates,
            parts,
            alternatives,
            pool,
            owners,
            owner_codes,
        };
        (r.0.is_empty() && tables.consistent()).then_some(tables)
    }

    /// Whether every index points inside its array, so that matching cannot go out of bounds.
    fn consistent(&self) -> bool {
        let within = |(a, b): (u32, u32), len: usize| a <= b && b as usize <= len;
        let units = self.spans.len();
        self.slots.len().is_power_of_two()
            && self.by_pair.len().is_power_of_two()
            && self.ascii.len() == 128
            && self.common.len() == units
            && self.by_first.len() == units
            && self.owners.len() == self.templates.len()
            && self.slots.iter().all(|s| s.id as usize <= units)
            && self.spans.iter().all(|&s| within(s, self.arena.len()))
            && self
                .ascii
                .iter()
                .all(|&a| a == UNKNOWN || (a as usize) < units)
            && self
                .by_first
                .iter()
                .all(|&r| within(r, self.anchored.len()))
            && self
                .by_pair
                .iter()
                .all(|p| within((p.from, p.to), self.anchored.len()))
            && self
                .anchored
                .iter()
                .all(|&(t, _)| (t as usize) < self.templates.len())
            && self.templates.iter().all(|&r| within(r, self.parts.len()))
            && self
                .parts
                .iter()
                .all(|p| within((p.from, p.to), self.alternatives.len()))
            && self
                .alternatives
                .iter()
                .all(|a| a.from < a.to && within((a.from, a.to), self.pool.len()))
            && self
                .owners
                .iter()
                .all(|&r| within(r, self.owner_codes.len()))
    }
}

/// The filter of the templates that start with `start`: the bits of every unit that may come
/// next, or all bits where the template may end there (or has too many ways to go on).
fn follow_mask(next: Option<&[Prefix]>, start: &[u32]) -> u64 {
    let Some(next) = next else { return u64::MAX };
    let mut mask = 0u64;
    for p in next.iter().filter(|p| p.units().starts_with(start)) {
        match p.units().get(start.len()) {
            Some(&u) => mask |= unit_bit(u),
            None => return u64::MAX,
        }
    }
    mask
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
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
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

    fn pair(&mut self) -> Option<(u32, u32)> {
        Some((self.u32()?, self.u32()?))
    }

    fn array<T>(&mut self, mut each: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let n = self.u32()? as usize;
        // Every item takes at least four bytes: a count beyond that is a damaged file.
        if n > self.0.len() / 4 {
            return None;
        }
        (0..n).map(|_| each(self)).collect()
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
        assert_eq!(PhraseTables::from_bytes(&bytes), Some(t));
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
        assert!(same.load(&bytes).is_some());
        let mut other = TablesBuilder::default();
        other.add(0, &["roll back"]);
        assert!(other.load(&bytes).is_none());
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
        assert!(same.load(&bytes).is_none());
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
}
