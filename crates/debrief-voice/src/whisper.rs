//! Whisper on candle's CPU backend, loaded from a CTranslate2 model folder (`model.bin` and its
//! vocabulary), decoded greedily with timestamp tokens so the text comes in timed segments.
//!
//! The arrays of a CTranslate2 `WhisperSpec` are renamed to the names candle-transformers' Whisper
//! asks for (Hugging Face's): fused query/key/value projections are split, fp16 becomes f32.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::whisper::{self as m, audio, Config};

use crate::audio::{Recording, SAMPLE_RATE};
use crate::ct2::{self, Array};
use crate::decoder::TextDecoder;
use crate::transcript::{Segment, Transcript};
use crate::vad::{Activity, Span};
use crate::vocabulary::Vocabulary;
use crate::VoiceError;

/// Mel frames in one 30-second window.
/// Said "before" each window: spoken text with fillers written down, in our own words, as timed
/// segments (start, text, end in seconds). Whisper follows the style of what came before, so it
/// then writes um and uh where it hears them.
const FILLER_PROMPT: &[(f64, &str, f64)] = &[
    (0.0, " Um, so, uh, we looked at it and,", 2.4),
    (2.4, " um, hmm, I think we, uh, decided to wait.", 5.0),
    (5.0, " Er, yeah.", 6.0),
];

const WINDOW_FRAMES: usize = m::N_FRAMES;
/// Mel frames a second (hop of 160 samples at 16 kHz).
const FRAMES_PER_SECOND: usize = SAMPLE_RATE as usize / m::HOP_LENGTH;
/// Seconds per timestamp token.
const TIMESTAMP_SECONDS: f64 = 0.02;
/// The first timestamp may be at most 1 s into a window (as Whisper's own decoder rules).
const MAX_INITIAL_TIMESTAMP: u32 = 50;

/// A loaded Whisper model, ready to transcribe.
pub struct Whisper {
    model: m::model::Whisper,
    decoder: TextDecoder,
    vocabulary: Vocabulary,
    filters: Vec<f32>,
    suppress: Vec<u32>,
    suppress_at_begin: Vec<u32>,
    /// The tokens every window starts from ([`prompt`]), encoded once at load.
    prompt: Vec<u32>,
    device: Device,
}

impl std::fmt::Debug for Whisper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Whisper")
            .field("config", &self.model.config)
            .finish_non_exhaustive()
    }
}

fn not_whisper(dir: &Path, reason: impl Into<String>) -> VoiceError {
    VoiceError::NotWhisper {
        dir: dir.to_path_buf(),
        reason: reason.into(),
    }
}

/// Whether `dir` looks like a model folder we read (cheap: no weights are read).
pub fn is_model_dir(dir: &Path) -> bool {
    dir.join("model.bin").is_file()
        && (dir.join("vocabulary.txt").is_file() || dir.join("vocabulary.json").is_file())
}

impl Whisper {
    /// Loads the CTranslate2 Whisper model in `dir`.
    pub fn load(dir: &Path) -> Result<Whisper, VoiceError> {
        if !dir.is_dir() {
            return Err(not_whisper(dir, "no such folder"));
        }
        let bin = dir.join("model.bin");
        if !bin.is_file() {
            return Err(not_whisper(
                dir,
                "it has no model.bin (a CTranslate2 Whisper model, as `debrief voice install` installs)",
            ));
        }
        let bytes = std::fs::read(&bin).map_err(|source| VoiceError::Io {
            path: bin.clone(),
            source,
        })?;
        let file = ct2::parse(&bytes).map_err(|e| not_whisper(dir, e))?;
        if file.spec != "WhisperSpec" {
            return Err(not_whisper(
                dir,
                format!("model.bin holds a {} model, not Whisper", file.spec),
            ));
        }
        let vocabulary = Vocabulary::load(dir).map_err(|e| not_whisper(dir, e))?;
        let (config, tensors) =
            tensors_for_candle(&file.arrays).map_err(|e| not_whisper(dir, e))?;
        if config.vocab_size != vocabulary.len() {
            return Err(not_whisper(
                dir,
                format!(
                    "the model has {} tokens but its vocabulary {}",
                    config.vocab_size,
                    vocabulary.len()
                ),
            ));
        }
        drop(file);
        drop(bytes);
        let (suppress, suppress_at_begin) = suppressed_tokens(dir, &vocabulary);
        let prompt = prompt(&vocabulary);
        let device = Device::Cpu;
        let vb = VarBuilder::from_tensors(tensors, DType::F32, &device);
        let filters = mel_filters(config.num_mel_bins, m::N_FFT, SAMPLE_RATE as f64);
        let decoder = TextDecoder::load(vb.pp("model.decoder"), &config)?;
        let model = m::model::Whisper::load(&vb, config)?;
        Ok(Whisper {
            model,
            decoder,
            vocabulary,
            filters,
            suppress,
            suppress_at_begin,
            prompt,
            device,
        })
    }

