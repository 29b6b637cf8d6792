//! Full-screen terminal screens for timed practice (ratatui on crossterm). The behaviour lives in
//! [`state`], a pure state machine; this module translates keys, draws, and does what the state
//! asks: judge and save an answer, write the draft. The draft is written under the data folder
//! within a tenth of a second of every change, so nothing typed is lost, even if the process is
//! killed.

pub mod state;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use debrief_core::interview;
use debrief_core::pack::Question;
use debrief_core::{Analyzer, Probe};
use debrief_store::Store;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Position};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::{DefaultTerminal, Frame};

use crate::cmd::mock::{self, Answered};
use crate::render;
use crate::style::Paint;
use crate::Outcome;
use state::{Effect, Key, Screen, Stage};

/// Drafts of answers being typed, one file per question and follow-up.
pub struct Drafts {
    dir: PathBuf,
    name: String,
}

impl Drafts {
    /// The drafts of `kind` (`mock`, `explain`) for `id`, in the `drafts` folder beside the
    /// database (`$DEBRIEF_HOME/drafts`).
    pub fn new(kind: &str, id: &str) -> Result<Drafts> {
        let db = debrief_store::default_location()?;
        let dir = db
            .parent()
            .map_or_else(|| PathBuf::from("drafts"), |p| p.join("drafts"));
        let id: String = id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Ok(Drafts {
            dir,
            name: format!("{kind}-{id}"),
        })
    }

    /// The draft file of step `step` (0 the question, then each follow-up).
    pub fn path(&self, step: usize) -> PathBuf {
        if step == 0 {
            self.dir.join(format!("{}.md", self.name))
        } else {
            self.dir.join(format!("{}-follow-up-{step}.md", self.name))
        }
    }

    /// The saved draft of a step, or nothing.
    pub fn read(&self, step: usize) -> String {
        std::fs::read_to_string(self.path(step)).unwrap_or_default()
    }

    /// The seconds a step's draft had already run on the clock (0 without a draft), so that a
    /// resumed draft keeps its remaining time.
    pub fn elapsed(&self, step: usize) -> u64 {
        std::fs::read_to_string(self.path(step).with_extension("md.secs"))
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0)
    }

    /// A step's draft with the seconds it has run on the clock.
    pub fn write_timed(&self, step: usize, text: &str, elapsed: u64) -> Result<PathBuf> {
        let path = self.write(step, text)?;
        let secs = path.with_extension("md.secs");
        std::fs::write(&secs, elapsed.to_string())
            .with_context(|| format!("writing {}", secs.display()))?;
        Ok(path)
    }

    /// Writes a step's draft (to a temporary file renamed over it, so a crash leaves the old
    /// draft or the new one, never half of one).
    pub fn write(&self, step: usize, text: &str) -> Result<PathBuf> {
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("creating {}", self.dir.display()))?;
        let path = self.path(step);
        let tmp = path.with_extension("md.tmp");
        std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }

    /// Removes a step's draft once its answer is saved.
    pub fn remove(&self, step: usize) {
        let _ = std::fs::remove_file(self.path(step));
        let _ = std::fs::remove_file(self.path(step).with_extension("md.secs"));
    }
}

/// Refuses to start a full-screen UI without a terminal.
pub fn require_terminal() -> Result<()> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        bail!("this needs a terminal: pass --plain to read from standard input instead");
    }
    Ok(())
}

/// The translated key, if the screen uses it.
pub fn translate(k: KeyEvent) -> Option<Key> {
    if k.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let alt = k.modifiers.contains(KeyModifiers::ALT);
    Some(match k.code {
        KeyCode::Char('c') if ctrl => Key::Quit,
        KeyCode::Char('s' | 'd') if ctrl => Key::Submit,
        KeyCode::Char('w') if ctrl => Key::DeleteWord,
        KeyCode::Char('a') if ctrl => Key::Home,
        KeyCode::Char('e') if ctrl => Key::End,
        KeyCode::Char(_) if ctrl => return None,
        KeyCode::Char('b') if alt => Key::WordLeft,
        KeyCode::Char('f') if alt => Key::WordRight,
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Backspace if ctrl || alt => Key::DeleteWord,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Delete => Key::Delete,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::Left if ctrl || alt => Key::WordLeft,
        KeyCode::Right if ctrl || alt => Key::WordRight,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::F(1) => Key::Help,
        KeyCode::Esc => Key::Escape,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Tab => Key::Char(' '),
        _ => return None,
    })
}

