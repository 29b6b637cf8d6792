//! What was said and when: Whisper's segments, and words placed inside them.

use serde::Serialize;

use crate::vad::{Activity, Span};

/// One stretch of speech as Whisper timestamped it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// Start, seconds from the start of the recording.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
    /// Its text, trimmed.
    pub text: String,
}

/// One word with its estimated time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Word {
    /// The word as transcribed, punctuation included.
    pub text: String,
    /// Start, seconds.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
}

/// A transcribed recording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transcript {
    /// The whole text, one line a segment: what is judged.
    pub text: String,
    /// Whisper's timestamped segments.
    pub segments: Vec<Segment>,
    /// Words with times. Whisper gives times per segment only, so each segment's words are spread
    /// over the voiced parts of it (from the voice-activity detector) in proportion to their
    /// length in characters: a word's time is an estimate, good to a few hundred milliseconds.
    pub words: Vec<Word>,
}

impl Transcript {
    /// Builds the transcript and its word timings from segments.
    pub fn from_segments(segments: Vec<Segment>, activity: &Activity) -> Transcript {
        let words = segments
            .iter()
            .flat_map(|s| spread_words(s, activity))
            .collect();
        let text = segments
            .iter()
            .map(|s| s.text.as_str())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        Transcript {
            text,
            segments,
            words,
        }
    }
}

/// Places a segment's words over its voiced time, each taking time in proportion to its length.
fn spread_words(segment: &Segment, activity: &Activity) -> Vec<Word> {
    let texts: Vec<&str> = segment.text.split_whitespace().collect();
    if texts.is_empty() {
        return Vec::new();
    }
    let parts = activity.voiced_within(Span {
        start: segment.start,
        end: segment.end.max(segment.start + 0.01),
    });
    let voiced: f64 = parts.iter().map(Span::seconds).sum();
    // Voiced time elapsed -> (part index, time in the recording).
    let at = |mut elapsed: f64| {
        for (i, p) in parts.iter().enumerate() {
            if elapsed <= p.seconds() {
                return (i, p.start + elapsed);
            }
            elapsed -= p.seconds();
        }
        (parts.len() - 1, parts[parts.len() - 1].end)
    };
    let weight = |w: &str| w.chars().count() as f64 + 1.0;
    let total: f64 = texts.iter().map(|w| weight(w)).sum();
    let mut done = 0.0;
    texts
        .iter()
        .map(|w| {
            let from = voiced * done / total;
            done += weight(w);
            let to = voiced * done / total;
            // A word is not split by a pause: it lies in the voiced part holding its middle.
            let (part, _) = at((from + to) / 2.0);
            let part = parts[part];
            Word {
                text: w.to_string(),
                start: at(from).1.clamp(part.start, part.end),
                end: at(to).1.clamp(part.start, part.end),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::Recording;

    #[test]
    fn words_are_spread_over_voiced_time_only() {
        // 1 s of sound, 2 s of quiet, 1 s of sound, all in one segment.
        let mut samples = vec![0.3f32; 16_000];
        samples.extend(vec![0.0f32; 32_000]);
        samples.extend(vec![0.3f32; 16_000]);
        let samples = samples
            .iter()
            .enumerate()
            .map(|(i, v)| v * if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let activity = crate::vad::detect(&Recording::from_samples(samples)).unwrap();
        let segment = Segment {
            start: 0.0,
            end: 4.0,
            text: "aaa bbb".into(),
        };
        let t = Transcript::from_segments(vec![segment], &activity);
        assert_eq!(t.text, "aaa bbb");
        // The second word starts when the sound comes back, not halfway through the segment.
        assert!((t.words[1].start - 3.0).abs() < 0.05, "{:?}", t.words);
        assert!(t.words[0].end <= 1.05, "{:?}", t.words);
    }
}