    /// One line about the model: its size and language.
    pub fn describe(&self) -> String {
        let c = &self.model.config;
        format!(
            "Whisper, {}, {} encoder and {} decoder layers {} wide, {} tokens",
            if self.vocabulary.english_transcribe.is_some() {
                "multilingual (transcribing English)"
            } else {
                "English only"
            },
            c.encoder_layers,
            c.decoder_layers,
            c.d_model,
            c.vocab_size
        )
    }

    /// Transcribes a recording in 30-second windows, calling `progress` with the fraction done.
    ///
    /// Windows with no voiced frame are skipped. A recording in which Whisper hears no words is
    /// [`VoiceError::Silent`].
    pub fn transcribe(
        &mut self,
        recording: &Recording,
        activity: &Activity,
        progress: &mut dyn FnMut(f64),
    ) -> Result<Transcript, VoiceError> {
        // Reported fractions only grow (a window may resume before its last timestamp).
        let mut high = -1.0f64;
        let mut report = |fraction: f64| {
            if fraction > high {
                high = fraction;
                progress(fraction);
            }
        };
        report(0.0);
        let content_frames = recording.samples.len() / m::HOP_LENGTH;
        // Thirty seconds of silence after the recording, so every window is full (as Whisper).
        let mut padded = recording.samples.clone();
        padded.extend(std::iter::repeat_n(0f32, m::N_SAMPLES));
        let mel = audio::pcm_to_mel(&self.model.config, &padded, &self.filters);
        let n_mels = self.model.config.num_mel_bins;
        let mel_frames = mel.len() / n_mels;
        let mel = Tensor::from_vec(mel, (1, n_mels, mel_frames), &self.device)?;

        let mut segments = Vec::new();
        let mut seek = 0usize;
        while seek < content_frames {
            let window_frames = WINDOW_FRAMES.min(content_frames - seek);
            let offset = seek as f64 / FRAMES_PER_SECOND as f64;
            let window_span = Span {
                start: offset,
                end: offset + window_frames as f64 / FRAMES_PER_SECOND as f64,
            };
            let heard = activity
                .voiced
                .iter()
                .any(|v| v.end > window_span.start && v.start < window_span.end);
            if !heard {
                seek += window_frames;
                report(seek as f64 / content_frames as f64);
                continue;
            }
            let window = mel.narrow(2, seek, WINDOW_FRAMES)?;
            // Within a window, each timestamp says how far into it the text has come.
            let tokens = self.decode_window(&window, &mut |seconds| {
                let frames = seek as f64 + seconds * FRAMES_PER_SECOND as f64;
                report((frames / content_frames as f64).min(1.0));
            })?;
            let (found, consumed) = self.segments_of(&tokens, window_frames);
            for (start, end, ids) in found {
                let text = self.vocabulary.decode(&ids).trim().to_string();
                if text.is_empty() {
                    continue;
                }
                segments.push(Segment {
                    start: offset + start,
                    end: (offset + end).min(window_span.end),
                    text,
                });
            }
            seek += consumed.max(1);
            report((seek as f64 / content_frames as f64).min(1.0));
        }
        report(1.0);
        if segments.is_empty() {
            return Err(VoiceError::Silent);
        }
        Ok(Transcript::from_segments(segments, activity))
    }

    /// Greedy decoding of one window, with Whisper's timestamp rules; returns the sampled tokens.
    fn decode_window(
        &mut self,
        mel: &Tensor,
        progress: &mut dyn FnMut(f64),
    ) -> Result<Vec<u32>, VoiceError> {
        let features = self.model.encoder.forward(mel, true)?;
        let mut cache = self.decoder.start(&features)?;
        let mut tokens = self.prompt.clone();
        let begin = tokens.len();
        let max_tokens = self.model.config.max_target_positions / 2;
        let mut fed = 0;
        for _ in 0..max_tokens {
            let logits = self.decoder.step(&tokens[fed..], &mut cache)?;
            fed = tokens.len();
            let mut logits: Vec<f32> = logits.to_dtype(DType::F32)?.to_vec1()?;
            self.apply_rules(&mut logits, &tokens[begin..]);
            let next = argmax(&logits);
            if next == self.vocabulary.end_of_text {
                break;
            }
            if next >= self.vocabulary.timestamp_begin {
                progress((next - self.vocabulary.timestamp_begin) as f64 * TIMESTAMP_SECONDS);
            }
            tokens.push(next);
        }
        Ok(tokens.split_off(begin))
    }

