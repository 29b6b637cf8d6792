//! Phrase templates: words with `{a|b|}` alternatives, expanded into the literal phrases that the
//! analyzer compiles into one automaton.

/// The most phrases one template may expand to; past that a template is a sign of a mistake.
pub const MAX_EXPANSION: usize = 512;

/// Expands a template into its phrases, normalised as the analyzer matches them: lower case,
/// straight apostrophes, single spaces, trimmed. Empty results are dropped.
pub fn expand(template: &str) -> Result<Vec<String>, String> {
    let mut parts: Vec<Vec<&str>> = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        match rest.find(['{', '}']) {
            None => {
                parts.push(vec![rest]);
                rest = "";
            }
            Some(i) if rest.as_bytes()[i] == b'}' => {
                return Err("a `}` without its `{`".into());
            }
            Some(i) => {
                if i > 0 {
                    parts.push(vec![&rest[..i]]);
                }
                let after = &rest[i + 1..];
                let close = after
                    .find('}')
                    .ok_or_else(|| "a `{` without its `}`".to_string())?;
                let inner = &after[..close];
                if inner.contains('{') {
                    return Err("alternatives do not nest".into());
                }
                parts.push(inner.split('|').collect());
                rest = &after[close + 1..];
            }
        }
    }
    let total = parts
        .iter()
        .try_fold(1usize, |acc, p| acc.checked_mul(p.len()))
        .unwrap_or(usize::MAX);
    if total > MAX_EXPANSION {
        return Err(format!(
            "expands to {total} phrases, more than {MAX_EXPANSION}: split it"
        ));
    }
    let mut out = vec![String::new()];
    for p in &parts {
        let mut next = Vec::with_capacity(out.len() * p.len());
        for prefix in &out {
            for alt in p {
                next.push(format!("{prefix}{alt}"));
            }
        }
        out = next;
    }
    let mut phrases: Vec<String> = out
        .into_iter()
        .map(|s| normalize(&s))
        .filter(|s| !s.is_empty())
        .collect();
    phrases.sort();
    phrases.dedup();
    if phrases.is_empty() {
        return Err("matches nothing".into());
    }
    Ok(phrases)
}

/// Normalises a phrase the way the analyzer normalises text: lower case, straight apostrophes,
/// runs of white space as one space.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for ch in s.trim().chars() {
        if ch.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_expand_to_themselves() {
        assert_eq!(expand("Rolled Back").unwrap(), vec!["rolled back"]);
    }

    #[test]
    fn alternatives_multiply() {
        let got = expand("{skip|skipped} the {security |}review").unwrap();
        assert_eq!(
            got,
            vec![
                "skip the review",
                "skip the security review",
                "skipped the review",
                "skipped the security review"
            ]
        );
    }

    #[test]
    fn optional_part_does_not_leave_double_spaces() {
        assert_eq!(expand("a {b |}c").unwrap(), vec!["a b c", "a c"]);
    }

    #[test]
    fn curly_apostrophes_become_straight() {
        assert_eq!(
            expand("couldn\u{2019}t finish").unwrap(),
            vec!["couldn't finish"]
        );
    }

    #[test]
    fn nesting_and_unbalanced_braces_are_errors() {
        assert!(expand("{a|{b}}").is_err());
        assert!(expand("{a|b").is_err());
        assert!(expand("a}b").is_err());
    }

    #[test]
    fn huge_expansions_are_refused() {
        let t = "{a|b|c|d}".repeat(5);
        assert!(expand(&t).unwrap_err().contains("more than 512"));
    }

    #[test]
    fn an_all_empty_template_is_an_error() {
        assert!(expand("{|}").is_err());
        assert!(expand("   ").is_err());
    }
}
