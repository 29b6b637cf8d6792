//! The timed answer screen as a pure state machine: keys and clock ticks in, state and effects
//! out. No terminal here, so every behaviour is unit-tested; `tui::mock` draws it and does what
//! the effects ask (judge, save, write the draft).

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
            Key::Submit | Key::Quit => false,
        }
    }

    /// The text cut into display rows of `width` characters, and the cursor's (row, column)
    /// among them.
    pub fn wrapped(&self, width: usize) -> (Vec<String>, (usize, usize)) {
        let width = width.max(1);
        let mut rows = Vec::new();
        let mut cursor = (0, 0);
        for (i, line) in self.lines.iter().enumerate() {
            let chars: Vec<char> = line.chars().collect();
            if i == self.row {
                cursor = (rows.len() + self.col / width, self.col % width);
            }
            if chars.is_empty() {
                rows.push(String::new());
            }
            for chunk in chars.chunks(width) {
                rows.push(chunk.iter().collect());
            }
            // A cursor at the end of a full row sits at the start of the next one.
            if i == self.row
                && chars.len().is_multiple_of(width)
                && self.col == chars.len()
                && self.col > 0
            {
                rows.push(String::new());
            }
        }
        (rows, cursor)
    }
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
}
