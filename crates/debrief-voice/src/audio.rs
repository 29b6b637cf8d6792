//! Reading a recording: any of WAV, FLAC, MP3 or Ogg Vorbis through symphonia, downmixed to mono
//! and resampled to the 16 kHz that Whisper and the voice-activity detector work at.

use std::fs::File;
use std::path::Path;

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{DecoderOptions, CODEC_TYPE_NULL};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use crate::{VoiceError, MAX_FILE_BYTES, MAX_SECONDS};

/// The sample rate of every [`Recording`]: Whisper's.
pub const SAMPLE_RATE: u32 = 16_000;
/// Below this a recording cannot carry the speech band Whisper was trained on.
pub const MIN_RATE: u32 = 8_000;
/// Above this the file is not an audio recording we expect (and the resampler's tables grow).
pub const MAX_RATE: u32 = 192_000;

/// A decoded recording: mono samples in -1..1 at [`SAMPLE_RATE`].
#[derive(Debug, Clone)]
pub struct Recording {
    /// Mono samples at 16 kHz.
    pub samples: Vec<f32>,
    /// The file's own sample rate.
    pub source_rate: u32,
    /// The file's channel count before the downmix.
    pub channels: usize,
}

impl Recording {
    /// Builds a recording from mono samples already at 16 kHz (tests, the web's PCM upload).
    pub fn from_samples(samples: Vec<f32>) -> Self {
        Recording {
            samples,
            source_rate: SAMPLE_RATE,
            channels: 1,
        }
    }

    /// Its length in seconds.
    pub fn seconds(&self) -> f64 {
        self.samples.len() as f64 / SAMPLE_RATE as f64
    }
}

/// Reads and decodes a recording, checking each limit before the work it would waste.
pub fn read_recording(path: &Path) -> Result<Recording, VoiceError> {
    let io = |source| VoiceError::Io {
        path: path.to_path_buf(),
        source,
    };
    let bytes = std::fs::metadata(path).map_err(io)?.len();
    if bytes == 0 {
        return Err(VoiceError::Empty {
            path: path.to_path_buf(),
        });
    }
    if bytes > MAX_FILE_BYTES {
        return Err(VoiceError::TooLarge {
            path: path.to_path_buf(),
            bytes,
        });
    }
    let file = File::open(path).map_err(io)?;
    finish(path, Box::new(file))
}

/// Decodes a recording already in memory (the web app's upload), with the same checks as
/// [`read_recording`]; `name` stands for the file in messages ("the recording is empty").
pub fn read_recording_bytes(bytes: Vec<u8>, name: &Path) -> Result<Recording, VoiceError> {
    if bytes.is_empty() {
        return Err(VoiceError::Empty {
            path: name.to_path_buf(),
        });
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(VoiceError::TooLarge {
            path: name.to_path_buf(),
            bytes: bytes.len() as u64,
        });
    }
    finish(name, Box::new(std::io::Cursor::new(bytes)))
}

/// Decodes, downmixes and resamples, then checks the length.
fn finish(path: &Path, source: Box<dyn MediaSource>) -> Result<Recording, VoiceError> {
    let (interleaved, rate, channels) = decode(path, source)?;
    let mono = downmix(&interleaved, channels);
    let samples = resample(&mono, rate, SAMPLE_RATE);
    let recording = Recording {
        samples,
        source_rate: rate,
        channels,
    };
    check_length(path, recording.seconds())?;
    Ok(recording)
}

fn check_length(path: &Path, seconds: f64) -> Result<(), VoiceError> {
    if seconds > MAX_SECONDS as f64 {
        return Err(VoiceError::TooLong {
            path: path.to_path_buf(),
            seconds,
        });
    }
    Ok(())
}