/// How a screen session ended.
enum Ended {
    /// Every step answered (or the candidate moved past the last debrief).
    Finished,
    /// Ctrl-C; the draft, if anything was typed, is in this file.
    Quit(Option<PathBuf>),
}

/// The mock interview's terminal UI: the question against the clock, its debrief, then each
/// follow-up and its debrief. Every submitted answer is saved at once.
pub async fn mock(
    analyzer: &Analyzer,
    store: &Store,
    question: &Question,
    minutes: u32,
    paint: Paint,
) -> Result<Outcome> {
    require_terminal()?;
    let drafts = Drafts::new("mock", &question.id)?;
    let limit = u64::from(minutes) * 60;
    let mut run = MockRun {
        analyzer,
        store,
        question,
        drafts: &drafts,
        limit,
        probes: Vec::new(),
        answers: Vec::new(),
        answer_id: None,
    };
    let mut terminal = ratatui::init();
    let ended = run.drive(&mut terminal).await;
    ratatui::restore();
    let ended = ended?;
    if let Some(first) = run.answers.first() {
        let mut out = String::new();
        println!("{}", mock::heading(question, paint));
        println!();
        render::judgment(
            &mut out,
            "answer",
            &first.text,
            &first.judgment,
            analyzer.pack(),
            paint,
        );
        print!("{out}");
        if let Some(id) = run.answer_id {
            mock::conclude(analyzer, store, question, id, &run.answers, paint).await?;
        }
        println!();
        println!(
            "Saved the answer and {}.",
            crate::listing::plural(run.answers.len() - 1, "follow-up")
        );
    }
    if let Ended::Quit(Some(path)) = ended {
        println!(
            "Draft saved to {}; `debrief mock --question {}` picks it up again.",
            path.display(),
            question.id
        );
    }
    Ok(Outcome::Ok)
}

struct MockRun<'a> {
    analyzer: &'a Analyzer,
    store: &'a Store,
    question: &'a Question,
    drafts: &'a Drafts,
    limit: u64,
    probes: Vec<Probe>,
    answers: Vec<Answered>,
    /// The saved attempt of the answer to the question, which keeps the interview's verdict.
    answer_id: Option<i64>,
}

impl MockRun<'_> {
    async fn drive(&mut self, terminal: &mut DefaultTerminal) -> Result<Ended> {
        let mut step = 0;
        let mut screen = Screen::new(
            "Question",
            &self.question.text,
            self.limit,
            &self.drafts.read(0),
        );
        // A resumed draft keeps the time it had left.
        let mut started = Instant::now()
            .checked_sub(Duration::from_secs(self.drafts.elapsed(0)))
            .unwrap_or_else(Instant::now);
        loop {
            let Some(key) = next_key(terminal, &mut screen, started)? else {
                continue;
            };
            let mut edited = false;
            match screen.key(key) {
                Effect::None => {}
                Effect::Edited => edited = true,
                Effect::Submit(text) => {
                    self.drafts.write(step, &text)?;
                    let seconds = started.elapsed().as_secs() as i64;
                    let judgment = if step == 0 {
                        mock::judge(self.analyzer, self.question, &text)?
                    } else {
                        mock::judge_follow_up(self.analyzer, self.question, &text)?
                    };
                    if step == 0 {
                        self.probes = interview::follow_ups(&judgment, self.question);
                    }
                    let answered = Answered {
                        probe: step.checked_sub(1).map(|i| self.probes[i].clone()),
                        text,
                        judgment,
                        seconds,
                        delivery: None,
                    };
                    let id = mock::save(self.store, self.question, std::slice::from_ref(&answered))
                        .await?;
                    self.answer_id.get_or_insert(id);
                    self.drafts.remove(step);
                    let mut out = String::new();
                    let name = if step == 0 {
                        "answer".to_string()
                    } else {
                        format!("follow-up {step}")
                    };
                    render::judgment(
                        &mut out,
                        &name,
                        &answered.text,
                        &answered.judgment,
                        self.analyzer.pack(),
                        Paint::new(false),
                    );
                    let mut lines = vec![
                        format!(
                            "Verdict {}, score {}/100 (scroll for the findings)",
                            answered.judgment.verdict.as_str(),
                            answered.judgment.score
                        ),
                        String::new(),
                    ];
                    lines.extend(out.lines().map(str::to_string));
                    lines.push(String::new());
                    lines.push(match self.probes.get(step) {
                        Some(p) => format!("Enter: the follow-up \"{}\"", p.question),
                        None => "Enter: finish".to_string(),
                    });
                    self.answers.push(answered);
                    screen.show_review(lines);
                }
                Effect::Continue => {
                    step += 1;
                    let Some(probe) = self.probes.get(step - 1) else {
                        return Ok(Ended::Finished);
                    };
                    let label = format!("Follow-up {step} of {}", self.probes.len());
                    screen.ask(&label, &probe.question, self.limit);
                    started = Instant::now();
                }
                Effect::Quit => {
                    let text = screen.editor.text();
                    if screen.stage == Stage::Answering && !text.trim().is_empty() {
                        let secs = started.elapsed().as_secs();
                        return Ok(Ended::Quit(Some(
                            self.drafts.write_timed(step, &text, secs)?,
                        )));
                    }
                    return Ok(Ended::Quit(None));
                }
            }
            if edited {
                // Written within this turn of the loop: a killed process loses nothing typed.
                let secs = started.elapsed().as_secs();
                self.drafts.write_timed(step, &screen.editor.text(), secs)?;
            }
        }
    }
}

