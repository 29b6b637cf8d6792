//! The report for a coach: readiness with evidence, the competency heat map, the score trend,
//! the story bank with each story's text and its findings marked, every mock interview and
//! explanation with what was said, and the failure resume, as one self-contained HTML file
//! (styles inline, charts as SVG, prints on A4 and Letter) or as Markdown (user text escaped).
//! `debrief report` writes it; the web app offers it for download.

use std::collections::BTreeMap;

use debrief_core::Pack;
use debrief_store::log::Entry;
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

/// A piece of a story's text: marked with a finding's severity and signal, or plain.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub(crate) struct Segment {
    text: String,
    severity: Option<String>,
    rule: Option<String>,
}

/// One finding as the packet lists it.
#[derive(Debug, Serialize)]
struct Noted {
    severity: String,
    rule: String,
    text: String,
    message: String,
    suggestion: Option<String>,
}

/// A story's latest version as the coach reads it.
#[derive(Debug, Serialize)]
struct StoryText {
    id: i64,
    title: String,
    version: i64,
    verdict: String,
    score: i64,
    segments: Vec<Segment>,
    findings: Vec<Noted>,
}

/// The body of `text` (front matter left out) cut into segments, the findings' spans marked: a
/// narrow span wins over a wide one it overlaps, and a finding about the whole answer marks
/// nothing.
pub(crate) fn segments(text: &str, findings: &[serde_json::Value]) -> Vec<Segment> {
    let body = debrief_core::markdown::body_start(text);
    let mut spans: Vec<(usize, usize, String, String)> = findings
        .iter()
        .filter_map(|f| {
            let start = usize::try_from(f.get("start")?.as_u64()?).ok()?;
            let end = usize::try_from(f.get("end")?.as_u64()?).ok()?;
            let ok = start >= body
                && start < end
                && end <= text.len()
                && text.is_char_boundary(start)
                && text.is_char_boundary(end)
                && end - start <= text.len().saturating_sub(body) / 2 + 200;
            ok.then(|| {
                (
                    start,
                    end,
                    f["severity"].as_str().unwrap_or("note").to_string(),
                    f["rule"].as_str().unwrap_or("").to_string(),
                )
            })
        })
        .collect();
    spans.sort_by_key(|(s, e, _, _)| (e - s, *s));
    let mut chosen: Vec<(usize, usize, String, String)> = Vec::new();
    for span in spans {
        if chosen.iter().all(|c| span.1 <= c.0 || span.0 >= c.1) {
            chosen.push(span);
        }
    }
    chosen.sort_by_key(|c| c.0);
    let mut out = Vec::new();
    let mut at = body;
    for (start, end, severity, rule) in chosen {
        if start > at {
            out.push(Segment {
                text: text[at..start].to_string(),
                severity: None,
                rule: None,
            });
        }
        out.push(Segment {
            text: text[start..end].to_string(),
            severity: Some(severity),
            rule: Some(rule),
        });
        at = end;
    }
    if at < text.len() {
        out.push(Segment {
            text: text[at..].trim_end().to_string(),
            severity: None,
            rule: None,
        });
    }
    out
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
    texts: Vec<StoryText>,
    practice: Vec<Entry>,
    /// Question and topic ids to the words the candidate was asked.
    asked: BTreeMap<String, String>,
    /// Each spoken answer's and explanation's delivery, oldest first.
    delivery: Vec<crate::delivery::SpokenPoint>,
}

impl Report {
    /// Gathers the report; `readiness` is `debrief status --format json`'s object, `hire` the
    /// lowest score rated hire (the trend chart's bar).
    pub async fn gather(
        store: &debrief_store::Store,
        pack: &Pack,
        readiness: Option<serde_json::Value>,
        hire: u8,
    ) -> debrief_store::Result<Report> {
        let today = date::day_of(date::now());
        let evidence = store.story_evidence().await?;
        let days = store.scores_by_day().await?;
        let stories = store.stories().await?;
        let mut first_scores = BTreeMap::new();
        let mut texts = Vec::new();
        for s in &stories {
            let Some(story) = store.story(s.id).await? else {
                continue;
            };
            if let (true, Some(first)) = (s.versions > 1, story.versions.first()) {
                first_scores.insert(s.id, first.score);
            }
            if let Some(v) = story.versions.last() {
                let findings: Vec<serde_json::Value> = v
                    .judgment
                    .get("findings")
                    .and_then(|f| f.as_array())
                    .cloned()
                    .unwrap_or_default();
                let noted = findings
                    .iter()
                    .filter(|f| f["severity"] != "note")
                    .map(|f| Noted {
                        severity: f["severity"].as_str().unwrap_or("").to_string(),
                        rule: f["rule"].as_str().unwrap_or("").to_string(),
                        text: f["text"].as_str().unwrap_or("").to_string(),
                        message: f["message"].as_str().unwrap_or("").to_string(),
                        suggestion: f["suggestion"].as_str().map(str::to_string),
                    })
                    .collect();
                texts.push(StoryText {
                    id: s.id,
                    title: s.meta.title.clone(),
                    version: v.version,
                    verdict: v.verdict.clone(),
                    score: v.score,
                    segments: segments(&v.markdown, &findings),
                    findings: noted,
                });
            }
        }
        let asked = pack
            .questions
            .iter()
            .map(|q| (q.id.clone(), q.text.clone()))
            .chain(pack.topics.iter().map(|t| (t.id.clone(), t.title.clone())))
            .collect();
        let deliveries = store.deliveries().await?;
        let delivery =
            crate::delivery::trend_points(deliveries.iter().map(|(at, d)| (*at, Some(d))));
        Ok(Report {
            delivery,
            generated: date::format_day(today),
            pack: format!("{} {}", pack.meta.name, pack.meta.version),
            readiness,
            heat: HeatMap::new(pack, &evidence),
            trend_svg: chart::score_trend(&days, today, TREND_DAYS, hire),
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
            texts,
            practice: store.practice_log().await?,
            asked,
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
            texts => Value::from(Serde(&self.texts)),
            practice => Value::from(Serde(&self.practice)),
            asked => Value::from(Serde(&self.asked)),
            css => Value::from_safe_string(css.to_string()),
            delivery => Value::from(Serde(&self.delivery)),
            delivery_svg => chart::delivery_trend(&self.delivery, "delivery-trend").map(Value::from_safe_string),
        };
        env.get_template(name)
            .and_then(|t| t.render(ctx))
            .unwrap_or_else(|e| format!("the report failed to render: {e}\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_storys_findings_are_marked_narrow_first_without_the_front_matter() {
        let text = "---\ntitle: T\n---\nI halted the launch because the pen test failed.";
        let at = |w: &str| text.find(w).unwrap();
        let f = |w: &str, sev: &str| serde_json::json!({"start": at(w), "end": at(w) + w.len(), "severity": sev, "rule": "r"});
        let whole =
            serde_json::json!({"start": 0, "end": 0, "severity": "concern", "rule": "short"});
        let segs = segments(
            text,
            &[
                f("halted the launch", "strength"),
                f("halted", "concern"),
                whole,
            ],
        );
        let joined: String = segs.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(joined, "I halted the launch because the pen test failed.");
        let marked: Vec<&str> = segs
            .iter()
            .filter(|s| s.severity.is_some())
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(marked, ["halted"], "the narrow span wins");
    }
}
