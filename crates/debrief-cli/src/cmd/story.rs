//! `debrief story add|edit|list|show|check|rm`: the story bank. Stories are Markdown with front
//! matter (title, tags, questions); every saved version is judged and kept.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use debrief_core::{Analyzer, Judgment};
use debrief_store::{Store, StoryMeta};
use serde::Serialize;

use crate::database::with_store;
use crate::listing::{self, Format};
use crate::style::Paint;
use crate::{input, packdir, render, Cli, Outcome};

/// The largest story accepted.
const MAX_STORY_BYTES: u64 = 1 << 20;

/// What `story add` opens in $EDITOR.
const TEMPLATE: &str =
    "---\ntitle: \ntags: []\nquestions: []\n---\nSituation: \n\nTask: \n\nAction: \n\nResult: \n";

/// Work with the story bank.
#[derive(clap::Subcommand, Debug)]
#[command(
    after_help = "A story is Markdown with front matter:\n\n  ---\n  title: Halted the WAF rollout\n  tags: [launch, security]\n  questions: [halted-launch, security-vs-deadline]\n  ---\n  Situation: ...\n\nExamples:\n  debrief story add waf-rollout.md\n  debrief story show 3 --history\n  debrief story edit 3"
)]
pub enum StoryCommand {
    /// Add a story from a Markdown file (`-` reads standard input), or write one in $EDITOR.
    #[command(
        after_help = "Examples:\n  debrief story add waf-rollout.md\n  debrief story add            (opens $VISUAL or $EDITOR on a template)"
    )]
    Add {
        /// The story file; without it, $VISUAL or $EDITOR opens a template.
        #[arg(value_name = "FILE")]
        file: Option<String>,
    },
    /// Save a new version of a story: from FILE, or rewritten in $EDITOR.
    #[command(
        after_help = "Examples:\n  debrief story edit 3 waf-rollout-v2.md\n  debrief story edit 3         (opens the latest version in $EDITOR)"
    )]
    Edit {
        /// The story's id (`debrief story list`).
        id: i64,
        /// The new version; without it, $VISUAL or $EDITOR opens the latest one.
        #[arg(value_name = "FILE")]
        file: Option<String>,
    },
    /// List the stories with their latest verdict and score.
    #[command(after_help = "Examples:\n  debrief story list\n  debrief story list --format json")]
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Show a story: its latest version, or with --history every version with its score.
    #[command(
        after_help = "Examples:\n  debrief story show 3\n  debrief story show 3 --history --format json"
    )]
    Show {
        /// The story's id.
        id: i64,
        /// Every saved version with its score, so each rewrite's effect shows.
        #[arg(long)]
        history: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Judge the latest version again with the current pack, showing every finding.
    #[command(
        after_help = "Examples:\n  debrief story check 3\n  debrief --pack my-pack story check 3"
    )]
    Check {
        /// The story's id.
        id: i64,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Remove a story and every version of it.
    #[command(after_help = "Examples:\n  debrief story rm 3\n  debrief story rm 3 --yes")]
    Rm {
        /// The story's id.
        id: i64,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
}

pub fn run(cli: &Cli, command: &StoryCommand, color: bool) -> Result<Outcome> {
    let paint = Paint::new(color);
    match command {
        StoryCommand::Add { file } => {
            let analyzer = packdir::analyzer(cli.pack.as_deref())?;
            let (name, text) = match file {
                Some(name) => {
                    let inp = input::read(name, MAX_STORY_BYTES)?;
                    (inp.name, inp.text)
                }
                None => {
                    let (path, text) = edit_in_editor(TEMPLATE, "new")?;
                    (path.display().to_string(), text)
                }
            };
            let (meta, judgment) = judge_story(&analyzer, &name, &text)?;
            let (meta, text, judged) = (&meta, &text, &judgment);
            let (id, same) = with_store(cli, |store| async move {
                let same = store.story_with_text(text, None).await?;
                Ok((store.add_story(meta, text, judged).await?, same))
            })?;
            if file.is_none() {
                let _ = std::fs::remove_file(&name);
            }
            println!(
                "Added story {id} (version 1): {} {}/100. `debrief story check {id}` shows why.",
                verdict(&paint, judgment.verdict.as_str()),
                judgment.score
            );
            if let Some((first, title)) = same {
                warn_same_text(&paint, id, first, &title);
            }
            Ok(Outcome::Ok)
        }
        StoryCommand::Edit { id, file } => {
            let id = *id;
            let analyzer = packdir::analyzer(cli.pack.as_deref())?;
            with_store(cli, |store| async move {
                let story = find(&store, id).await?;
                let latest = story.latest().context("the story has no version")?;
                let (name, text, temp) = match file {
                    Some(name) => {
                        let inp = input::read(name, MAX_STORY_BYTES)?;
                        (inp.name, inp.text, None)
                    }
                    None => {
                        let (path, text) = edit_in_editor(&latest.markdown, &id.to_string())?;
                        (path.display().to_string(), text, Some(path))
                    }
                };
                if text == latest.markdown {
                    if let Some(path) = temp {
                        let _ = std::fs::remove_file(path);
                    }
                    println!("Story {id} is unchanged; no new version saved.");
                    return Ok(Outcome::Ok);
                }
                let (meta, judgment) = judge_story(&analyzer, &name, &text)?;
                let same = store.story_with_text(&text, Some(id)).await?;
                let version = store
                    .add_version(id, &meta, &text, &judgment)
                    .await?
                    .with_context(|| format!("story {id} was removed meanwhile"))?;
                if let Some(path) = temp {
                    let _ = std::fs::remove_file(path);
                }
                let change = i64::from(judgment.score) - latest.score;
                println!(
                    "Saved story {id} version {version}: {} {}/100 ({change:+} from {} {}).",
                    verdict(&paint, judgment.verdict.as_str()),
                    judgment.score,
                    latest.verdict,
                    latest.score
                );
                if let Some((first, title)) = same {
                    warn_same_text(&paint, id, first, &title);
                }
                Ok(Outcome::Ok)
            })
        }
        StoryCommand::List { format } => with_store(cli, |store| async move {
            let stories = store.stories().await?;
            if *format == Format::Json {
                listing::print_json(&stories)?;
                return Ok(Outcome::Ok);
            }
            if stories.is_empty() {
                println!("No stories yet: `debrief story add FILE` adds one.");
                return Ok(Outcome::Ok);
            }
            println!(
                "{}",
                paint.bold(&format!(
                    "{:>4}  {:>5}  {:<14}  {:>3}  {}",
                    "ID", "SCORE", "VERDICT", "VER", "TITLE"
                ))
            );
            for s in &stories {
                println!(
                    "{:>4}  {:>5}  {}  {:>3}  {}{}",
                    s.id,
                    s.score,
                    verdict(&paint, &format!("{:<14}", s.verdict)),
                    s.versions,
                    s.meta.title,
                    questions_suffix(&paint, &s.meta.questions)
                );
            }
            Ok(Outcome::Ok)
        }),
        StoryCommand::Show {
            id,
            history,
            format,
        } => {
            let (id, history) = (*id, *history);
            with_store(cli, |store| async move {
                let mut story = find(&store, id).await?;
                if *format == Format::Json {
                    if !history {
                        let keep = story.versions.len().saturating_sub(1);
                        story.versions.drain(..keep);
                    }
                    listing::print_json(&story)?;
                    return Ok(Outcome::Ok);
                }
                let latest = story.latest().context("the story has no version")?;
                println!(
                    "{}",
                    paint.bold(&format!("Story {}: {}", story.id, story.meta.title))
                );
                if !story.meta.tags.is_empty() {
                    println!("tags: {}", story.meta.tags.join(", "));
                }
                if !story.meta.questions.is_empty() {
                    println!("questions: {}", story.meta.questions.join(", "));
                }
                println!(
                    "version {} of {}, saved {}: {} {}/100",
                    latest.version,
                    story.versions.len(),
                    listing::day(latest.created),
                    verdict(&paint, &latest.verdict),
                    latest.score
                );
                if history {
                    println!();
                    println!(
                        "{}",
                        paint.bold("VERSION  SAVED       SCORE  CHANGE  VERDICT")
                    );
                    let mut previous: Option<i64> = None;
                    for v in &story.versions {
                        let change =
                            previous.map_or(String::new(), |p| format!("{:+}", v.score - p));
                        println!(
                            "{:>7}  {}  {:>5}  {:>6}  {}",
                            v.version,
                            listing::day(v.created),
                            v.score,
                            change,
                            verdict(&paint, &v.verdict)
                        );
                        previous = Some(v.score);
                    }
                } else {
                    let body =
                        &latest.markdown[debrief_core::markdown::body_start(&latest.markdown)..];
                    println!();
                    println!("{}", body.trim_end());
                }
                Ok(Outcome::Ok)
            })
        }
        StoryCommand::Check { id, format } => {
            let id = *id;
            let analyzer = packdir::analyzer(cli.pack.as_deref())?;
            with_store(cli, |store| async move {
                let story = find(&store, id).await?;
                let latest = story.latest().context("the story has no version")?;
                let name = format!("story {id}");
                let (_, judgment) = judge_story(&analyzer, &name, &latest.markdown)?;
                match format {
                    Format::Json => {
                        #[derive(Serialize)]
                        struct Report<'a> {
                            path: &'a str,
                            story: i64,
                            version: i64,
                            #[serde(flatten)]
                            judgment: &'a Judgment,
                        }
                        println!(
                            "{}",
                            serde_json::to_string(&Report {
                                path: &name,
                                story: id,
                                version: latest.version,
                                judgment: &judgment,
                            })?
                        );
                    }
                    Format::Human => {
                        let mut out = String::new();
                        let name = format!("story {id} version {}", latest.version);
                        render::judgment(
                            &mut out,
                            &name,
                            &latest.markdown,
                            &judgment,
                            analyzer.pack(),
                            paint,
                        );
                        print!("{out}");
                    }
                }
                Ok(Outcome::Ok)
            })
        }
        StoryCommand::Rm { id, yes } => {
            let (id, yes) = (*id, *yes);
            with_store(cli, |store| async move {
                let story = find(&store, id).await?;
                if !yes
                    && !listing::confirm(&format!(
                        "Remove story {id} \"{}\" and its {}?",
                        story.meta.title,
                        listing::plural(story.versions.len(), "version")
                    ))?
                {
                    println!("Nothing removed.");
                    return Ok(Outcome::Ok);
                }
                store.remove_story(id).await?;
                println!("Removed story {id} \"{}\".", story.meta.title);
                Ok(Outcome::Ok)
            })
        }
    }
}

