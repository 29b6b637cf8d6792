//! Spans typed by their unit: byte offsets into the user's text, and 1-based line and character
//! columns for people. Keeping them apart means a byte offset is never shown as a column.

use std::ops::Range;

/// An end-exclusive range of bytes in the user's text, always on character boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByteSpan {
    /// The first byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl ByteSpan {
    /// A span from `start` to `end` (exclusive).
    pub fn new(start: usize, end: usize) -> ByteSpan {
        debug_assert!(start <= end);
        ByteSpan { start, end }
    }

    /// The span as a range, for slicing.
    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }

    /// Whether the two spans share a byte.
    pub fn overlaps(self, other: ByteSpan) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// A position for people: 1-based line, 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    /// The 1-based line.
    pub line: usize,
    /// The 1-based column, in characters (not bytes).
    pub column: usize,
}

/// The start of every line of a text, to turn byte offsets into lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the lines of `text` (split at `\n`; a `\r` before it belongs to the line).
    pub fn new(text: &str) -> LineIndex {
        LineIndex::new_in(text, Vec::new())
    }

    /// [`LineIndex::new`], in a vector kept from an earlier index.
    pub fn new_in(text: &str, mut starts: Vec<usize>) -> LineIndex {
        starts.clear();
        starts.push(0);
        // A char pattern finds each line break with memchr rather than a test per byte.
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// Takes the index's vector, for reuse; the index is left empty.
    pub(crate) fn take_starts(&mut self) -> Vec<usize> {
        std::mem::take(&mut self.starts)
    }

    /// The line and column of a byte offset of `text` (the same text the index was built on).
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let line = self.starts.partition_point(|&s| s <= offset);
        let line_start = self.starts[line - 1];
        let column = text[line_start..offset].chars().count() + 1;
        LineCol { line, column }
    }

    /// The byte range of a 1-based line, without its line break.
    pub fn line_range(&self, text: &str, line: usize) -> Range<usize> {
        let start = self.starts[line - 1];
        let end = self.starts.get(line).map_or(text.len(), |&next| next - 1);
        let end = if end > start && text.as_bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        start..end.max(start)
    }

    /// How many lines the text has.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether the text has no lines (never: an empty text has one empty line).
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "caf\u{e9} \u{2014} ok\nnext";
        let idx = LineIndex::new(text);
        let ok = text.find("ok").unwrap();
        assert_eq!(idx.line_col(text, ok), LineCol { line: 1, column: 8 });
        let next = text.find("next").unwrap();
        assert_eq!(idx.line_col(text, next), LineCol { line: 2, column: 1 });
    }

    #[test]
    fn line_ranges_drop_the_line_break() {
        let text = "one\r\ntwo\n";
        let idx = LineIndex::new(text);
        assert_eq!(&text[idx.line_range(text, 1)], "one");
        assert_eq!(&text[idx.line_range(text, 2)], "two");
        assert_eq!(&text[idx.line_range(text, 3)], "");
    }

    #[test]
    fn overlapping_spans() {
        assert!(ByteSpan::new(0, 5).overlaps(ByteSpan::new(4, 9)));
        assert!(!ByteSpan::new(0, 5).overlaps(ByteSpan::new(5, 9)));
    }
}
