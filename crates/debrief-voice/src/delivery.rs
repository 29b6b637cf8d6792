//! Delivery: how the answer was spoken, measured from the audio (voice activity, levels) and the
//! transcript's word timings. Only what can be measured honestly is here: pace, pauses, time to
//! the decision, length against the limits, fillers Whisper wrote down, and whether the voice
//! trails off. Pitch (monotone) is not measured.

use serde::Serialize;

use crate::audio::Recording;
use crate::transcript::{Transcript, Word};
use crate::vad::{Activity, Span};

/// The explain drill's limit, seconds.
pub const EXPLAIN_LIMIT_SECONDS: f64 = 120.0;
/// A behavioral answer's budget, seconds.
pub const ANSWER_BUDGET_SECONDS: f64 = 180.0;
/// Quiet stretches at least this long are pauses.
pub const PAUSE_SECONDS: f64 = 1.0;
/// Pace is also given per window of this many seconds.
pub const PACE_WINDOW_SECONDS: f64 = 15.0;
/// A last third this many dB quieter than the rest trails off.
pub const TRAILING_DROP_DB: f64 = 6.0;

/// How fillers are counted, for the output to say.
pub const FILLER_METHOD: &str = "counted in the transcript: um, uh, er, erm, ah, hmm; \"you know\", \"I mean\", \"sort of\", \"kind of\" (not after a, the, this, that, what or which); \"like\" set off by a comma. The decoder is prompted with spoken text whose fillers are written down, so Whisper writes the ones it hears (on its own it leaves most out); one it misses is not counted, and at an abrupt start or end of speech it can write one that was not said, so the count is approximate.";

/// First-person decision verbs looked for in a sentence (with "I", "we", "my" or "our" in it).
pub const DECISION_VERBS: &[&str] = &[
    "decided",
    "chose",
    "shipped",
    "delayed",
    "held",
    "rolled back",
    "blocked",
    "paused",
    "stopped",
    "halted",
    "cancelled",
    "canceled",
    "killed",
    "cut",
    "approved",
    "rejected",
    "reverted",
    "postponed",
    "prioritized",
    "prioritised",
    "escalated",
    "pushed back",
    "went with",
    "picked",
    "launched",
    "froze",
    "pulled",
    "made the call",
];

/// Pace over one window of the recording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaceWindow {
    /// Start, seconds.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
    /// Words starting in the window.
    pub words: usize,
    /// Those words a minute.
    pub words_per_minute: f64,
}

/// A filler word or phrase and where it was said.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Filler {
    /// The filler as transcribed, lower case.
    pub text: String,
    /// When it starts, seconds.
    pub start: f64,
}

/// The first sentence that states a decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    /// When the sentence starts, seconds from the start of the recording.
    pub seconds: f64,
    /// The sentence.
    pub sentence: String,
}

/// Loudness of the end of the answer against the rest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrailingVolume {
    /// Mean level of the voiced frames in the first two thirds of the speech, dBFS.
    pub first_two_thirds_dbfs: f64,
    /// Mean level of the voiced frames in the last third, dBFS.
    pub last_third_dbfs: f64,
    /// How much quieter the last third is, dB (negative: louder).
    pub drop_db: f64,
    /// Whether the drop is at least 6 dB.
    pub trails_off: bool,
}

/// How an answer was spoken.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    /// The recording's length, seconds.
    pub seconds: f64,
    /// From the first voiced moment to the last, seconds.
    pub speaking_seconds: f64,
    /// Words transcribed.
    pub words: usize,
    /// Words a minute over the speaking time.
    pub words_per_minute: f64,
    /// Words a minute in each 15-second window of the recording.
    pub pace: Vec<PaceWindow>,
    /// Quiet stretches of a second or more between words (from the audio's energy).
    pub pauses: Vec<Span>,
    /// The first sentence stating a decision (a first-person decision verb), if any.
    pub decision: Option<Decision>,
    /// Over the explain drill's two minutes.
    pub over_explain_limit: bool,
    /// Over a behavioral answer's three minutes.
    pub over_answer_budget: bool,
    /// Fillers found, in order.
    pub fillers: Vec<Filler>,
    /// How [`Delivery::fillers`] were counted.
    pub filler_method: &'static str,
    /// Whether the voice trails off (none for under six seconds of speech).
    pub trailing_volume: Option<TrailingVolume>,
}

/// A word lower-cased without its punctuation.
fn bare(word: &str) -> String {
    word.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
        .to_lowercase()
}

impl Delivery {
    /// Measures the delivery of a transcribed recording.
    pub fn measure(
        recording: &Recording,
        activity: &Activity,
        transcript: &Transcript,
    ) -> Delivery {
        let seconds = recording.seconds();
        let speech = activity.speech_span();
        let words = transcript.words.len();
        let speaking_seconds = speech.seconds();
        let words_per_minute = if speaking_seconds > 0.0 {
            words as f64 / speaking_seconds * 60.0
        } else {
            0.0
        };
        Delivery {
            seconds,
            speaking_seconds,
            words,
            words_per_minute,
            pace: pace(&transcript.words, speech.end),
            pauses: activity.pauses(PAUSE_SECONDS),
            decision: first_decision(&transcript.words),
            over_explain_limit: speaking_seconds > EXPLAIN_LIMIT_SECONDS,
            over_answer_budget: speaking_seconds > ANSWER_BUDGET_SECONDS,
            fillers: fillers(&transcript.words),
            filler_method: FILLER_METHOD,
            trailing_volume: trailing_volume(activity, speech),
        }
    }
}

