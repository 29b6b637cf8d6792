//! The timed answer screen as a pure state machine: keys and clock ticks in, state and effects
//! out. No terminal here, so every behaviour is unit-tested; `tui::mock` draws it and does what
//! the effects ask (judge, save, write the draft).

use unicode_width::UnicodeWidthChar;

/// The keys, as the help overlay lists them.
pub const KEYS: &[(&str, &str)] = &[
    ("Ctrl-S", "submit the answer"),
    ("Ctrl-C", "save the draft and quit"),
    ("Enter", "new line; in the debrief, continue"),
    ("Arrows", "move; in the debrief, scroll"),
    ("Home / End", "start / end of the line"),
    (
        "Ctrl-Left / Ctrl-Right",
        "a word back / forward (also Alt-B / Alt-F)",
    ),
    ("Backspace / Delete", "delete before / at the cursor"),
    ("Ctrl-W", "delete the word before the cursor"),
    ("F1", "show or hide these keys (also ? in the debrief)"),
];

/// A key the screen reacts to, already translated from the terminal's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A printable character.
    Char(char),
    /// Enter: a new line while answering, continue while reading the debrief.
    Enter,
    /// Delete the character before the cursor.
    Backspace,
    /// Move the cursor.
    Left,
    /// Move the cursor.
    Right,
    /// Move the cursor, or scroll the debrief.
    Up,
    /// Move the cursor, or scroll the debrief.
    Down,
    /// The start of the line.
    Home,
    /// The end of the line.
    End,
    /// Delete the character at the cursor.
    Delete,
    /// A word back.
    WordLeft,
    /// A word forward.
    WordRight,
    /// Delete the word before the cursor.
    DeleteWord,
    /// Show or hide the keys.
    Help,
    /// Close the keys.
    Escape,
    /// Ctrl-S: submit the answer.
    Submit,
    /// Ctrl-C: save the draft and quit.
    Quit,
}

/// What the screen is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// The candidate types an answer against the clock.
    Answering,
    /// The debrief of the last answer is shown.
    Reviewing,
}

/// What the driver must do after a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Nothing beyond redrawing.
    None,
    /// The answer changed: write the draft.
    Edited,
    /// Judge and save this answer, then show its debrief.
    Submit(String),
    /// The debrief was read: ask the next follow-up or finish.
    Continue,
    /// Save the draft and leave.
    Quit,
}

/// A multi-line text with a cursor (row, and column in characters).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Editor {
    /// The lines, never empty.
    pub lines: Vec<String>,
    /// The cursor's line.
    pub row: usize,
    /// The cursor's column, in characters.
    pub col: usize,
}

impl Editor {
    /// An editor holding `text`, the cursor at its end.
    pub fn new(text: &str) -> Editor {
        let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        if lines.is_empty() {
            lines.push(String::new());
        }
        let row = lines.len() - 1;
        let col = lines[row].chars().count();
        Editor { lines, row, col }
    }

