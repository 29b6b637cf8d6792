//! The one error type of the crate: each bad recording or model folder gets one clear message
//! that says what is wrong and, where there is one, what to do.

use std::fmt;
use std::path::PathBuf;

/// Why a recording could not be read or transcribed.
#[derive(Debug)]
pub enum VoiceError {
    /// The file could not be opened or read at all.
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The file has no bytes.
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The file is over [`crate::MAX_FILE_BYTES`].
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        bytes: u64,
    },
    /// Not a container and codec we decode (WAV, FLAC, MP3, Ogg Vorbis).
    Unsupported {
        /// The file.
        path: PathBuf,
    },
    /// The file starts like a recording but breaks off or is damaged.
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What the decoder found.
        detail: String,
    },
    /// The recording's sample rate is outside what can carry speech or we can resample.
    SampleRate {
        /// The file.
        path: PathBuf,
        /// Its sample rate in Hz (0 when the file does not say).
        rate: u32,
    },
    /// The recording is over [`crate::MAX_SECONDS`].
    TooLong {
        /// The file.
        path: PathBuf,
        /// Its length in seconds.
        seconds: f64,
    },
    /// Nothing above the noise floor, or nothing Whisper heard as words.
    Silent,
    /// The model folder is not a Whisper model in a format we read.
    NotWhisper {
        /// The folder.
        dir: PathBuf,
        /// What is missing or wrong.
        reason: String,
    },
    /// The model failed while running (a bug or a damaged model file).
    Model(String),
}

impl fmt::Display for VoiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VoiceError::Io { path, source } => {
                write!(f, "cannot read {}: {source}", path.display())
            }
            VoiceError::Empty { path } => write!(f, "{} is empty (0 bytes)", path.display()),
            VoiceError::TooLarge { path, bytes } => write!(
                f,
                "{} is {} MB; recordings up to {} MB are accepted",
                path.display(),
                bytes / 1_000_000,
                crate::MAX_FILE_BYTES / 1_000_000
            ),
            VoiceError::Unsupported { path } => write!(
                f,
                "{} is not a recording debrief can read: use WAV, FLAC, MP3 or Ogg Vorbis",
                path.display()
            ),
            VoiceError::Corrupt { path, detail } => write!(
                f,
                "{} is truncated or damaged ({detail}); export the recording again",
                path.display()
            ),
            VoiceError::SampleRate { path, rate: 0 } => {
                write!(f, "{} does not say its sample rate", path.display())
            }
            VoiceError::SampleRate { path, rate } => write!(
                f,
                "{} is sampled at {rate} Hz; speech needs {} to {} Hz",
                path.display(),
                crate::audio::MIN_RATE,
                crate::audio::MAX_RATE
            ),
            VoiceError::TooLong { path, seconds } => write!(
                f,
                "{} is {}:{:02} long; recordings up to {} minutes are accepted",
                path.display(),
                (*seconds as u64) / 60,
                (*seconds as u64) % 60,
                crate::MAX_SECONDS / 60
            ),
            VoiceError::Silent => write!(
                f,
                "no speech found in the recording: it is silent or too quiet (check the microphone)"
            ),
            VoiceError::NotWhisper { dir, reason } => write!(
                f,
                "{} is not a Whisper model folder debrief can use: {reason}",
                dir.display()
            ),
            VoiceError::Model(detail) => write!(f, "the speech model failed: {detail}"),
        }
    }
}

impl std::error::Error for VoiceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            VoiceError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<candle_core::Error> for VoiceError {
    fn from(e: candle_core::Error) -> Self {
        VoiceError::Model(e.to_string())
    }
}
