//! Voice activity from short-time energy: where the speaker is speaking, where they pause, and how
//! loud they are. Pauses are measured here rather than from the transcript's timestamps, which are
//! only as precise as Whisper's 20 ms tokens and often swallow a pause into a segment.

use serde::Serialize;

use crate::audio::{Recording, SAMPLE_RATE};
use crate::VoiceError;

/// Analysis frame: 25 ms windows every 10 ms.
const FRAME: usize = 400;
const HOP: usize = 160;
/// Gaps shorter than this are the spaces between words and syllables, not pauses.
const BRIDGE_SECONDS: f64 = 0.15;
/// Voiced blips shorter than this (clicks, breaths) are dropped.
const MIN_VOICED_SECONDS: f64 = 0.06;
/// A recording whose loud frames stay under this level (dBFS) has no speech in it.
const SILENCE_DBFS: f64 = -50.0;

/// A stretch of time in the recording, in seconds from its start.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Span {
    /// Start, seconds.
    pub start: f64,
    /// End, seconds (exclusive).
    pub end: f64,
}

impl Span {
    /// Its length in seconds.
    pub fn seconds(&self) -> f64 {
        self.end - self.start
    }
}

/// Where the recording is voiced, with the frame levels the delivery measures read.
#[derive(Debug, Clone)]
pub struct Activity {
    /// Voiced stretches in time order, separated by at least 0.15 s of quiet.
    pub voiced: Vec<Span>,
    /// Level of each 10 ms frame in dBFS.
    pub frame_db: Vec<f64>,
    /// The level above which a frame counts as voiced (dBFS).
    pub threshold_db: f64,
}

/// Seconds of the frame centre `i`.
fn frame_time(i: usize) -> f64 {
    (i * HOP + FRAME / 2) as f64 / SAMPLE_RATE as f64
}

/// Finds the voiced stretches; a recording with none is [`VoiceError::Silent`].
pub fn detect(recording: &Recording) -> Result<Activity, VoiceError> {
    let x = &recording.samples;
    if x.len() < FRAME {
        return Err(VoiceError::Silent);
    }
    let frame_db: Vec<f64> = (0..=(x.len() - FRAME) / HOP)
        .map(|i| {
            let w = &x[i * HOP..i * HOP + FRAME];
            let power = w.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / FRAME as f64;
            10.0 * (power + 1e-12).log10()
        })
        .collect();
    let mut sorted = frame_db.clone();
    sorted.sort_by(f64::total_cmp);
    let pct = |p: f64| sorted[((sorted.len() - 1) as f64 * p) as usize];
    let (floor, loud) = (pct(0.10), pct(0.95));
    if loud < SILENCE_DBFS {
        return Err(VoiceError::Silent);
    }
    // Above the room's noise by a third of the speech's range, and never more than 40 dB under
    // the speech itself (a digitally silent floor would otherwise let faint tails through).
    let threshold_db = (floor + 0.35 * (loud - floor)).max(loud - 40.0);

    let mut voiced: Vec<Span> = Vec::new();
    let half_hop = HOP as f64 / 2.0 / SAMPLE_RATE as f64;
    let mut run: Option<usize> = None;
    for (i, db) in frame_db
        .iter()
        .enumerate()
        .chain(std::iter::once((frame_db.len(), &f64::NEG_INFINITY)))
    {
        match (run, *db > threshold_db) {
            (None, true) => run = Some(i),
            (Some(first), false) => {
                let span = Span {
                    start: (frame_time(first) - half_hop).max(0.0),
                    end: frame_time(i - 1) + half_hop,
                };
                match voiced.last_mut() {
                    Some(last) if span.start - last.end < BRIDGE_SECONDS => last.end = span.end,
                    _ => voiced.push(span),
                }
                run = None;
            }
            _ => {}
        }
    }
    voiced.retain(|s| s.seconds() >= MIN_VOICED_SECONDS);
    if voiced.is_empty() {
        return Err(VoiceError::Silent);
    }
    Ok(Activity {
        voiced,
        frame_db,
        threshold_db,
    })
}

