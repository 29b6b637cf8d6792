//! Audio in, transcript with word timings and delivery out.
//!
//! ```no_run
//! use std::path::Path;
//! let recording = debrief_voice::read_recording(Path::new("answer.wav"))?;
//! let activity = debrief_voice::vad::detect(&recording)?;
//! let mut model = debrief_voice::Whisper::load(Path::new("models/whisper-tiny.en"))?;
//! let transcript = model.transcribe(&recording, &activity, &mut |done| eprint!("\r{:.0}%", done * 100.0))?;
//! let delivery = debrief_voice::Delivery::measure(&recording, &activity, &transcript);
//! println!("{}\n{} words a minute", transcript.text, delivery.words_per_minute);
//! # Ok::<(), debrief_voice::VoiceError>(())
//! ```
//!
//! Everything runs on the machine: decoding (symphonia), the voice-activity detector, and Whisper
//! on candle's CPU backend, read from a CTranslate2 `model.bin`. Nothing here touches the network
//! or a terminal; the binary shows progress through the callback.

pub mod audio;
pub mod ct2;
mod decoder;
pub mod delivery;
pub mod error;
pub mod transcript;
pub mod vad;
pub mod vocabulary;
pub mod whisper;

pub use audio::{read_recording, read_recording_bytes, Recording};
pub use delivery::Delivery;
pub use error::VoiceError;
pub use transcript::{Segment, Transcript, Word};
pub use whisper::Whisper;

/// The longest recording accepted: ten minutes.
pub const MAX_SECONDS: u64 = 600;
/// The largest file accepted: 200 MB (ten minutes of 48 kHz stereo 32-bit float is 230 MB, of
/// 16-bit 115 MB).
pub const MAX_FILE_BYTES: u64 = 200_000_000;