/// The story with this id, or an error that says how to find ids.
async fn find(store: &Store, id: i64) -> Result<debrief_store::Story> {
    store
        .story(id)
        .await?
        .with_context(|| format!("no story {id}: `debrief story list` shows the ids"))
}

/// Reads a story's front matter and judges it against its first question.
fn judge_story(analyzer: &Analyzer, name: &str, text: &str) -> Result<(StoryMeta, Judgment)> {
    let meta = parse_front_matter(text).map_err(|why| anyhow::anyhow!("{name}: {why}"))?;
    for q in &meta.questions {
        if analyzer.pack().question(q).is_none() {
            bail!("{name}: unknown question {q:?} in the front matter: `debrief questions` lists the ids");
        }
    }
    let judgment = analyzer
        .check_markdown(text, meta.questions.first().map(String::as_str))
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    Ok((meta, judgment))
}

/// Reads title, tags and questions from a story's front matter: `key: value` and
/// `key: [a, b]` lines; other keys are left alone.
pub fn parse_front_matter(text: &str) -> Result<StoryMeta, String> {
    let Some(front) = debrief_core::markdown::front_matter(text) else {
        return Err(
            "the story has no front matter: start it with `---`, a `title: ...` line and `---`"
                .into(),
        );
    };
    let mut meta = StoryMeta::default();
    for line in front.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "title" => meta.title = unquote(value).to_string(),
            "tags" => meta.tags = list(value),
            "questions" | "question" => meta.questions = list(value),
            _ => {}
        }
    }
    if meta.title.is_empty() {
        return Err("the story has no title: add a `title: ...` line to its front matter".into());
    }
    Ok(meta)
}