/// Seconds as m:ss.
fn clock(seconds: u64) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// Draws a timed answer screen: the prompt with the countdown, the answer or its debrief, and
/// the keys.
/// One turn of a screen's loop: tick the countdown, draw, and wait up to 100 ms for a key.
fn next_key(
    terminal: &mut DefaultTerminal,
    screen: &mut Screen,
    started: Instant,
) -> Result<Option<Key>> {
    screen.tick(started.elapsed().as_secs());
    terminal.draw(|f| draw(f, screen))?;
    if !event::poll(Duration::from_millis(100))? {
        return Ok(None);
    }
    match event::read()? {
        Event::Key(k) => Ok(translate(k)),
        _ => Ok(None),
    }
}

pub fn draw(f: &mut Frame, screen: &Screen) {
    let area = f.area();
    let prompt_width = area.width.saturating_sub(2).max(1) as usize;
    let prompt_rows = screen.prompt.chars().count().div_ceil(prompt_width).max(1) as u16;
    let [top, middle, bottom] = Layout::vertical([
        Constraint::Length(prompt_rows + 2),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);

    let (clock_text, clock_style) = match screen.stage {
        Stage::Reviewing => (
            format!(" answered in {} ", clock(screen.elapsed_secs)),
            Style::default(),
        ),
        Stage::Answering if screen.time_up() => (
            " Time is up: your text is kept, Ctrl-S submits ".to_string(),
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        ),
        Stage::Answering => (
            format!(" {} left ", clock(screen.remaining())),
            if screen.remaining() <= 30 {
                Style::default()
                    .fg(Color::Yellow)
                    .add_modifier(Modifier::BOLD)
            } else {
                Style::default().add_modifier(Modifier::BOLD)
            },
        ),
    };
    let block = Block::bordered()
        .title(format!(" {} ", screen.label))
        .title_top(Line::styled(clock_text, clock_style).right_aligned());
    f.render_widget(
        Paragraph::new(screen.prompt.as_str())
            .style(Style::default().add_modifier(Modifier::BOLD))
            .wrap(Wrap { trim: false })
            .block(block),
        top,
    );

    match screen.stage {
        Stage::Answering => {
            let block = Block::bordered().title(" Your answer ");
            let inner = block.inner(middle);
            let (rows, (row, col)) = screen.editor.wrapped(inner.width.max(1) as usize);
            let height = inner.height.max(1) as usize;
            let offset = row.saturating_sub(height - 1);
            let shown: Vec<Line> = rows
                .into_iter()
                .skip(offset)
                .take(height)
                .map(Line::from)
                .collect();
            f.render_widget(Paragraph::new(shown).block(block), middle);
            f.set_cursor_position(Position::new(
                inner.x + col as u16,
                inner.y + (row - offset) as u16,
            ));
        }
        Stage::Reviewing => {
            let lines: Vec<Line> = screen
                .review
                .iter()
                .map(|l| Line::from(l.as_str()))
                .collect();
            f.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .scroll((screen.scroll.min(u16::MAX as usize) as u16, 0))
                    .block(Block::bordered().title(" Debrief ")),
                middle,
            );
        }
    }

    let words = screen.editor.text().split_whitespace().count();
    let help = match (&screen.notice, &screen.stage) {
        (Some(n), _) => n.clone(),
        (None, Stage::Answering) => {
            format!(" Ctrl-S submit · Ctrl-C save the draft and quit · F1 keys · {words} words")
        }
        (None, Stage::Reviewing) => {
            " ↑/↓ scroll · Enter continue · ? keys · Ctrl-C quit".to_string()
        }
    };
    f.render_widget(
        Paragraph::new(help).style(Style::default().add_modifier(Modifier::DIM)),
        bottom,
    );
    if screen.help {
        let width = state::KEYS
            .iter()
            .map(|(k, what)| k.chars().count() + what.chars().count() + 4)
            .max()
            .unwrap_or(20) as u16
            + 2;
        let height = state::KEYS.len() as u16 + 4;
        let w = width.min(area.width);
        let h = height.min(area.height);
        let overlay = ratatui::layout::Rect::new(
            area.x + (area.width - w) / 2,
            area.y + (area.height - h) / 2,
            w,
            h,
        );
        let key_width = state::KEYS
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        let mut lines: Vec<Line> = state::KEYS
            .iter()
            .map(|(k, what)| Line::from(format!(" {k:key_width$}  {what}")))
            .collect();
        lines.push(Line::from(""));
        lines.push(Line::styled(
            " Any key closes this",
            Style::default().add_modifier(Modifier::DIM),
        ));
        f.render_widget(ratatui::widgets::Clear, overlay);
        f.render_widget(
            Paragraph::new(lines).block(Block::bordered().title(" Keys ")),
            overlay,
        );
    }
}

