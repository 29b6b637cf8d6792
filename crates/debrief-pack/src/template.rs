//! Phrase templates: words with `{a|b|}` alternatives. A template is parsed once into parts and
//! matched as it stands, never expanded into every combination: a pack with thousands of
//! phrasings then compiles in well under a millisecond.

/// A parsed template: a sequence of parts, each a set of alternatives (a plain part has one).
/// Text is normalised: lower case, straight apostrophes, runs of white space as one space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Vec<String>>,
    /// For each part, its alternatives' indices sorted by [`key`], with the keys alongside:
    /// matching tries only the alternatives that can start with the text's next letter.
    index: Vec<Vec<(u8, u16)>>,
}

/// The first byte an alternative must match, past any leading space; 0 for one that is empty.
fn key(alt: &str) -> u8 {
    alt.bytes().find(|&b| b != b' ').unwrap_or(0)
}

impl Template {
    /// Parses a template, or says what is wrong with it.
    pub fn parse(template: &str) -> Result<Template, String> {
        let mut parts: Vec<Vec<String>> = Vec::new();
        let mut rest = template;
        while !rest.is_empty() {
            match rest.find(['{', '}']) {
                None => {
                    parts.push(vec![normalize_piece(rest)]);
                    rest = "";
                }
                Some(i) if rest.as_bytes()[i] == b'}' => {
                    return Err("a `}` without its `{`".into());
                }
                Some(i) => {
                    if i > 0 {
                        parts.push(vec![normalize_piece(&rest[..i])]);
                    }
                    let after = &rest[i + 1..];
                    let close = after
                        .find('}')
                        .ok_or_else(|| "a `{` without its `}`".to_string())?;
                    let inner = &after[..close];
                    if inner.contains('{') {
                        return Err("alternatives do not nest".into());
                    }
                    let mut alts: Vec<String> = inner.split('|').map(normalize_piece).collect();
                    alts.dedup();
                    parts.push(alts);
                    rest = &after[close + 1..];
                }
            }
        }
        // A template matches nothing when every part can be empty.
        if parts
            .iter()
            .all(|alts| alts.iter().any(|a| a.trim().is_empty()))
        {
            return Err("matches nothing".into());
        }
        let index = parts
            .iter()
            .map(|alts| {
                let mut keyed: Vec<(u8, u16)> = alts
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (key(a), i as u16))
                    .collect();
                keyed.sort_unstable();
                keyed
            })
            .collect();
        Ok(Template { parts, index })
    }

    /// How many phrasings the template stands for (saturating).
    pub fn count(&self) -> usize {
        self.parts
            .iter()
            .try_fold(1usize, |acc, p| acc.checked_mul(p.len()))
            .unwrap_or(usize::MAX)
    }

    /// Every word a match can start with.
    pub fn first_words(&self) -> Vec<String> {
        self.anchors(|_| false)
    }

    /// Every way a match can start: its first word, or its first two words where the first is
    /// so common (`extend` says which) that looking for it alone would try the template at
    /// every other word of an answer. The analyzer looks for these first.
    pub fn anchors(&self, extend: impl Fn(&str) -> bool) -> Vec<String> {
        let mut out = Vec::new();
        anchors(&self.parts, 0, String::new(), &extend, &mut out);
        out.sort();
        out.dedup();
        out
    }

    /// The end of the longest match starting at `pos` in `text` (lower-cased, with white space
    /// folded to single spaces), ending on a word boundary; `None` if none.
    pub fn match_at(&self, text: &str, pos: usize) -> Option<usize> {
        let mut best: Option<usize> = None;
        walk(self, 0, text, pos, true, pos, &mut best);
        best
    }
}

fn walk(
    t: &Template,
    i: usize,
    full: &str,
    pos: usize,
    after_space: bool,
    start: usize,
    best: &mut Option<usize>,
) {
    let text = full.as_bytes();
    if i == t.parts.len() {
        // A trailing optional space ("{the |}") is not part of the match.
        let end = if after_space && pos > start && text[pos - 1] == b' ' {
            pos - 1
        } else {
            pos
        };
        let bounded = full.get(end..).is_some_and(|rest| {
            rest.chars()
                .next()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
        });
        if end > start && bounded && best.is_none_or(|b| end > b) {
            *best = Some(end);
        }
        return;
    }
    // The letter the next alternative must start with, past the space between words.
    let next = match text.get(pos) {
        Some(b' ') => text.get(pos + 1).copied().unwrap_or(0),
        Some(&b) => b,
        None => 0,
    };
    let keyed = &t.index[i];
    let empties = keyed.partition_point(|&(k, _)| k == 0);
    let (from, to) = if next == 0 {
        (empties, empties)
    } else {
        (
            keyed.partition_point(|&(k, _)| k < next),
            keyed.partition_point(|&(k, _)| k <= next),
        )
    };
    for &(_, ai) in keyed[..empties].iter().chain(&keyed[from..to]) {
        let alt = &t.parts[i][ai as usize];
        let mut p = pos;
        let mut space = after_space;
        let mut ok = true;
        for &b in alt.as_bytes() {
            if b == b' ' {
                if space {
                    continue; // spaces around an empty alternative fold into one
                }
                if text.get(p) == Some(&b' ') {
                    p += 1;
                    space = true;
                } else {
                    ok = false;
                    break;
                }
            } else if text.get(p) == Some(&b) {
                p += 1;
                space = false;
            } else {
                ok = false;
                break;
            }
        }
        if ok {
            walk(t, i + 1, full, p, space, start, best);
        }
    }
}