/// `[a, "b"]` or `a, b` as a list.
fn list(value: &str) -> Vec<String> {
    let inner = value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(value);
    inner
        .split(',')
        .map(|item| unquote(item.trim()).to_string())
        .filter(|item| !item.is_empty())
        .collect()
}

fn unquote(value: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return inner;
        }
    }
    value
}

/// Opens `initial` in the user's editor and returns the file and what was saved in it. The file
/// is kept when the story is refused, so nothing typed is lost.
/// Says on stderr that story `id` now has the same text as story `first`, so that the candidate
/// knows readiness counts the two once.
fn warn_same_text(paint: &Paint, id: i64, first: i64, title: &str) {
    eprintln!(
        "{} story {id} has the same text as story {first} \"{}\": readiness counts them once \
         (`debrief story rm {id}` removes the copy)",
        paint.yellow("warning:"),
        listing::clip(title, 40)
    );
}

fn edit_in_editor(initial: &str, label: &str) -> Result<(PathBuf, String)> {
    let editor = std::env::var("VISUAL")
        .ok()
        .or_else(|| std::env::var("EDITOR").ok())
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string());
    let path =
        std::env::temp_dir().join(format!("debrief-story-{label}-{}.md", std::process::id()));
    write_private(&path, initial).with_context(|| format!("{}: cannot write", path.display()))?;
    let mut words = editor.split_whitespace();
    let program = words.next().expect("not empty");
    let status = match std::process::Command::new(program)
        .args(words)
        .arg(&path)
        .status()
    {
        Ok(status) => status,
        Err(e) => {
            // Nothing was typed: the file holds only what we wrote.
            let _ = std::fs::remove_file(&path);
            bail!("cannot start the editor {editor:?} ({e}): set VISUAL or EDITOR");
        }
    };
    if !status.success() {
        bail!(
            "the editor {editor:?} failed ({status}); nothing saved, your text is in {}",
            path.display()
        );
    }
    let text = read_back(&path)?;
    if text == initial && initial == TEMPLATE || text.trim().is_empty() {
        let _ = std::fs::remove_file(&path);
        bail!("the story was left empty; nothing saved");
    }
    Ok((path, text))
}