/// One timed answer and its debrief on the full screen, for drills with a single prompt (the
/// explain drill). `judge` turns the submitted text into the debrief's lines and a value; the
/// result is `None` when the candidate quit before submitting (the draft is then kept).
pub fn ask_once<T>(
    label: &str,
    prompt: &str,
    limit_secs: u64,
    drafts: &Drafts,
    mut judge: impl FnMut(&str) -> Result<(Vec<String>, T)>,
) -> Result<Once<T>> {
    require_terminal()?;
    let mut terminal = ratatui::init();
    let result = (|| {
        let mut screen = Screen::new(label, prompt, limit_secs, &drafts.read(0));
        let started = Instant::now()
            .checked_sub(Duration::from_secs(drafts.elapsed(0)))
            .unwrap_or_else(Instant::now);
        let mut judged: Option<(String, T, i64)> = None;
        loop {
            let Some(key) = next_key(&mut terminal, &mut screen, started)? else {
                continue;
            };
            match screen.key(key) {
                Effect::None => {}
                Effect::Edited => drafts
                    .write_timed(0, &screen.editor.text(), started.elapsed().as_secs())
                    .map(drop)?,
                Effect::Submit(text) => {
                    drafts.write(0, &text)?;
                    let seconds = started.elapsed().as_secs() as i64;
                    let (mut lines, value) = judge(&text)?;
                    lines.push(String::new());
                    lines.push("Enter: finish".to_string());
                    screen.show_review(lines);
                    judged = Some((text, value, seconds));
                }
                Effect::Continue => break,
                Effect::Quit => {
                    if judged.is_none() {
                        let text = screen.editor.text();
                        if !text.trim().is_empty() {
                            let secs = started.elapsed().as_secs();
                            return Ok(Once::Quit(Some(drafts.write_timed(0, &text, secs)?)));
                        }
                        return Ok(Once::Quit(None));
                    }
                    break;
                }
            }
        }
        let (text, value, seconds) = judged.expect("continue comes after a submit");
        Ok(Once::Answered {
            text,
            value,
            seconds,
        })
    })();
    ratatui::restore();
    result
}

/// How [`ask_once`] ended.
pub enum Once<T> {
    /// Submitted and judged; the caller saves it, then removes the draft.
    Answered {
        /// The text as typed.
        text: String,
        /// What the judge made of it.
        value: T,
        /// Seconds from the prompt to the submit.
        seconds: i64,
    },
    /// Ctrl-C before submitting; the draft is in this file, if anything was typed.
    Quit(Option<PathBuf>),
}