impl Activity {
    /// The quiet stretches between voiced ones lasting at least `min_seconds`; the silence before
    /// the first word and after the last is not a pause.
    pub fn pauses(&self, min_seconds: f64) -> Vec<Span> {
        self.voiced
            .windows(2)
            .map(|w| Span {
                start: w[0].end,
                end: w[1].start,
            })
            .filter(|gap| gap.seconds() >= min_seconds)
            .collect()
    }

    /// From the first voiced moment to the last.
    pub fn speech_span(&self) -> Span {
        Span {
            start: self.voiced[0].start,
            end: self.voiced[self.voiced.len() - 1].end,
        }
    }

    /// Seconds voiced in total.
    pub fn voiced_seconds(&self) -> f64 {
        self.voiced.iter().map(Span::seconds).sum()
    }

    /// The mean power (dBFS) of the voiced frames whose centres fall in `within`.
    pub fn voiced_level_db(&self, within: Span) -> Option<f64> {
        let (mut power, mut n) = (0.0, 0usize);
        for (i, db) in self.frame_db.iter().enumerate() {
            let t = frame_time(i);
            if t >= within.start && t < within.end && *db > self.threshold_db {
                power += 10f64.powf(db / 10.0);
                n += 1;
            }
        }
        (n > 0).then(|| 10.0 * (power / n as f64).log10())
    }

    /// The voiced parts of `within`, or `within` itself when none of it is voiced.
    pub fn voiced_within(&self, within: Span) -> Vec<Span> {
        let parts: Vec<Span> = self
            .voiced
            .iter()
            .filter_map(|v| {
                let s = Span {
                    start: v.start.max(within.start),
                    end: v.end.min(within.end),
                };
                (s.seconds() > 0.0).then_some(s)
            })
            .collect();
        if parts.is_empty() {
            vec![within]
        } else {
            parts
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 200 Hz buzz with quiet gaps, in the shape of speech and pauses.
    fn buzz_with_gaps(parts: &[(bool, f64)]) -> Recording {
        let mut samples = Vec::new();
        for (loud, seconds) in parts {
            let n = (seconds * SAMPLE_RATE as f64) as usize;
            for i in 0..n {
                let t = (samples.len() + i) as f64 / SAMPLE_RATE as f64;
                let v = if *loud {
                    0.3 * (2.0 * std::f64::consts::PI * 200.0 * t).sin()
                } else {
                    0.0005 * ((i * 7919 % 100) as f64 / 50.0 - 1.0)
                };
                samples.push(v as f32);
            }
        }
        Recording::from_samples(samples)
    }

    #[test]
    fn a_pause_between_two_stretches_of_sound_is_placed_where_it_is() {
        let rec = buzz_with_gaps(&[(false, 0.5), (true, 2.0), (false, 1.3), (true, 1.0)]);
        let activity = detect(&rec).unwrap();
        let pauses = activity.pauses(1.0);
        assert_eq!(pauses.len(), 1, "{pauses:?}");
        assert!((pauses[0].start - 2.5).abs() < 0.03, "{pauses:?}");
        assert!((pauses[0].end - 3.8).abs() < 0.03, "{pauses:?}");
    }

    #[test]
    fn short_gaps_are_not_pauses() {
        let rec = buzz_with_gaps(&[
            (true, 1.0),
            (false, 0.1),
            (true, 1.0),
            (false, 0.6),
            (true, 1.0),
        ]);
        let activity = detect(&rec).unwrap();
        assert_eq!(activity.voiced.len(), 2);
        assert!(activity.pauses(1.0).is_empty());
    }

    #[test]
    fn a_silent_recording_is_an_error() {
        let rec = Recording::from_samples(vec![0.0; 32_000]);
        assert!(matches!(detect(&rec), Err(VoiceError::Silent)));
    }
}
