//! Word pieces: the words of a sentence split the way all-MiniLM-L6-v2's tokenizer splits them
//! (BERT's WordPiece, greedy longest match first, `##` before a piece that continues a word),
//! so that the learned layer can read each piece's static vector, distilled from that model by
//! `train/static.py`. A word the sentence model never saw in training still lands near the words
//! that mean the same ("okayed" near "approved"), which hashed n-grams alone cannot do.
//!
//! The vocabulary (`wordpiece/table.rs`, each token with its id, sorted) is the model's own,
//! Apache-2.0, generated from its `tokenizer.json`; see `packs/cloudflare-pm/model/PROVENANCE.md`.


#[rustfmt::skip]
mod table;

/// A word-piece feature is this tag with the piece's id in the low bits; every other feature is
/// an FNV hash, which meets this pattern with odds of one in four billion.
pub const TAG: u64 = 0x5750_1ece_0000_0000;
const TAG_MASK: u64 = 0xffff_ffff_0000_0000;

/// How many pieces the vocabulary holds.
pub fn len() -> usize {
    table::LEN
}

/// The id of a piece (`##` before one that continues a word), by binary search over the sorted
/// vocabulary: nothing to build when the program starts.
fn id(piece: &str) -> Option<u32> {
    table::SORTED
        .binary_search_by(|(t, _)| (*t).cmp(piece))
        .ok()
        .map(|i| u32::from(table::SORTED[i].1))
}

/// The piece id a feature stands for, if it is a word-piece feature.
pub fn id_of(feature: u64) -> Option<usize> {
    (feature & TAG_MASK == TAG).then_some((feature & !TAG_MASK) as usize)
}

/// Words too common to say anything on their own: their pieces are not read. Pronouns stay
/// (whose act it was matters).
fn is_stopword(w: &str) -> bool {
    matches!(
        w,
        "the"
            | "a"
            | "an"
            | "and"
            | "or"
            | "of"
            | "to"
            | "in"
            | "on"
            | "at"
            | "by"
            | "for"
            | "with"
            | "from"
            | "as"
            | "is"
            | "was"
            | "were"
            | "be"
            | "been"
            | "are"
            | "that"
            | "this"
            | "it"
            | "its"
            | "so"
            | "um"
            | "uh"
    )
}

/// Appends the piece features of `word` (lower case) to `out`: its alphanumeric runs, each
/// split greedily into the longest pieces the vocabulary has. A run that cannot be split (BERT
/// would say `[UNK]`) adds nothing.
pub fn pieces(word: &str, scratch: &mut String, out: &mut Vec<u64>) {
    for run in word.split(|c: char| !c.is_alphanumeric()) {
        if run.is_empty() || is_stopword(run) {
            continue;
        }
        split_run(run, scratch, out, |id| TAG | u64::from(id));
    }
}

/// Appends the vocabulary ids of every piece of `word` (lower case) to `out`, stopwords and
/// the marks inside it (the apostrophe of "didn't") included, as BERT's tokenizer would read
/// it: what the contextual reader (`super::reader`) reads in order.
pub fn ids(word: &str, scratch: &mut String, out: &mut Vec<u32>) {
    let mut run_start = None;
    for (i, c) in word
        .char_indices()
        .chain(std::iter::once((word.len(), ' ')))
    {
        if c.is_alphanumeric() && i < word.len() {
            run_start.get_or_insert(i);
            continue;
        }
        if let Some(start) = run_start.take() {
            split_run(&word[start..i], scratch, out, |id| id);
        }
        if i < word.len() {
            if let Some(id) = id(c.encode_utf8(&mut [0; 4])) {
                out.push(id);
            }
        }
    }
}

/// Appends the pieces of one alphanumeric run to `out`, each id as `as_item` makes it, or
/// nothing where some part of it has no piece (or the run is implausibly long).
fn split_run<T>(run: &str, scratch: &mut String, out: &mut Vec<T>, as_item: fn(u32) -> T) {
    if run.len() > 100 {
        return;
    }
    let mark = out.len();
    let mut start = 0;
    while start < run.len() {
        let mut end = run.len();
        let mut found = None;
        while end > start {
            if run.is_char_boundary(end) {
                scratch.clear();
                if start > 0 {
                    scratch.push_str("##");
                }
                scratch.push_str(&run[start..end]);
                if let Some(id) = id(scratch) {
                    found = Some(id);
                    break;
                }
            }
            end -= 1;
        }
        match found {
            Some(id) => {
                out.push(as_item(id));
                start = end;
            }
            None => {
                out.truncate(mark);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(word: &str) -> Vec<&'static str> {
        let mut out = Vec::new();
        pieces(word, &mut String::new(), &mut out);
        let mut tokens = vec![""; len()];
        for (t, i) in table::SORTED.iter() {
            tokens[usize::from(*i)] = t;
        }
        out.iter().map(|&f| tokens[id_of(f).unwrap()]).collect()
    }

    #[test]
    fn words_split_as_the_model_splits_them() {
        assert_eq!(len(), 30522);
        assert!(
            table::SORTED.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted, no repeats"
        );
        let mut ids: Vec<u16> = table::SORTED.iter().map(|p| p.1).collect();
        ids.sort_unstable();
        assert!(ids.iter().enumerate().all(|(i, &id)| usize::from(id) == i));
        assert_eq!(split("audit"), ["audit"]);
        assert_eq!(split("okayed"), ["okay", "##ed"]);
        assert_eq!(split("follow-up"), ["follow", "up"]);
        assert_eq!(split("the"), Vec::<&str>::new());
        assert!(id_of(0x1234).is_none());
    }
}
