//! `debrief pack check DIR`: validate a pack and run every example inside it.

use std::path::PathBuf;

use anyhow::Result;
use debrief_core::explain;
use debrief_core::{Analyzer, Pack};

use crate::style::Paint;
use crate::{packdir, Cli, Outcome};

#[derive(clap::Subcommand, Debug)]
pub enum PackCommand {
    /// Validate a pack folder (ids, competencies, templates, fields) and run its examples.
    #[command(
        after_help = "Exit status: 0 the pack is valid and every example behaves, 1 it is not, 2 an error."
    )]
    Check {
        /// The pack folder, such as packs/cloudflare-pm.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
}

pub fn run(_cli: &Cli, cmd: &PackCommand, color: bool) -> Result<Outcome> {
    let paint = Paint::new(color);
    match cmd {
        PackCommand::Check { dir } => {
            let files = packdir::read_files(dir)?;
            let pack = match debrief_core::pack::load(&files) {
                Ok(p) => p,
                Err(errs) => {
                    for e in &errs.0 {
                        println!("{}/{e}", dir.display());
                    }
                    println!(
                        "{}",
                        paint.red(&format!("{} error(s): the pack is invalid", errs.0.len()))
                    );
                    return Ok(Outcome::Failed);
                }
            };
            let analyzer = match Analyzer::new(pack) {
                Ok(a) => a,
                Err(errs) => {
                    for e in &errs.0 {
                        println!("{}/{e}", dir.display());
                    }
                    return Ok(Outcome::Failed);
                }
            };
            let (ran, examples_failed) = analyzer.verify_examples();
            let mut failures: Vec<String> = examples_failed.iter().map(|f| f.to_string()).collect();
            let p = analyzer.pack();
            failures.extend(topic_sample_failures(p));
            for f in &failures {
                println!("{}/{f}", dir.display());
            }
            let summary = format!(
                "{} {} {}: {} competencies, {} signals ({} templates, {} phrasings), {} examples run, {} topic samples judged, {} questions, {} cards in {} decks, {} topics, {} checklist items",
                p.meta.id,
                p.meta.version,
                dir.display(),
                p.competencies.len(),
                p.signals.len(),
                analyzer.template_count(),
                analyzer.phrasing_count(),
                ran,
                p.topics.len() * 2,
                p.questions.len(),
                p.cards().count(),
                p.decks.len(),
                p.topics.len(),
                p.checklist.len(),
            );
            if failures.is_empty() {
                println!("{} {summary}", paint.green("ok"));
                Ok(Outcome::Ok)
            } else {
                println!(
                    "{} {summary}",
                    paint.red(&format!("{} example(s) failed;", failures.len()))
                );
                Ok(Outcome::Failed)
            }
        }
    }
}

/// Judges every topic's strong and weak sample; a line for each not judged as labelled.
fn topic_sample_failures(pack: &Pack) -> Vec<String> {
    let mut out = Vec::new();
    for t in &pack.topics {
        let file = format!("topics/{}.toml", t.id);
        for (label, text, want) in [
            ("strong", &t.strong_sample, true),
            ("weak", &t.weak_sample, false),
        ] {
            match explain::judge(t, text) {
                Ok(e) if e.passed == want => {}
                Ok(e) => out.push(format!(
                    "{file}: topic {:?}: the {label} sample {} (score {}){}",
                    t.id,
                    if e.passed { "passed" } else { "did not pass" },
                    e.score,
                    if e.advice.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", e.advice.join(" "))
                    }
                )),
                Err(err) => out.push(format!(
                    "{file}: topic {:?}: the {label} sample cannot be judged: {err}",
                    t.id
                )),
            }
        }
    }
    out
}