    /// Suppressed tokens and the timestamp rules of Whisper's decoder, on one step's logits.
    fn apply_rules(&self, logits: &mut [f32], sampled: &[u32]) {
        let ts = self.vocabulary.timestamp_begin as usize;
        let eot = self.vocabulary.end_of_text as usize;
        let n = logits.len();
        let mask = |logits: &mut [f32], range: std::ops::Range<usize>| {
            for l in &mut logits[range.start.min(n)..range.end.min(n)] {
                *l = f32::NEG_INFINITY;
            }
        };
        for &t in &self.suppress {
            if (t as usize) < n {
                logits[t as usize] = f32::NEG_INFINITY;
            }
        }
        logits[self.vocabulary.no_timestamps as usize] = f32::NEG_INFINITY;
        if sampled.is_empty() {
            for &t in &self.suppress_at_begin {
                if (t as usize) < n {
                    logits[t as usize] = f32::NEG_INFINITY;
                }
            }
            // The first token is a timestamp, at most a second in.
            mask(logits, 0..ts);
            mask(logits, ts + MAX_INITIAL_TIMESTAMP as usize + 1..n);
        }
        let is_ts = |t: &u32| *t as usize >= ts;
        let last_was_ts = sampled.last().is_some_and(is_ts);
        let penultimate_was_ts = sampled.len() < 2 || is_ts(&sampled[sampled.len() - 2]);
        if last_was_ts {
            if penultimate_was_ts {
                // A pair closed a segment: text comes next.
                mask(logits, ts..n);
            } else {
                // A segment's end: the next start, or the end of the text.
                mask(logits, 0..eot);
            }
        }
        // Time never runs backwards.
        if let Some(&latest) = sampled.iter().filter(|t| is_ts(t)).max() {
            let floor = if last_was_ts && !penultimate_was_ts {
                latest
            } else {
                latest + 1
            };
            mask(logits, ts..floor as usize);
        }
        // When timestamps together are likelier than any text token, a timestamp it is.
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        if max.is_finite() {
            let log_sum = |xs: &[f32]| {
                let m = xs.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                if !m.is_finite() {
                    return f32::NEG_INFINITY;
                }
                m + xs.iter().map(|x| (x - m).exp()).sum::<f32>().ln()
            };
            let timestamps = log_sum(&logits[ts..]);
            let best_text = logits[..ts]
                .iter()
                .copied()
                .fold(f32::NEG_INFINITY, f32::max);
            if timestamps > best_text {
                mask(logits, 0..ts);
            }
        }
    }

    /// Splits a window's tokens into timed segments (seconds from the window's start) and says
    /// how many mel frames were consumed: all of them, unless the last segment was cut off by the
    /// window's end, which the next window then starts at.
    fn segments_of(
        &self,
        tokens: &[u32],
        window_frames: usize,
    ) -> (Vec<(f64, f64, Vec<u32>)>, usize) {
        let ts = self.vocabulary.timestamp_begin;
        let time = |t: u32| (t - ts) as f64 * TIMESTAMP_SECONDS;
        let window_seconds = window_frames as f64 / FRAMES_PER_SECOND as f64;
        let mut segments = Vec::new();
        let mut start: Option<f64> = None;
        let mut text: Vec<u32> = Vec::new();
        let mut last_closed: Option<f64> = None;
        for &t in tokens {
            if t >= ts {
                if text.is_empty() {
                    start = Some(time(t));
                } else {
                    let s = start.unwrap_or(0.0);
                    segments.push((s, time(t), std::mem::take(&mut text)));
                    last_closed = Some(time(t));
                    start = None;
                }
            } else if t < self.vocabulary.end_of_text {
                text.push(t);
            }
        }
        let frames = |seconds: f64| (seconds * FRAMES_PER_SECOND as f64) as usize;
        // Resuming less than a second in would re-decode nearly the same window.
        let resume_at = |at: f64| (at >= 1.0 && frames(at) < window_frames).then(|| frames(at));
        let n = tokens.len();
        if !text.is_empty() {
            // Text the window's end cut off: the next window starts at the last closed timestamp
            // and hears it whole; with nothing closed, keep it as it is.
            if let Some(resume) = last_closed.and_then(resume_at) {
                return (segments, resume);
            }
            segments.push((start.unwrap_or(0.0), window_seconds, text));
        } else if n >= 2 && tokens[n - 1] >= ts && tokens[n - 2] >= ts {
            // Ended on an opened segment with no text: speech may go on from there.
            if let Some(resume) = resume_at(time(tokens[n - 1])) {
                return (segments, resume);
            }
        }
        (segments, window_frames)
    }
}

fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0;
    for (i, l) in logits.iter().enumerate() {
        if *l > logits[best] {
            best = i;
        }
    }
    best as u32
}

/// The tokens never to sample (from the folder's `config.json`, as CTranslate2 writes it, else
/// Whisper's special tokens), and those not to sample first (a blank, the end of text).
fn suppressed_tokens(dir: &Path, vocabulary: &Vocabulary) -> (Vec<u32>, Vec<u32>) {
    #[derive(serde::Deserialize)]
    struct Generation {
        #[serde(default)]
        suppress_ids: Vec<u32>,
        #[serde(default)]
        suppress_ids_begin: Vec<u32>,
    }
    let from_file = std::fs::read_to_string(dir.join("config.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<Generation>(&t).ok());
    let mut suppress = from_file
        .as_ref()
        .map(|g| g.suppress_ids.clone())
        .unwrap_or_default();
    // Every special token but the timestamps and the end of text.
    suppress.extend(vocabulary.end_of_text + 1..vocabulary.timestamp_begin);
    let begin = from_file
        .map(|g| g.suppress_ids_begin)
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| vec![220, vocabulary.end_of_text]);
    (suppress, begin)
}

/// Renames and splits a CTranslate2 Whisper's arrays into candle's names; reads the dimensions.
fn tensors_for_candle(
    arrays: &HashMap<String, Array<'_>>,
) -> Result<(Config, HashMap<String, Tensor>), String> {
    let get = |name: &str| {
        arrays
            .get(name)
            .ok_or_else(|| format!("model.bin has no {name}"))
    };
    let tensor = |name: &str| -> Result<Tensor, String> {
        let a = get(name)?;
        let values = a
            .to_f32()
            .ok_or_else(|| format!("{name} is stored as {:?}; only float16, bfloat16 and float32 models are supported (not int8)", a.dtype))?;
        Tensor::from_vec(values, a.shape.clone(), &Device::Cpu).map_err(|e| e.to_string())
    };
    let count_layers = |side: &str| {
        (0..)
            .take_while(|i| arrays.contains_key(&format!("{side}/layer_{i}/ffn/linear_0/weight")))
            .count()
    };
    let conv1 = get("encoder/conv1/weight")?;
    let embeddings = get("decoder/embeddings/weight")?;
    let heads = |side: &str| -> Result<usize, String> {
        get(&format!("{side}/num_heads"))?
            .scalar_int()
            .map(|h| h as usize)
            .ok_or_else(|| format!("{side}/num_heads is not an integer"))
    };
    let config = Config {
        num_mel_bins: conv1.shape[1],
        max_source_positions: get("encoder/position_encodings/encodings")?.shape[0],
        d_model: conv1.shape[0],
        encoder_attention_heads: heads("encoder")?,
        encoder_layers: count_layers("encoder"),
        vocab_size: embeddings.shape[0],
        max_target_positions: get("decoder/position_encodings/encodings")?.shape[0],
        decoder_attention_heads: heads("decoder")?,
        decoder_layers: count_layers("decoder"),
        suppress_tokens: Vec::new(),
    };
    if config.encoder_layers == 0 || config.decoder_layers == 0 {
        return Err("model.bin has no encoder or decoder layers".into());
    }
    let d = config.d_model;
    let mut out = HashMap::new();
    let mut put = |name: String, t: Tensor| {
        out.insert(name, t);
    };
    let linear =
        |put: &mut dyn FnMut(String, Tensor), from: &str, to: &str| -> Result<(), String> {
            put(format!("{to}.weight"), tensor(&format!("{from}/weight"))?);
            if arrays.contains_key(&format!("{from}/bias")) {
                put(format!("{to}.bias"), tensor(&format!("{from}/bias"))?);
            }
            Ok(())
        };
    let norm = |put: &mut dyn FnMut(String, Tensor), from: &str, to: &str| -> Result<(), String> {
        put(format!("{to}.weight"), tensor(&format!("{from}/gamma"))?);
        put(format!("{to}.bias"), tensor(&format!("{from}/beta"))?);
        Ok(())
    };
    // A fused projection's rows, `parts` blocks of d each, split into the named linears (the key
    // projection has no bias in Whisper: a bias on keys shifts every score of a query equally,
    // which softmax ignores, so dropping one is exact).
    let split =
        |put: &mut dyn FnMut(String, Tensor), from: &str, to: &[&str]| -> Result<(), String> {
            let w = tensor(&format!("{from}/weight"))?;
            let b = tensor(&format!("{from}/bias"))?;
            for (i, name) in to.iter().enumerate() {
                let wi = w
                    .narrow(0, i * d, d)
                    .and_then(|t| t.contiguous())
                    .map_err(|e| e.to_string())?;
                put(format!("{name}.weight"), wi);
                if !name.ends_with("k_proj") {
                    let bi = b
                        .narrow(0, i * d, d)
                        .and_then(|t| t.contiguous())
                        .map_err(|e| e.to_string())?;
                    put(format!("{name}.bias"), bi);
                }
            }
            Ok(())
        };
    let mlp = |put: &mut dyn FnMut(String, Tensor), from: &str, to: &str| -> Result<(), String> {
        norm(
            put,
            &format!("{from}/ffn/layer_norm"),
            &format!("{to}.final_layer_norm"),
        )?;
        linear(put, &format!("{from}/ffn/linear_0"), &format!("{to}.fc1"))?;
        linear(put, &format!("{from}/ffn/linear_1"), &format!("{to}.fc2"))
    };
    let self_attention =
        |put: &mut dyn FnMut(String, Tensor), from: &str, to: &str| -> Result<(), String> {
            norm(
                put,
                &format!("{from}/self_attention/layer_norm"),
                &format!("{to}.self_attn_layer_norm"),
            )?;
            split(
                put,
                &format!("{from}/self_attention/linear_0"),
                &[
                    &format!("{to}.self_attn.q_proj"),
                    &format!("{to}.self_attn.k_proj"),
                    &format!("{to}.self_attn.v_proj"),
                ],
            )?;
            linear(
                put,
                &format!("{from}/self_attention/linear_1"),
                &format!("{to}.self_attn.out_proj"),
            )
        };

    put(
        "model.encoder.conv1.weight".into(),
        tensor("encoder/conv1/weight")?,
    );
    put(
        "model.encoder.conv1.bias".into(),
        tensor("encoder/conv1/bias")?,
    );
    put(
        "model.encoder.conv2.weight".into(),
        tensor("encoder/conv2/weight")?,
    );
    put(
        "model.encoder.conv2.bias".into(),
        tensor("encoder/conv2/bias")?,
    );
    norm(&mut put, "encoder/layer_norm", "model.encoder.layer_norm")?;
    for i in 0..config.encoder_layers {
        let (from, to) = (
            format!("encoder/layer_{i}"),
            format!("model.encoder.layers.{i}"),
        );
        self_attention(&mut put, &from, &to)?;
        mlp(&mut put, &from, &to)?;
    }
    put(
        "model.decoder.embed_tokens.weight".into(),
        tensor("decoder/embeddings/weight")?,
    );
    put(
        "model.decoder.embed_positions.weight".into(),
        tensor("decoder/position_encodings/encodings")?,
    );
    norm(&mut put, "decoder/layer_norm", "model.decoder.layer_norm")?;
    for i in 0..config.decoder_layers {
        let (from, to) = (
            format!("decoder/layer_{i}"),
            format!("model.decoder.layers.{i}"),
        );
        self_attention(&mut put, &from, &to)?;
        norm(
            &mut put,
            &format!("{from}/attention/layer_norm"),
            &format!("{to}.encoder_attn_layer_norm"),
        )?;
        linear(
            &mut put,
            &format!("{from}/attention/linear_0"),
            &format!("{to}.encoder_attn.q_proj"),
        )?;
        split(
            &mut put,
            &format!("{from}/attention/linear_1"),
            &[
                &format!("{to}.encoder_attn.k_proj"),
                &format!("{to}.encoder_attn.v_proj"),
            ],
        )?;
        linear(
            &mut put,
            &format!("{from}/attention/linear_2"),
            &format!("{to}.encoder_attn.out_proj"),
        )?;
        mlp(&mut put, &from, &to)?;
    }
    Ok((config, out))
}

/// The mel filterbank Whisper was trained with: librosa's `filters.mel(sr, n_fft, n_mels)` with
/// its defaults (Slaney's mel scale, each filter normalised to unit area). Row-major,
/// `n_mels` rows of `n_fft / 2 + 1` frequency bins.
pub fn mel_filters(n_mels: usize, n_fft: usize, sample_rate: f64) -> Vec<f32> {
    const F_SP: f64 = 200.0 / 3.0;
    const MIN_LOG_HZ: f64 = 1000.0;
    let min_log_mel = MIN_LOG_HZ / F_SP;
    let log_step = 6.4f64.ln() / 27.0;
    let hz_to_mel = |hz: f64| {
        if hz >= MIN_LOG_HZ {
            min_log_mel + (hz / MIN_LOG_HZ).ln() / log_step
        } else {
            hz / F_SP
        }
    };
    let mel_to_hz = |mel: f64| {
        if mel >= min_log_mel {
            MIN_LOG_HZ * (log_step * (mel - min_log_mel)).exp()
        } else {
            F_SP * mel
        }
    };
    let bins = n_fft / 2 + 1;
    let fft_hz: Vec<f64> = (0..bins)
        .map(|k| k as f64 * sample_rate / n_fft as f64)
        .collect();
    let top = hz_to_mel(sample_rate / 2.0);
    let points: Vec<f64> = (0..n_mels + 2)
        .map(|i| mel_to_hz(top * i as f64 / (n_mels + 1) as f64))
        .collect();
    let mut filters = vec![0f32; n_mels * bins];
    for i in 0..n_mels {
        let (lo, mid, hi) = (points[i], points[i + 1], points[i + 2]);
        let area = 2.0 / (hi - lo);
        for (k, f) in fft_hz.iter().enumerate() {
            let rising = (f - lo) / (mid - lo);
            let falling = (hi - f) / (hi - mid);
            filters[i * bins + k] = (rising.min(falling).max(0.0) * area) as f32;
        }
    }
    filters
}

/// The folder inside a data directory where `debrief voice install` puts tiny.en.
pub fn installed_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("models").join("whisper-tiny.en")
}

