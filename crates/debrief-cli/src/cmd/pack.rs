//! `debrief pack check DIR`: validate a pack and run every example inside it.

use std::path::PathBuf;

use anyhow::Result;
use debrief_core::explain;
use debrief_core::Analyzer;

use crate::style::Paint;
use crate::{listing, packdir, Cli, Outcome};

#[derive(clap::Subcommand, Debug)]
pub enum PackCommand {
    /// Validate a pack folder (ids, competencies, templates, fields) and run its examples.
    #[command(
        after_help = "Exit status: 0 the pack is valid and every example behaves, 1 it is not, 2 an error.\n\nExamples:\n  debrief pack check packs/cloudflare-pm\n  debrief pack check --pack my-pack my-pack"
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
                        paint.red(&format!(
                            "{}: the pack is invalid",
                            listing::plural(errs.0.len(), "error")
                        ))
                    );
                    return Ok(Outcome::Failed);
                }
            };
            let explain_model = packdir::explain_model(Some(dir))?;
            let mut analyzer = match Analyzer::with_model(pack, packdir::model(dir, "judge.bin")?) {
                Ok(a) => a,
                Err(errs) => {
                    for e in &errs.0 {
                        println!("{}/{e}", dir.display());
                    }
                    return Ok(Outcome::Failed);
                }
            };
            packdir::add_reader(&mut analyzer, dir)?;
            let (ran, examples_failed) = analyzer.verify_examples();
            let mut failures: Vec<String> = examples_failed.iter().map(|f| f.to_string()).collect();
            let p = analyzer.pack();
            let (topic_runs, topic_failures) = explain::verify(p, explain_model.as_ref());
            failures.extend(topic_failures);
            let (worked_runs, worked_failures) = analyzer.verify_worked();
            failures.extend(worked_failures);
            for f in &failures {
                println!("{}/{f}", dir.display());
            }
            let summary = format!(
                "{} {} {}: {} competencies, {} signals ({} templates, {} phrasings), {} examples run, {} explain samples and misconception examples judged, {} questions ({} worked answers judged), {} cards in {} decks, {} topics, {} checklist items",
                p.meta.id,
                p.meta.version,
                dir.display(),
                p.competencies.len(),
                p.signals.len(),
                analyzer.template_count(),
                analyzer.phrasing_count(),
                ran,
                topic_runs,
                p.questions.len(),
                worked_runs,
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
                    paint.red(&format!(
                        "{} failed;",
                        listing::plural(failures.len(), "example")
                    ))
                );
                Ok(Outcome::Failed)
            }
        }
    }
}