    /// The whole text.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    fn byte(&self) -> usize {
        let line = &self.lines[self.row];
        line.char_indices()
            .nth(self.col)
            .map_or(line.len(), |(i, _)| i)
    }

    fn width(&self, row: usize) -> usize {
        self.lines[row].chars().count()
    }

    /// Applies an editing key; returns whether the text changed.
    pub fn key(&mut self, key: Key) -> bool {
        match key {
            Key::Char(c) => {
                let at = self.byte();
                self.lines[self.row].insert(at, c);
                self.col += 1;
                true
            }
            Key::Enter => {
                let at = self.byte();
                let rest = self.lines[self.row].split_off(at);
                self.lines.insert(self.row + 1, rest);
                self.row += 1;
                self.col = 0;
                true
            }
            Key::Backspace => {
                if self.col > 0 {
                    self.col -= 1;
                    let at = self.byte();
                    self.lines[self.row].remove(at);
                    true
                } else if self.row > 0 {
                    let line = self.lines.remove(self.row);
                    self.row -= 1;
                    self.col = self.width(self.row);
                    self.lines[self.row].push_str(&line);
                    true
                } else {
                    false
                }
            }
            Key::Left => {
                if self.col > 0 {
                    self.col -= 1;
                } else if self.row > 0 {
                    self.row -= 1;
                    self.col = self.width(self.row);
                }
                false
            }
            Key::Right => {
                if self.col < self.width(self.row) {
                    self.col += 1;
                } else if self.row + 1 < self.lines.len() {
                    self.row += 1;
                    self.col = 0;
                }
                false
            }
            Key::Up => {
                if self.row > 0 {
                    self.row -= 1;
                    self.col = self.col.min(self.width(self.row));
                }
                false
            }
            Key::Down => {
                if self.row + 1 < self.lines.len() {
                    self.row += 1;
                    self.col = self.col.min(self.width(self.row));
                }
                false
            }
            Key::Home => {
                self.col = 0;
                false
            }
            Key::End => {
                self.col = self.width(self.row);
                false
            }
            Key::Delete => {
                if self.col < self.width(self.row) {
                    let at = self.byte();
                    self.lines[self.row].remove(at);
                    true
                } else if self.row + 1 < self.lines.len() {
                    let next = self.lines.remove(self.row + 1);
                    self.lines[self.row].push_str(&next);
                    true
                } else {
                    false
                }
            }
            Key::WordLeft => {
                if self.col == 0 {
                    return self.key(Key::Left);
                }
                let chars: Vec<char> = self.lines[self.row].chars().collect();
                let mut c = self.col;
                while c > 0 && !chars[c - 1].is_alphanumeric() {
                    c -= 1;
                }
                while c > 0 && chars[c - 1].is_alphanumeric() {
                    c -= 1;
                }
                self.col = c;
                false
            }
            Key::WordRight => {
                let chars: Vec<char> = self.lines[self.row].chars().collect();
                if self.col >= chars.len() {
                    return self.key(Key::Right);
                }
                let mut c = self.col;
                while c < chars.len() && !chars[c].is_alphanumeric() {
                    c += 1;
                }
                while c < chars.len() && chars[c].is_alphanumeric() {
                    c += 1;
                }
                self.col = c;
                false
            }
            Key::DeleteWord => {
                let end = self.col;
                if end == 0 {
                    return self.key(Key::Backspace);
                }
                self.key(Key::WordLeft);
                let from = self.byte();
                let to = self.lines[self.row]
                    .char_indices()
                    .nth(end)
                    .map_or(self.lines[self.row].len(), |(i, _)| i);
                self.lines[self.row].replace_range(from..to, "");
                true
            }
            Key::Submit | Key::Quit | Key::Help | Key::Escape => false,
        }
    }

    /// The text cut into display rows of `width` columns on word boundaries (a word longer
    /// than a row is cut), and the cursor's (row, column) among them. Columns are display
    /// columns: a CJK character or an emoji takes two.
    pub fn wrapped(&self, width: usize) -> (Vec<String>, (usize, usize)) {
        let width = width.max(1);
        let mut rows = Vec::new();
        let mut cursor = (0, 0);
        for (i, line) in self.lines.iter().enumerate() {
            let chars: Vec<char> = line.chars().collect();
            let starts = row_starts(&chars, width);
            let first = rows.len();
            for (n, &start) in starts.iter().enumerate() {
                let end = starts.get(n + 1).copied().unwrap_or(chars.len());
                rows.push(chars[start..end].iter().collect::<String>());
            }
            if i == self.row {
                let r = starts.partition_point(|&s| s <= self.col) - 1;
                let col: usize = chars[starts[r]..self.col].iter().map(|&c| columns(c)).sum();
                // A cursor past the end of a full row sits at the start of the next one.
                if col >= width {
                    if first + r + 1 == rows.len() {
                        rows.push(String::new());
                    }
                    cursor = (first + r + 1, 0);
                } else {
                    cursor = (first + r, col);
                }
            }
        }
        (rows, cursor)
    }
}