/// Writes a new file only its owner can read (0600 on Unix): the story is the candidate's, and
/// the temporary folder is shared. An existing file (or a link planted there) is refused.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

fn read_back(path: &Path) -> Result<String> {
    let inp = input::read(&path.to_string_lossy(), MAX_STORY_BYTES)?;
    Ok(inp.text)
}

/// A verdict coloured as the committee would read it.
pub fn verdict(paint: &Paint, text: &str) -> String {
    match text.trim() {
        "strong-hire" | "hire" => paint.green(text),
        "no-hire" => paint.yellow(text),
        _ => paint.red(text),
    }
}

fn questions_suffix(paint: &Paint, questions: &[String]) -> String {
    if questions.is_empty() {
        String::new()
    } else {
        paint.dim(&format!("  ({})", questions.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_gives_title_tags_and_questions() {
        let text = "---\ntitle: \"Halted the WAF rollout\"\ntags: [launch, 'security']\nquestions: halted-launch, security-vs-deadline\nowner: me\n---\nI held it.";
        let meta = parse_front_matter(text).unwrap();
        assert_eq!(meta.title, "Halted the WAF rollout");
        assert_eq!(meta.tags, ["launch", "security"]);
        assert_eq!(meta.questions, ["halted-launch", "security-vs-deadline"]);
    }

    #[test]
    fn a_story_without_a_title_is_refused() {
        assert!(parse_front_matter("---\ntags: []\n---\nbody")
            .unwrap_err()
            .contains("no title"));
        assert!(parse_front_matter("just text")
            .unwrap_err()
            .contains("no front matter"));
    }

    #[test]
    fn empty_lists_are_empty() {
        let meta = parse_front_matter("---\ntitle: t\ntags: []\nquestions:\n---\n").unwrap();
        assert!(meta.tags.is_empty() && meta.questions.is_empty());
    }
}
