//! Markdown answers and stories: front matter between `---` lines at the top is metadata, not
//! part of the answer.

/// The byte offset where the body starts: after the closing `---` line of front matter, or 0
/// when the text has none.
pub fn body_start(text: &str) -> usize {
    let first_len = if text.starts_with("---\n") {
        4
    } else if text.starts_with("---\r\n") {
        5
    } else {
        return 0;
    };
    let mut offset = first_len;
    for line in text[first_len..].split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        offset += line.len();
        if bare == "---" || bare == "..." {
            return offset;
        }
    }
    0
}

/// The front matter's text (without its fences), if the text has any.
pub fn front_matter(text: &str) -> Option<&str> {
    let end = body_start(text);
    if end == 0 {
        return None;
    }
    let inner = &text[..end];
    let start = inner.find('\n').map_or(0, |i| i + 1);
    let close = inner[..inner.len() - 1]
        .rfind('\n')
        .map_or(start, |i| i + 1);
    Some(&text[start..close.max(start)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_skipped() {
        let text = "---\ntitle: Halted launch\ntags: [safety]\n---\nI held the launch.";
        assert_eq!(&text[body_start(text)..], "I held the launch.");
        assert_eq!(
            front_matter(text),
            Some("title: Halted launch\ntags: [safety]\n")
        );
    }

    #[test]
    fn text_without_front_matter_starts_at_zero() {
        assert_eq!(body_start("I held the launch.\n---\n"), 0);
        assert_eq!(body_start("---\nnever closed"), 0);
        assert_eq!(front_matter("plain"), None);
    }
}