/// The prompt every window starts from: a disfluent previous text, so that the decoder
/// writes the fillers it hears (without it, Whisper leaves out um and uh), then the start of
/// the transcript.
fn prompt(vocabulary: &Vocabulary) -> Vec<u32> {
    let mut tokens = Vec::new();
    if let Some(prev) = vocabulary.start_of_prev {
        // Timed segments as the decoder writes them, so that it goes on writing timestamps.
        let at = |seconds: f64| {
            vocabulary.timestamp_begin + (seconds / TIMESTAMP_SECONDS).round() as u32
        };
        tokens.push(prev);
        for (start, text, end) in FILLER_PROMPT {
            tokens.push(at(*start));
            tokens.extend(vocabulary.encode(text));
            tokens.push(at(*end));
        }
    }
    tokens.push(vocabulary.start_of_transcript);
    if let Some((english, transcribe)) = vocabulary.english_transcribe {
        tokens.extend([english, transcribe]);
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mel_filters_match_librosas_shape_and_scale() {
        let f = mel_filters(80, 400, 16_000.0);
        assert_eq!(f.len(), 80 * 201);
        // librosa.filters.mel(sr=16000, n_fft=400, n_mels=80)[0, 1] = 0.02486259 (Slaney norm).
        assert!((f[1] - 0.024_862_59).abs() < 1e-5, "{}", f[1]);
        // Each filter is one triangle: non-zero bins are contiguous.
        for row in f.chunks(201) {
            let nz: Vec<usize> = (0..201).filter(|k| row[*k] > 0.0).collect();
            assert!(!nz.is_empty());
            assert_eq!(nz[nz.len() - 1] - nz[0] + 1, nz.len());
        }
    }

    #[test]
    fn a_folder_without_model_bin_is_not_whisper() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
        let err = Whisper::load(dir.path()).unwrap_err();
        assert!(matches!(err, VoiceError::NotWhisper { .. }), "{err}");
        assert!(err.to_string().contains("no model.bin"), "{err}");
    }

    #[test]
    fn a_model_bin_that_is_not_ctranslate2_is_not_whisper() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("model.bin"), b"GGUF and then some bytes").unwrap();
        std::fs::write(dir.path().join("vocabulary.txt"), "a\nb\n").unwrap();
        let err = Whisper::load(dir.path()).unwrap_err();
        assert!(err.to_string().contains("not a CTranslate2 model"), "{err}");
    }
}