fn anchors(
    parts: &[Vec<String>],
    i: usize,
    prefix: String,
    extend: &dyn Fn(&str) -> bool,
    out: &mut Vec<String>,
) {
    if i == parts.len() {
        let trimmed = prefix.trim_end();
        if !trimmed.is_empty() {
            out.push(trimmed.to_string());
        }
        return;
    }
    for alt in &parts[i] {
        let mut anchor = prefix.clone();
        let mut done = false;
        for ch in alt.chars() {
            if ch == ' ' {
                if anchor.is_empty() || anchor.ends_with(' ') {
                    continue;
                }
                // A word is complete: stop, unless it is the first and too common alone.
                if anchor.contains(' ') || !extend(&anchor) {
                    done = true;
                    break;
                }
            }
            anchor.push(ch);
        }
        if done {
            out.push(anchor);
        } else {
            anchors(parts, i + 1, anchor, extend, out);
        }
    }
}

fn normalize_piece(s: &str) -> String {
    if s.bytes().all(|b| b.is_ascii_graphic() || b == b' ') && !s.contains("  ") {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for ch in s.chars() {
        if ch.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
            continue;
        }
        space = false;
        let ch = if ch == '\u{2019}' || ch == '\u{2018}' {
            '\''
        } else {
            ch
        };
        out.extend(ch.to_lowercase());
    }
    out
}

/// Checks a template; the message says what is wrong.
pub fn check(template: &str) -> Result<(), String> {
    Template::parse(template).map(|_| ())
}

/// Normalises a literal phrase the way templates are: lower case, straight apostrophes, single
/// spaces, trimmed.
pub fn normalize(s: &str) -> String {
    normalize_piece(s.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(template: &str, text: &str) -> Option<String> {
        let t = Template::parse(template).unwrap();
        t.match_at(text, 0).map(|e| text[..e].to_string())
    }

    #[test]
    fn plain_words_match_whole_words() {
        assert_eq!(
            matches("Rolled Back", "rolled back the release"),
            Some("rolled back".into())
        );
        assert_eq!(matches("rolled back", "rolled backwards"), None);
    }

    #[test]
    fn alternatives_and_optional_parts() {
        let t = "{skip|skipped} the {security |}review";
        assert_eq!(
            matches(t, "skipped the security review."),
            Some("skipped the security review".into())
        );
        assert_eq!(
            matches(t, "skip the review"),
            Some("skip the review".into())
        );
        assert_eq!(matches(t, "skipped a review"), None);
        assert_eq!(Template::parse(t).unwrap().count(), 4);
    }

    #[test]
    fn an_empty_alternative_does_not_need_two_spaces() {
        assert_eq!(matches("a {b|} c", "a c"), Some("a c".into()));
        assert_eq!(matches("a {b|} c", "a b c"), Some("a b c".into()));
        assert_eq!(matches("a {b |}c", "a c"), Some("a c".into()));
    }

    #[test]
    fn the_longest_match_wins() {
        assert_eq!(
            matches("roll{ed|} back{ the release|}", "rolled back the release"),
            Some("rolled back the release".into())
        );
    }

    #[test]
    fn a_trailing_optional_word_is_dropped_when_absent() {
        assert_eq!(matches("the {cache |}", "the origin"), Some("the".into()));
    }

    #[test]
    fn first_words_cover_every_start() {
        let t = Template::parse("{the |our |}skip{ped|ping|} review").unwrap();
        assert_eq!(
            t.first_words(),
            vec!["our", "skip", "skipped", "skipping", "the"]
        );
    }

    #[test]
    fn two_word_anchors_cover_every_start() {
        let common = |w: &str| matches!(w, "the" | "our");
        let t = Template::parse("{the |our |}canary {run|}").unwrap();
        assert_eq!(
            t.anchors(common),
            vec!["canary", "our canary", "the canary"]
        );
        let t = Template::parse("skip{ped|} the {security |}review").unwrap();
        assert_eq!(t.anchors(common), vec!["skip", "skipped"]);
        let t = Template::parse("the").unwrap();
        assert_eq!(t.anchors(common), vec!["the"]);
    }

    #[test]
    fn curly_apostrophes_and_case_are_normalised() {
        assert_eq!(
            matches("Couldn\u{2019}t finish", "couldn't finish"),
            Some("couldn't finish".into())
        );
    }

    #[test]
    fn nesting_and_unbalanced_braces_are_errors() {
        assert!(Template::parse("{a|{b}}").is_err());
        assert!(Template::parse("{a|b").is_err());
        assert!(Template::parse("a}b").is_err());
        assert!(Template::parse("{|}").is_err());
        assert!(Template::parse("   ").is_err());
    }
}
