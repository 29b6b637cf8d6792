//! A spoken answer's delivery as the pages read it back from the store (the JSON that
//! debrief-voice's `Delivery` wrote), and the delivery trend's points. Data only: the charts
//! draw it, the result pages, the dashboard and the report show it.

use debrief_store::date;
use serde::{Deserialize, Serialize};

/// The delivery of a spoken answer as the pages read it back from the store (the JSON that
/// debrief-voice's `Delivery` wrote); fields it does not need are left out.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SavedDelivery {
    /// The recording's length, seconds.
    pub seconds: f64,
    /// From the first to the last voiced moment, seconds.
    pub speaking_seconds: f64,
    /// Words a minute over the answer.
    pub words_per_minute: f64,
    /// Words a minute in each 15-second window.
    #[serde(default)]
    pub pace: Vec<SavedWindow>,
    /// Quiet stretches over a second.
    #[serde(default)]
    pub pauses: Vec<SavedPause>,
    /// When the decision was first stated.
    #[serde(default)]
    pub decision: Option<SavedDecision>,
    /// The fillers counted.
    #[serde(default)]
    pub fillers: Vec<serde_json::Value>,
}

/// One pace window.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SavedWindow {
    pub start: f64,
    pub end: f64,
    pub words_per_minute: f64,
}

/// One long pause.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SavedPause {
    pub start: f64,
    pub end: f64,
}

/// The first sentence stating the decision.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SavedDecision {
    pub seconds: f64,
    pub sentence: String,
}

impl SavedDelivery {
    /// Reads a saved delivery; `None` for a typed answer or JSON of another shape.
    pub fn of(value: Option<&serde_json::Value>) -> Option<SavedDelivery> {
        serde_json::from_value(value?.clone()).ok()
    }
}

/// One spoken attempt in the delivery trend.
#[derive(Debug, Clone, Serialize)]
pub struct SpokenPoint {
    /// When it was saved, as a day.
    pub day: String,
    /// Words a minute over the answer.
    pub words_per_minute: f64,
    /// Pauses over a second.
    pub long_pauses: usize,
    /// Seconds to the first sentence that states the decision, if one does.
    pub decision_seconds: Option<f64>,
}

/// The delivery trend's points from saved deliveries (with when each was saved), oldest first.
pub(crate) fn trend_points<'a>(
    saved: impl IntoIterator<Item = (i64, Option<&'a serde_json::Value>)>,
) -> Vec<SpokenPoint> {
    let mut points: Vec<(i64, SpokenPoint)> = saved
        .into_iter()
        .filter_map(|(created, value)| {
            let d = SavedDelivery::of(value)?;
            Some((
                created,
                SpokenPoint {
                    day: date::format_day(date::day_of(created)),
                    words_per_minute: d.words_per_minute,
                    long_pauses: d.pauses.len(),
                    decision_seconds: d.decision.map(|dec| dec.seconds),
                },
            ))
        })
        .collect();
    points.sort_by_key(|(created, _)| *created);
    points.into_iter().map(|(_, p)| p).collect()
}