/// Decodes every packet of the first audio track to interleaved f32 samples.
fn decode(path: &Path, source: Box<dyn MediaSource>) -> Result<(Vec<f32>, u32, usize), VoiceError> {
    let corrupt = |detail: String| VoiceError::Corrupt {
        path: path.to_path_buf(),
        detail,
    };
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let stream = MediaSourceStream::new(source, Default::default());
    let probed = symphonia::default::get_probe()
        .format(
            &hint,
            stream,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .map_err(|e| match e {
            // A header that starts right but ends early is a damaged recording, not a wrong format.
            SymphoniaError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
                corrupt("it ends inside its header".into())
            }
            SymphoniaError::DecodeError(m) => corrupt(m.into()),
            _ => VoiceError::Unsupported {
                path: path.to_path_buf(),
            },
        })?;
    let mut format = probed.format;
    let track = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| VoiceError::Unsupported {
            path: path.to_path_buf(),
        })?
        .clone();
    let params = &track.codec_params;
    let rate = params.sample_rate.unwrap_or(0);
    if !(MIN_RATE..=MAX_RATE).contains(&rate) {
        return Err(VoiceError::SampleRate {
            path: path.to_path_buf(),
            rate,
        });
    }
    let declared_frames = params.n_frames;
    if let Some(frames) = declared_frames {
        // Refuse a long recording before decoding ten minutes of it.
        check_length(path, frames as f64 / rate as f64)?;
    }
    let mut decoder = symphonia::default::get_codecs()
        .make(params, &DecoderOptions::default())
        .map_err(|_| VoiceError::Unsupported {
            path: path.to_path_buf(),
        })?;

    let mut samples: Vec<f32> = Vec::new();
    let mut channels = params.channels.map(|c| c.count()).unwrap_or(0);
    let mut frames: u64 = 0;
    let mut bad_packets = 0usize;
    let max_samples = (MAX_SECONDS + 1) * rate as u64 * 8;
    loop {
        let packet = match format.next_packet() {
            Ok(p) => p,
            Err(SymphoniaError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                break
            }
            Err(SymphoniaError::ResetRequired) => break,
            Err(e) => return Err(corrupt(e.to_string())),
        };
        if packet.track_id() != track.id {
            continue;
        }
        match decoder.decode(&packet) {
            Ok(decoded) => {
                let spec = *decoded.spec();
                channels = spec.channels.count();
                let mut buffer = SampleBuffer::<f32>::new(decoded.capacity() as u64, spec);
                buffer.copy_interleaved_ref(decoded);
                frames += (buffer.samples().len() / channels.max(1)) as u64;
                samples.extend_from_slice(buffer.samples());
                if samples.len() as u64 > max_samples {
                    return Err(VoiceError::TooLong {
                        path: path.to_path_buf(),
                        seconds: frames as f64 / rate as f64,
                    });
                }
            }
            // A damaged packet or two is skipped, as players do; many mean a damaged file.
            Err(SymphoniaError::DecodeError(m)) => {
                bad_packets += 1;
                if bad_packets > 8 {
                    return Err(corrupt(m.into()));
                }
            }
            Err(SymphoniaError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                break
            }
            Err(e) => return Err(corrupt(e.to_string())),
        }
    }
    if channels == 0 || frames == 0 {
        return Err(corrupt("it holds no audio".into()));
    }
    if let Some(declared) = declared_frames {
        // The header said how long the recording is; a file cut short decodes to less.
        if frames + (rate as u64 / 10) < declared {
            return Err(corrupt(format!(
                "the header promises {:.1} s but only {:.1} s is there",
                declared as f64 / rate as f64,
                frames as f64 / rate as f64
            )));
        }
    }
    Ok((samples, rate, channels))
}

