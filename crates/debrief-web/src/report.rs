//! The report for a coach: readiness with evidence, the competency heat map, the score trend,
//! the story bank and the failure resume, as one self-contained HTML file (styles inline, charts
//! as SVG) or as Markdown. `debrief report` writes it; the web app offers it for download.

use std::collections::BTreeMap;

use debrief_core::Pack;
use debrief_store::{date, Failure, StoryEvidence, StorySummary};
use minijinja::value::Serde;
use minijinja::{context, Environment, Value};
use serde::Serialize;

use crate::chart;

/// How many days the report's trend covers.
const TREND_DAYS: i64 = 90;

/// The report's two forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// One HTML file with its styles inline and SVG charts.
    Html,
    /// Markdown, with the trend as a table.
    Markdown,
}

impl ReportFormat {
    /// The file name a download suggests.
    pub fn file_name(self) -> &'static str {
        match self {
            ReportFormat::Html => "debrief-report.html",
            ReportFormat::Markdown => "debrief-report.md",
        }
    }
}

/// A competency's id and name, a heat map column.
#[derive(Serialize)]
pub(crate) struct Column {
    id: String,
    name: String,
}

/// One row of the competency heat map: a story, its verdict and its score on each competency.
#[derive(Serialize)]
pub(crate) struct HeatRow {
    id: i64,
    title: String,
    score: i64,
    verdict: String,
    /// Why the story does not count toward readiness (a disqualifier, a verdict under hire,
    /// the same text as an earlier story), if it does not.
    left_out: Option<String>,
    cells: Vec<Option<u8>>,
}

/// The competency heat map: columns, one row per story, and the best score per column among
/// the stories that count toward readiness.
#[derive(Serialize)]
pub(crate) struct HeatMap {
    pub columns: Vec<Column>,
    pub rows: Vec<HeatRow>,
    pub best: Vec<Option<u8>>,
}

impl HeatMap {
    pub fn new(pack: &Pack, evidence: &[StoryEvidence]) -> HeatMap {
        let rows: Vec<HeatRow> = evidence
            .iter()
            .map(|s| HeatRow {
                id: s.id,
                title: s.title.clone(),
                score: s.score,
                verdict: s.verdict.clone(),
                left_out: if let Some(first) = s.same_as {
                    Some(format!("same text as story {first}"))
                } else if s.disqualified {
                    Some("disqualifier".to_string())
                } else if !s.counts() {
                    Some(format!("rated {}", s.verdict))
                } else {
                    None
                },
                cells: pack
                    .competencies
                    .iter()
                    .map(|c| s.competency_scores.get(&c.id).copied())
                    .collect(),
            })
            .collect();
        HeatMap {
            best: (0..pack.competencies.len())
                .map(|i| {
                    rows.iter()
                        .filter(|r| r.left_out.is_none())
                        .filter_map(|r| r.cells[i])
                        .max()
                })
                .collect(),
            columns: pack
                .competencies
                .iter()
                .map(|c| Column {
                    id: c.id.clone(),
                    name: c.name.clone(),
                })
                .collect(),
            rows,
        }
    }
}

/// A day's average, for the Markdown trend table.
#[derive(Serialize)]
struct Day {
    day: String,
    count: i64,
    average: f64,
}

/// Everything the report shows, gathered from the store.
pub struct Report {
    generated: String,
    pack: String,
    readiness: Option<serde_json::Value>,
    heat: HeatMap,
    trend_svg: Option<String>,
    trend: Vec<Day>,
    stories: Vec<StorySummary>,
    first_scores: BTreeMap<i64, i64>,
    failures: Vec<Failure>,
}

impl Report {
    /// Gathers the report; `readiness` is `debrief status --format json`'s object.
    pub async fn gather(
        store: &debrief_store::Store,
        pack: &Pack,
        readiness: Option<serde_json::Value>,
    ) -> debrief_store::Result<Report> {
        let today = date::day_of(date::now());
        let evidence = store.story_evidence().await?;
        let days = store.scores_by_day().await?;
        let stories = store.stories().await?;
        let mut first_scores = BTreeMap::new();
        for s in stories.iter().filter(|s| s.versions > 1) {
            if let Some(first) = store
                .story(s.id)
                .await?
                .and_then(|st| st.versions.first().map(|v| v.score))
            {
                first_scores.insert(s.id, first);
            }
        }
        Ok(Report {
            generated: date::format_day(today),
            pack: format!("{} {}", pack.meta.name, pack.meta.version),
            readiness,
            heat: HeatMap::new(pack, &evidence),
            trend_svg: chart::score_trend(&days, today, TREND_DAYS),
            trend: days
                .iter()
                .filter(|d| d.day > today - TREND_DAYS && d.count > 0)
                .map(|d| Day {
                    day: date::format_day(d.day),
                    count: d.count,
                    average: d.total as f64 / d.count as f64,
                })
                .collect(),
            stories,
            first_scores,
            failures: store.failures().await?,
        })
    }

    /// The report as a file's contents.
    pub fn render(&self, format: ReportFormat) -> String {
        self.render_with(&crate::pages::templates(), format)
    }

    pub(crate) fn render_with(&self, env: &Environment<'static>, format: ReportFormat) -> String {
        let (name, css) = match format {
            ReportFormat::Html => ("report.html", include_str!("../assets/report.css")),
            ReportFormat::Markdown => ("report.md", ""),
        };
        let ctx = context! {
            generated => &self.generated,
            pack => &self.pack,
            readiness => Value::from(Serde(&self.readiness)),
            heat => Value::from(Serde(&self.heat)),
            trend_svg => self.trend_svg.clone().map(Value::from_safe_string),
            trend => Value::from(Serde(&self.trend)),
            stories => Value::from(Serde(&self.stories)),
            first_scores => Value::from(Serde(&self.first_scores.iter().map(|(k, v)| (k.to_string(), *v)).collect::<BTreeMap<_, _>>())),
            failures => Value::from(Serde(&self.failures)),
            css => Value::from_safe_string(css.to_string()),
        };
        env.get_template(name)
            .and_then(|t| t.render(ctx))
            .unwrap_or_else(|e| format!("the report failed to render: {e}\n"))
    }
}
