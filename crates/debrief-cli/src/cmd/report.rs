//! `debrief report`: the preparation packet for a coach, as one self-contained HTML file (charts
//! as SVG) or Markdown: readiness with evidence, heat map, score trend, stories, failure resume.

use std::path::PathBuf;

use anyhow::{Context, Result};
use debrief_store::date;
use debrief_web::{Report, ReportFormat};

use crate::cmd::status;
use crate::database::with_store;
use crate::{packdir, Cli, Outcome};

/// The report's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One HTML file, styles inline, charts as SVG.
    Html,
    /// Markdown with tables.
    Markdown,
}

/// Write the report for a coach.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  debrief report -o report.html\n  debrief report --format markdown > report.md"
)]
pub struct Args {
    /// The format; without it, the output file's extension decides (`.md` is Markdown), else HTML.
    #[arg(long, value_enum, value_name = "FORMAT")]
    format: Option<Format>,

    /// The file to write; without it, standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(cli: &Cli, args: &Args) -> Result<Outcome> {
    let analyzer = packdir::analyzer(cli.pack.as_deref())?;
    let hire = analyzer.hire_score();
    let pack = analyzer.pack();
    let by_extension = args
        .output
        .as_ref()
        .and_then(|p| p.extension())
        .is_some_and(|e| e == "md" || e == "markdown");
    let format = match args.format {
        Some(Format::Markdown) => ReportFormat::Markdown,
        Some(Format::Html) => ReportFormat::Html,
        None if by_extension => ReportFormat::Markdown,
        None => ReportFormat::Html,
    };
    let report = with_store(cli, |store| async move {
        let today = date::day_of(date::now());
        let readiness = serde_json::to_value(status::compute(&store, pack, today).await?)?;
        Ok(Report::gather(&store, pack, Some(readiness), hire).await?)
    })?;
    let text = report.render(format);
    match &args.output {
        Some(path) => {
            // Written beside the target and renamed, so a failure leaves no half-written file.
            let temp = path.with_extension("partial");
            // The error names the file asked for, not the temporary one beside it.
            std::fs::write(&temp, &text)
                .with_context(|| format!("{}: cannot write", path.display()))?;
            std::fs::rename(&temp, path)
                .with_context(|| format!("{}: cannot write", path.display()))?;
            eprintln!("Wrote {}", path.display());
        }
        None => return super::shell::write_out(text.as_bytes()),
    }
    Ok(Outcome::Ok)
}
