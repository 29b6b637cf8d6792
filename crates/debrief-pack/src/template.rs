//! Phrase templates: words with `{a|b|}` alternatives. A template is parsed here into parts; the
//! phrase tables ([`crate::phrases`]) then lay every phrasing it stands for (each choice among
//! its alternatives) into one trie, and the analyzer (`debrief_core::phrases`) matches answers
//! against that.

/// A parsed template: a sequence of parts, each a set of alternatives (a plain part has one).
/// Text is normalised: lower case, straight apostrophes, runs of white space as one space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Vec<String>>,
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
        Ok(Template { parts })
    }

    /// How many phrasings the template stands for (saturating).
    pub fn count(&self) -> usize {
        self.parts
            .iter()
            .try_fold(1usize, |acc, p| acc.checked_mul(p.len()))
            .unwrap_or(usize::MAX)
    }

    /// The parts in order, each with its alternatives (normalised; an empty one is optional).
    pub fn parts(&self) -> &[Vec<String>] {
        &self.parts
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(template: &str) -> Vec<Vec<String>> {
        Template::parse(template).unwrap().parts().to_vec()
    }

    #[test]
    fn parts_keep_alternatives_and_their_spaces() {
        assert_eq!(
            parts("{skip|skipped} the {security |}review"),
            vec![
                vec!["skip".to_string(), "skipped".to_string()],
                vec![" the ".to_string()],
                vec!["security ".to_string(), String::new()],
                vec!["review".to_string()],
            ]
        );
        assert_eq!(
            Template::parse("{skip|skipped} the {security |}review")
                .unwrap()
                .count(),
            4
        );
    }

    #[test]
    fn curly_apostrophes_case_and_space_runs_are_normalised() {
        assert_eq!(
            parts("Couldn\u{2019}t   Finish"),
            vec![vec!["couldn't finish".to_string()]]
        );
        assert_eq!(parts("Roll\t BACK"), vec![vec!["roll back".to_string()]]);
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