/// Display columns of one character.
fn columns(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// Where each display row of a line starts (character indices): a row ends after the last
/// space that fits, or, for a word longer than the row, where the row is full. A space that
/// meets the edge ends its row and is not carried to the next.
fn row_starts(chars: &[char], width: usize) -> Vec<usize> {
    let mut starts = vec![0];
    let (mut start, mut used, mut brk) = (0, 0, None);
    let mut i = 0;
    while i < chars.len() {
        let w = columns(chars[i]);
        if used + w > width && i > start {
            if chars[i] == ' ' {
                i += 1;
            } else if let Some(b) = brk.filter(|&b| b > start) {
                i = b;
            }
            start = i;
            starts.push(start);
            used = 0;
            brk = None;
            continue;
        }
        used += w;
        if chars[i] == ' ' {
            brk = Some(i + 1);
        }
        i += 1;
    }
    if starts.len() > 1 && *starts.last().expect("not empty") == chars.len() {
        starts.pop();
    }
    starts
}

/// One timed answer screen, then its debrief.
#[derive(Debug, Clone)]
pub struct Screen {
    /// The question or follow-up probe asked.
    pub prompt: String,
    /// Above the prompt: "Question" or "Follow-up 1 of 2".
    pub label: String,
    /// Answering or reviewing.
    pub stage: Stage,
    /// The answer being typed.
    pub editor: Editor,
    /// The countdown's length.
    pub limit_secs: u64,
    /// Seconds since the prompt was shown.
    pub elapsed_secs: u64,
    /// The debrief's lines, once submitted.
    pub review: Vec<String>,
    /// How far the debrief is scrolled.
    pub scroll: usize,
    /// A one-line message, such as why a submit was refused.
    pub notice: Option<String>,
    /// Whether the keys are shown over the screen.
    pub help: bool,
}

impl Screen {
    /// A screen asking `prompt` with `limit_secs` on the clock, the editor holding `draft`.
    pub fn new(label: &str, prompt: &str, limit_secs: u64, draft: &str) -> Screen {
        Screen {
            prompt: prompt.to_string(),
            label: label.to_string(),
            stage: Stage::Answering,
            editor: Editor::new(draft),
            limit_secs,
            elapsed_secs: 0,
            review: Vec::new(),
            scroll: 0,
            notice: None,
            help: false,
        }
    }

    /// Seconds left on the clock (0 once time is up).
    pub fn remaining(&self) -> u64 {
        self.limit_secs.saturating_sub(self.elapsed_secs)
    }

    /// Whether the countdown has run out. The text is kept and can still be edited.
    pub fn time_up(&self) -> bool {
        self.elapsed_secs >= self.limit_secs
    }

    /// The clock moved on.
    pub fn tick(&mut self, elapsed_secs: u64) {
        if self.stage == Stage::Answering {
            self.elapsed_secs = elapsed_secs;
        }
    }

    /// Shows the debrief of the submitted answer.
    pub fn show_review(&mut self, lines: Vec<String>) {
        self.stage = Stage::Reviewing;
        self.review = lines;
        self.scroll = 0;
        self.notice = None;
    }

    /// Asks the next prompt with a fresh editor and clock.
    pub fn ask(&mut self, label: &str, prompt: &str, limit_secs: u64) {
        *self = Screen::new(label, prompt, limit_secs, "");
    }

    /// Reacts to one key.
    pub fn key(&mut self, key: Key) -> Effect {
        if key == Key::Quit {
            return Effect::Quit;
        }
        // The keys overlay: F1 (or ? where nothing is typed) shows it, any key hides it.
        if self.help {
            self.help = false;
            return Effect::None;
        }
        if key == Key::Help || (self.stage == Stage::Reviewing && key == Key::Char('?')) {
            self.help = true;
            return Effect::None;
        }
        match self.stage {
            Stage::Answering => {
                if key == Key::Submit {
                    let text = self.editor.text();
                    if text.trim().is_empty() {
                        self.notice = Some("Type an answer before submitting.".to_string());
                        return Effect::None;
                    }
                    return Effect::Submit(text);
                }
                self.notice = None;
                if self.editor.key(key) {
                    Effect::Edited
                } else {
                    Effect::None
                }
            }
            Stage::Reviewing => match key {
                Key::Enter | Key::Submit | Key::Char(' ') => Effect::Continue,
                Key::Up => {
                    self.scroll = self.scroll.saturating_sub(1);
                    Effect::None
                }
                Key::Down => {
                    self.scroll = (self.scroll + 1).min(self.review.len().saturating_sub(1));
                    Effect::None
                }
                _ => Effect::None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(screen: &mut Screen, text: &str) {
        for c in text.chars() {
            let key = if c == '\n' { Key::Enter } else { Key::Char(c) };
            assert_eq!(screen.key(key), Effect::Edited);
        }
    }

    #[test]
    fn typing_builds_a_multi_line_answer_and_submit_hands_it_over() {
        let mut s = Screen::new("Question", "Tell me...", 180, "");
        typed(&mut s, "I halted it.\nWe lost 2 weeks.");
        assert_eq!(s.key(Key::Backspace), Effect::Edited);
        assert_eq!(
            s.key(Key::Submit),
            Effect::Submit("I halted it.\nWe lost 2 weeks".to_string())
        );
    }

    #[test]
    fn an_empty_answer_is_not_submitted() {
        let mut s = Screen::new("Question", "Tell me...", 180, "");
        typed(&mut s, "  \n");
        assert_eq!(s.key(Key::Submit), Effect::None);
        assert!(s.notice.is_some());
    }

    #[test]
    fn when_time_is_up_the_text_is_kept_and_still_editable() {
        let mut s = Screen::new("Question", "Tell me...", 180, "");
        typed(&mut s, "I owned");
        s.tick(179);
        assert!(!s.time_up());
        assert_eq!(s.remaining(), 1);
        s.tick(200);
        assert!(s.time_up());
        assert_eq!(s.remaining(), 0);
        assert_eq!(s.editor.text(), "I owned");
        typed(&mut s, " it.");
        assert_eq!(
            s.key(Key::Submit),
            Effect::Submit("I owned it.".to_string())
        );
    }

    #[test]
    fn ctrl_c_quits_from_any_stage_and_the_text_stays_for_the_draft() {
        let mut s = Screen::new("Question", "Tell me...", 180, "draft so far");
        assert_eq!(s.key(Key::Quit), Effect::Quit);
        assert_eq!(s.editor.text(), "draft so far");
        s.show_review(vec!["Verdict hire".to_string()]);
        assert_eq!(s.key(Key::Quit), Effect::Quit);
    }

    #[test]
    fn the_debrief_scrolls_and_enter_moves_on_to_the_next_probe() {
        let mut s = Screen::new("Question", "Tell me...", 180, "answer");
        s.show_review(vec!["a".into(), "b".into(), "c".into()]);
        assert_eq!(s.key(Key::Char('x')), Effect::None);
        s.key(Key::Down);
        s.key(Key::Down);
        s.key(Key::Down);
        assert_eq!(s.scroll, 2);
        s.tick(999);
        assert_eq!(s.elapsed_secs, 0, "the clock stops while reading");
        assert_eq!(s.key(Key::Enter), Effect::Continue);
        s.ask("Follow-up 1 of 2", "What was the result?", 120);
        assert_eq!(s.stage, Stage::Answering);
        assert_eq!(s.editor.text(), "");
        assert_eq!(s.remaining(), 120);
    }

    #[test]
    fn the_cursor_moves_across_lines_and_edits_in_place() {
        let mut e = Editor::new("ab\ncd");
        e.key(Key::Up);
        assert_eq!((e.row, e.col), (0, 2));
        e.key(Key::Left);
        e.key(Key::Char('X'));
        assert_eq!(e.text(), "aXb\ncd");
        e.key(Key::Down);
        e.key(Key::Right);
        e.key(Key::Right);
        e.key(Key::Right);
        assert_eq!((e.row, e.col), (1, 2));
        e.key(Key::Left);
        e.key(Key::Left);
        e.key(Key::Backspace);
        assert_eq!(e.text(), "aXbcd");
        assert_eq!((e.row, e.col), (0, 3));
    }

    #[test]
    fn long_lines_wrap_and_the_cursor_follows() {
        let e = Editor::new("abcdefg\nhi");
        let (rows, cursor) = e.wrapped(3);
        assert_eq!(rows, ["abc", "def", "g", "hi"]);
        assert_eq!(cursor, (3, 2));
        let e = Editor::new("abc");
        let (rows, cursor) = e.wrapped(3);
        assert_eq!(rows, ["abc", ""]);
        assert_eq!(cursor, (1, 0));
    }

    #[test]
    fn multibyte_characters_are_one_column_each() {
        let mut e = Editor::new("né");
        e.key(Key::Left);
        e.key(Key::Backspace);
        assert_eq!(e.text(), "é");
        e.key(Key::Char('ü'));
        assert_eq!(e.text(), "üé");
    }

    #[test]
    fn home_end_delete_and_word_moves_edit_as_in_any_editor() {
        let mut e = Editor::new("rolled back at 14:09\nthen paged");
        e.key(Key::Up);
        e.key(Key::Home);
        assert_eq!((e.row, e.col), (0, 0));
        e.key(Key::WordRight);
        assert_eq!(e.col, 6, "after \"rolled\"");
        e.key(Key::WordRight);
        assert_eq!(e.col, 11, "after \"back\"");
        e.key(Key::WordLeft);
        assert_eq!(e.col, 7, "at \"back\"");
        e.key(Key::Delete);
        assert_eq!(e.lines[0], "rolled ack at 14:09");
        e.key(Key::End);
        assert_eq!(e.col, e.lines[0].chars().count());
        e.key(Key::Delete);
        assert_eq!(
            e.text(),
            "rolled ack at 14:09then paged",
            "Delete at the end joins"
        );
        e.key(Key::WordRight);
        e.key(Key::DeleteWord);
        assert_eq!(e.text(), "rolled ack at 14: paged");
    }

    #[test]
    fn lines_wrap_on_word_boundaries() {
        let e = Editor::new("we paused the rollout");
        let (rows, cursor) = e.wrapped(10);
        assert_eq!(rows, ["we paused ", "the ", "rollout"]);
        assert_eq!(cursor, (2, 7));
        // A word longer than a row is cut.
        let (rows, _) = Editor::new("abcdefghij kl").wrapped(4);
        assert_eq!(rows, ["abcd", "efgh", "ij ", "kl"]);
    }

    #[test]
    fn wide_characters_take_two_columns() {
        let e = Editor::new("延迟很高");
        let (rows, cursor) = e.wrapped(5);
        assert_eq!(rows, ["延迟", "很高"]);
        assert_eq!(cursor, (1, 4));
        let e = Editor::new("ok 🚀 up");
        let (_, cursor) = e.wrapped(40);
        assert_eq!(cursor, (0, 8), "the rocket is two columns");
    }

    #[test]
    fn f1_shows_the_keys_and_any_key_hides_them_without_typing() {
        let mut s = Screen::new("Question", "Why?", 180, "draft");
        assert_eq!(s.key(Key::Help), Effect::None);
        assert!(s.help);
        assert_eq!(s.key(Key::Char('x')), Effect::None);
        assert!(!s.help);
        assert_eq!(s.editor.text(), "draft", "the closing key is not typed");
        // While answering, ? is a question mark.
        assert_eq!(s.key(Key::Char('?')), Effect::Edited);
        assert!(!s.help);
        s.show_review(vec!["debrief".into()]);
        s.key(Key::Char('?'));
        assert!(s.help, "in the debrief ? shows the keys");
        assert!(KEYS.iter().any(|(k, _)| *k == "Ctrl-S"));
    }
}
