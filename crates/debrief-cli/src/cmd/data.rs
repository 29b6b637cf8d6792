//! `debrief export DIR` and `debrief import DIR`: everything the store keeps, as `debrief.json`
//! plus one Markdown file per story (its latest version) under `stories/`. Import reads the JSON
//! and merges by record (importing twice adds nothing) in one transaction: all or nothing.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use debrief_store::{StoreExport, PROGRESS_EVERY};

use crate::database::with_store;
use crate::{Cli, Outcome};

/// The export's JSON file inside the folder.
pub const EXPORT_FILE: &str = "debrief.json";

/// Write everything to a folder: debrief.json plus stories/ID-TITLE.md.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  debrief export ~/debrief-backup\n  debrief --database postgres://me@db/cohort export cohort-copy"
)]
pub struct ExportArgs {
    /// The folder to write (created if missing; an earlier export in it is replaced).
    #[arg(value_name = "DIR")]
    dir: PathBuf,
}

/// Merge an export folder (or its debrief.json) into the store.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  debrief import ~/debrief-backup\n  debrief import ~/debrief-backup/debrief.json"
)]
pub struct ImportArgs {
    /// The folder `debrief export` wrote, or its debrief.json.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
}

pub fn export(cli: &Cli, args: &ExportArgs) -> Result<Outcome> {
    let export = with_store(cli, |store| async move { Ok(store.export().await?) })?;
    let dir = &args.dir;
    let stories_dir = dir.join("stories");
    std::fs::create_dir_all(&stories_dir)
        .with_context(|| format!("{}: cannot create the folder", stories_dir.display()))?;
    // Story files of an earlier export go, so a removed story does not linger.
    for entry in std::fs::read_dir(&stories_dir)? {
        let path = entry?.path();
        if is_story_file(&path) {
            std::fs::remove_file(&path)
                .with_context(|| format!("{}: cannot replace", path.display()))?;
        }
    }
    for story in &export.stories {
        let Some(latest) = story.versions.last() else {
            continue;
        };
        let path = stories_dir.join(format!(
            "{:04}-{}.md",
            story.id,
            slug(&story.meta.title, "story")
        ));
        write_atomically(&path, latest.markdown.as_bytes())?;
    }
    let json = serde_json::to_vec_pretty(&export)?;
    write_atomically(&dir.join(EXPORT_FILE), &json)?;
    let versions: usize = export.stories.iter().map(|s| s.versions.len()).sum();
    println!(
        "Exported {} stories ({versions} versions), {} failures, {} attempts and {} settings to {}",
        export.stories.len(),
        export.failures.len(),
        export.attempts.len(),
        export.config.len(),
        dir.display()
    );
    Ok(Outcome::Ok)
}

pub fn import(cli: &Cli, args: &ImportArgs) -> Result<Outcome> {
    let file = if args.dir.is_dir() {
        args.dir.join(EXPORT_FILE)
    } else {
        args.dir.clone()
    };
    let text = std::fs::read(&file).with_context(|| {
        format!(
            "{}: cannot read the export (`debrief export DIR` writes one)",
            file.display()
        )
    })?;
    let export: StoreExport = serde_json::from_slice(&text)
        .with_context(|| format!("{}: not a debrief export", file.display()))?;
    let export = &export;
    let (report, repeats) = with_store(cli, |store| async move {
        let report = store
            .import_with_progress(export, |done, total| {
                // Small imports finish at once; large ones say how far they are, on stderr so
                // that stdout keeps only the result.
                if total > PROGRESS_EVERY && done < total {
                    eprintln!("Importing: {done} of {total} records written (not yet committed)");
                }
            })
            .await?;
        let repeats: Vec<(i64, i64)> = if report.stories > 0 {
            store
                .story_evidence()
                .await?
                .iter()
                .filter_map(|s| s.same_as.map(|first| (s.id, first)))
                .collect()
        } else {
            Vec::new()
        };
        Ok((report, repeats))
    })?;
    println!(
        "Imported {} new stories, {} new versions, {} failures, {} attempts, {} reviews, {} explanations, {} cards of your own and {} settings from {}",
        report.stories,
        report.versions,
        report.failures,
        report.attempts,
        report.reviews,
        report.explanations,
        report.user_cards,
        report.config,
        file.display()
    );
    if !repeats.is_empty() {
        let pairs: Vec<String> = repeats
            .iter()
            .take(10)
            .map(|(id, first)| format!("{id} repeats {first}"))
            .collect();
        eprintln!(
            "warning: {} {} an earlier story's text and {} not count again toward readiness: {}{}",
            repeats.len(),
            if repeats.len() == 1 {
                "story repeats"
            } else {
                "stories repeat"
            },
            if repeats.len() == 1 { "does" } else { "do" },
            pairs.join(", "),
            if repeats.len() > 10 { ", ..." } else { "" }
        );
    }
    Ok(Outcome::Ok)
}

/// A title or a name as a file name or an id: lower-case words joined by dashes, at most 60
/// characters; `fallback` when it has no words.
pub(crate) fn slug(title: &str, fallback: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let slug = words.join("-");
    let slug: String = slug.chars().take(60).collect();
    if slug.is_empty() {
        fallback.to_string()
    } else {
        slug
    }
}

/// Whether a file is one `export` writes: `NNNN-slug.md`.
fn is_story_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name.ends_with(".md")
        && name
            .split('-')
            .next()
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Writes a whole file or nothing: a temporary file renamed over the old one.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("{}: cannot write", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_become_file_names() {
        assert_eq!(
            slug("Halted the WAF rollout (2024)", "story"),
            "halted-the-waf-rollout-2024"
        );
        assert_eq!(slug("!!!", "story"), "story");
    }

    #[test]
    fn only_exported_story_files_are_replaced() {
        assert!(is_story_file(Path::new("stories/0003-waf.md")));
        assert!(!is_story_file(Path::new("stories/notes.md")));
        assert!(!is_story_file(Path::new("stories/0003-waf.txt")));
    }
}
