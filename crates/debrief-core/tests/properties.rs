//! Whatever the text, judging it never panics, every span lies inside the text on character
//! boundaries with its line and column right, and the same text gives the same judgment twice.

use std::sync::OnceLock;

use debrief_core::{builtin, Analyzer, CheckError};
use proptest::prelude::*;

fn analyzer() -> &'static Analyzer {
    static A: OnceLock<Analyzer> = OnceLock::new();
    A.get_or_init(|| Analyzer::new(builtin::pack().expect("pack")).expect("compiles"))
}

/// Words the pack reacts to, mixed with punctuation, numbers, quotes, curly apostrophes,
/// line breaks and non-ASCII text, so that generated answers reach the interesting paths.
fn answerish() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "we skipped the security review",
        "I refused to skip",
        "never",
        "rolled back",
        "canary",
        "p99",
        "340 ms",
        "99.99%",
        "10x",
        "the SRE",
        "engineering couldn\u{2019}t finish",
        "\u{201c}just ship it\u{201d}",
        "\"",
        "would have exposed",
        "?",
        ".",
        ",",
        ";",
        " - ",
        "\n",
        "\n\n",
        "- ",
        "1. ",
        "Dr.",
        "e.g.",
        "caf\u{e9}",
        "\u{1f680}",
        "\u{2014}",
        "I decided",
        "basically",
        "kind of",
        "we",
        "our VP asked us to",
        "halted the launch",
        "\t",
        "  ",
        "\r\n",
        "---\n",
        "#",
        "\u{feff}",
        "\u{0301}",
        "\u{200b}",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.join(" "))
}

fn check_invariants(text: &str) -> Result<(), TestCaseError> {
    let a = analyzer();
    match a.check(text, None) {
        Err(CheckError::Empty) => {
            prop_assert!(text.trim().is_empty());
            return Ok(());
        }
        Err(e) => return Err(TestCaseError::fail(format!("unexpected error {e}"))),
        Ok(j) => {
            prop_assert!(j.score <= 100);
            for f in &j.findings {
                prop_assert!(f.start <= f.end && f.end <= text.len(), "{f:?}");
                prop_assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
                prop_assert_eq!(&text[f.start..f.end], f.text.as_str());
                let before = &text[..f.start];
                prop_assert_eq!(f.line, before.matches('\n').count() + 1);
                let line_start = before.rfind('\n').map_or(0, |i| i + 1);
                prop_assert_eq!(f.column, text[line_start..f.start].chars().count() + 1);
            }
            let again = a.check(text, None).unwrap();
            prop_assert_eq!(j, again);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_breaks_the_invariants(text in any::<String>()) {
        check_invariants(&text)?;
    }

    #[test]
    fn answer_like_text_never_breaks_the_invariants(text in answerish()) {
        check_invariants(&text)?;
    }

    #[test]
    fn markdown_offsets_point_into_the_whole_file(body in answerish()) {
        let text = format!("---\ntitle: x\n---\n{body}");
        if let Ok(j) = analyzer().check_markdown(&text, None) {
            for f in &j.findings {
                prop_assert_eq!(&text[f.start..f.end], f.text.as_str());
                prop_assert!(f.line >= 4);
            }
        }
    }
}