/// Averages the channels of interleaved samples.
pub fn downmix(interleaved: &[f32], channels: usize) -> Vec<f32> {
    if channels <= 1 {
        return interleaved.to_vec();
    }
    interleaved
        .chunks_exact(channels)
        .map(|frame| frame.iter().sum::<f32>() / channels as f32)
        .collect()
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Resamples mono audio with a Blackman-windowed sinc, band-limited below the lower Nyquist rate.
///
/// Polyphase: the ratio `to/from` is reduced to `up/down` and one filter is tabulated for each of
/// the `up` output phases, so each output sample is one dot product.
pub fn resample(input: &[f32], from: u32, to: u32) -> Vec<f32> {
    if from == to || input.is_empty() {
        return input.to_vec();
    }
    let g = gcd(from, to);
    let (up, down) = ((to / g) as usize, (from / g) as usize);
    // Cutoff relative to the input's Nyquist rate, a little under the lower of the two rates.
    let cutoff = 0.94 * (to as f64 / from as f64).min(1.0);
    let half_taps = (16.0 / cutoff).ceil() as usize;
    let taps = 2 * half_taps;
    // For output phase p, the output sits at input position k + p/up; tap j reads input k - half_taps + 1 + j.
    let mut table = vec![0f32; up * taps];
    for p in 0..up {
        let frac = p as f64 / up as f64;
        let row = &mut table[p * taps..(p + 1) * taps];
        let mut sum = 0.0;
        for (j, w) in row.iter_mut().enumerate() {
            let x = frac - (j as f64 - half_taps as f64 + 1.0);
            let t = x / half_taps as f64; // -1..1 across the window
            let window = if t.abs() >= 1.0 {
                0.0
            } else {
                let a = std::f64::consts::PI * (t + 1.0);
                0.42 - 0.5 * a.cos() + 0.08 * (2.0 * a).cos()
            };
            let arg = std::f64::consts::PI * cutoff * x;
            let sinc = if arg.abs() < 1e-12 {
                1.0
            } else {
                arg.sin() / arg
            };
            let v = cutoff * sinc * window;
            sum += v;
            *w = v as f32;
        }
        // Unity gain at DC for every phase.
        for w in row.iter_mut() {
            *w = (*w as f64 / sum) as f32;
        }
    }
    let out_len = (input.len() as u64 * up as u64 / down as u64) as usize;
    let mut out = Vec::with_capacity(out_len);
    for n in 0..out_len {
        let pos = n * down;
        let k = pos / up;
        let p = pos % up;
        let row = &table[p * taps..(p + 1) * taps];
        let first = k as isize - half_taps as isize + 1;
        let mut acc = 0f32;
        if first >= 0 && (first as usize + taps) <= input.len() {
            let window = &input[first as usize..first as usize + taps];
            for (w, x) in row.iter().zip(window) {
                acc += w * x;
            }
        } else {
            for (j, w) in row.iter().enumerate() {
                let i = first + j as isize;
                if i >= 0 && (i as usize) < input.len() {
                    acc += w * input[i as usize];
                }
            }
        }
        out.push(acc);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f64, rate: u32, seconds: f64) -> Vec<f32> {
        (0..(rate as f64 * seconds) as usize)
            .map(|i| (2.0 * std::f64::consts::PI * freq * i as f64 / rate as f64).sin() as f32)
            .collect()
    }

    fn rms(x: &[f32]) -> f64 {
        (x.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
    }

    #[test]
    fn resampling_keeps_a_tone_in_the_band_and_its_length() {
        let out = resample(&sine(440.0, 44_100, 2.0), 44_100, 16_000);
        assert_eq!(out.len(), 32_000);
        // The tone is still a 440 Hz tone at the new rate: compare with one made there.
        let reference = sine(440.0, 16_000, 2.0);
        let err: f64 = out[1000..31_000]
            .iter()
            .zip(&reference[1000..31_000])
            .map(|(a, b)| ((a - b) as f64).powi(2))
            .sum::<f64>()
            / 30_000.0;
        assert!(err.sqrt() < 0.01, "rms error {}", err.sqrt());
    }

    #[test]
    fn resampling_removes_a_tone_above_the_new_nyquist_rate() {
        // 11 kHz cannot exist at 16 kHz; an unfiltered decimation would alias it to 5 kHz.
        let out = resample(&sine(11_000.0, 48_000, 1.0), 48_000, 16_000);
        assert!(rms(&out[500..15_500]) < 0.01, "{}", rms(&out[500..15_500]));
    }

    #[test]
    fn downmix_averages_the_channels() {
        assert_eq!(downmix(&[1.0, 0.0, 0.5, 0.5], 2), vec![0.5, 0.5]);
    }
}