fn pace(words: &[Word], until: f64) -> Vec<PaceWindow> {
    let mut windows = Vec::new();
    let mut start = 0.0;
    while start < until {
        let end = (start + PACE_WINDOW_SECONDS).min(until);
        let count = words
            .iter()
            .filter(|w| w.start >= start && w.start < end)
            .count();
        windows.push(PaceWindow {
            start,
            end,
            words: count,
            words_per_minute: count as f64 / (end - start) * 60.0,
        });
        start += PACE_WINDOW_SECONDS;
    }
    windows
}

fn first_decision(words: &[Word]) -> Option<Decision> {
    let mut sentence: Vec<&Word> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        sentence.push(w);
        let ends = w.text.ends_with(['.', '!', '?']) || i + 1 == words.len();
        if !ends {
            continue;
        }
        let bare_words: Vec<String> = sentence.iter().map(|w| bare(&w.text)).collect();
        let first_person = bare_words.iter().any(|w| {
            matches!(
                w.as_str(),
                "i" | "we" | "my" | "our" | "i'd" | "we'd" | "i've" | "we've"
            )
        });
        let joined = format!(" {} ", bare_words.join(" "));
        let decides = DECISION_VERBS
            .iter()
            .any(|verb| joined.contains(&format!(" {verb} ")));
        if first_person && decides {
            return Some(Decision {
                seconds: sentence[0].start,
                sentence: sentence
                    .iter()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            });
        }
        sentence.clear();
    }
    None
}

fn fillers(words: &[Word]) -> Vec<Filler> {
    let bare_words: Vec<String> = words.iter().map(|w| bare(&w.text)).collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = bare_words[i].as_str();
        let next = bare_words.get(i + 1).map(String::as_str).unwrap_or("");
        let previous = if i > 0 {
            bare_words[i - 1].as_str()
        } else {
            ""
        };
        let single = matches!(
            w,
            "um" | "umm" | "uh" | "uhh" | "er" | "erm" | "ah" | "hmm" | "mm"
        );
        let pair = matches!((w, next), ("you", "know") | ("i", "mean") | ("sort", "of"))
            || (w == "kind"
                && next == "of"
                && !matches!(previous, "a" | "the" | "this" | "that" | "what" | "which"));
        let comma_like = w == "like"
            && (words[i].text.ends_with(',') || (i > 0 && words[i - 1].text.ends_with(',')));
        if single || comma_like {
            found.push(Filler {
                text: w.to_string(),
                start: words[i].start,
            });
        } else if pair {
            found.push(Filler {
                text: format!("{w} {next}"),
                start: words[i].start,
            });
            i += 1;
        }
        i += 1;
    }
    found
}

fn trailing_volume(activity: &Activity, speech: Span) -> Option<TrailingVolume> {
    if speech.seconds() < 6.0 {
        return None;
    }
    let cut = speech.start + speech.seconds() * 2.0 / 3.0;
    let first = activity.voiced_level_db(Span {
        start: speech.start,
        end: cut,
    })?;
    let last = activity.voiced_level_db(Span {
        start: cut,
        end: speech.end,
    })?;
    let drop_db = first - last;
    Some(TrailingVolume {
        first_two_thirds_dbfs: first,
        last_third_dbfs: last,
        drop_db,
        trails_off: drop_db >= TRAILING_DROP_DB,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str, every: f64) -> Vec<Word> {
        text.split_whitespace()
            .enumerate()
            .map(|(i, w)| Word {
                text: w.into(),
                start: i as f64 * every,
                end: i as f64 * every + every * 0.8,
            })
            .collect()
    }

    #[test]
    fn the_first_sentence_with_a_first_person_decision_is_found() {
        let w = words(
            "The rollout was risky. The team decided nothing. So we rolled back the change at once.",
            0.5,
        );
        let d = first_decision(&w).unwrap();
        assert_eq!(d.sentence, "So we rolled back the change at once.");
        assert_eq!(d.seconds, 4.0);
    }

    #[test]
    fn no_decision_when_no_one_decides() {
        assert_eq!(
            first_decision(&words("The cache was cold. Latency rose.", 0.5)),
            None
        );
    }

    #[test]
    fn fillers_are_counted_but_not_like_as_a_verb_or_a_kind_of_thing() {
        let w = words(
            "Um, I mean, we saw, like, a spike. I like this kind of cache, you know.",
            0.3,
        );
        let texts: Vec<String> = fillers(&w).into_iter().map(|f| f.text).collect();
        assert_eq!(texts, vec!["um", "i mean", "like", "you know"]);
    }

    #[test]
    fn pace_is_given_per_fifteen_seconds() {
        // 40 words, one every half second: 20 s, 120 a minute.
        let w = words(&"word ".repeat(40), 0.5);
        let p = pace(&w, 20.0);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].words, 30);
        assert!((p[0].words_per_minute - 120.0).abs() < 1e-9);
        assert_eq!(p[1].words, 10);
        assert!((p[1].words_per_minute - 120.0).abs() < 1e-9);
    }
}
