//! Whisper's byte-level BPE vocabulary, read as CTranslate2 ships it (`vocabulary.txt`, one token a
//! line, or `vocabulary.json`, a list), and turned back into text. Decoding needs no merges: each
//! token is a string of GPT-2's byte-to-character map, so text is the concatenated bytes.

use std::collections::HashMap;
use std::path::Path;

/// Token strings by id, and the ids of the special tokens the decoder needs.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    tokens: Vec<String>,
    byte_of: HashMap<char, u8>,
    /// `<|endoftext|>`: the first special token; every id below it is text.
    pub end_of_text: u32,
    /// `<|startoftranscript|>`.
    pub start_of_transcript: u32,
    /// `<|notimestamps|>`.
    pub no_timestamps: u32,
    /// `<|0.00|>`: the first timestamp; each next id is 20 ms later.
    pub timestamp_begin: u32,
    /// `<|en|>` and `<|transcribe|>`, for multilingual models (vocabulary of 51,865 and more).
    pub english_transcribe: Option<(u32, u32)>,
    /// `<|startofprev|>`: what comes before it is text the decoder takes as already said.
    pub start_of_prev: Option<u32>,
}

/// GPT-2's map from bytes to printable characters: printable Latin-1 maps to itself, the rest to
/// 256 onwards in byte order.
fn byte_of_char() -> HashMap<char, u8> {
    let printable =
        |b: u32| (33..=126).contains(&b) || (161..=172).contains(&b) || (174..=255).contains(&b);
    let mut map = HashMap::with_capacity(256);
    let mut next = 256u32;
    for b in 0u32..256 {
        let c = if printable(b) {
            b
        } else {
            next += 1;
            next - 1
        };
        map.insert(char::from_u32(c).expect("valid code point"), b as u8);
    }
    map
}

impl Vocabulary {
    /// Reads the vocabulary of the model in `dir`; the error says what is missing.
    pub fn load(dir: &Path) -> Result<Vocabulary, String> {
        let txt = dir.join("vocabulary.txt");
        let json = dir.join("vocabulary.json");
        let tokens: Vec<String> = if txt.is_file() {
            std::fs::read_to_string(&txt)
                .map_err(|e| format!("cannot read vocabulary.txt: {e}"))?
                .lines()
                .map(str::to_string)
                .collect()
        } else if json.is_file() {
            let text = std::fs::read_to_string(&json)
                .map_err(|e| format!("cannot read vocabulary.json: {e}"))?;
            serde_json::from_str(&text)
                .map_err(|e| format!("vocabulary.json is not a list: {e}"))?
        } else {
            return Err("no vocabulary.txt or vocabulary.json beside model.bin".into());
        };
        Self::from_tokens(tokens)
    }

    /// Builds the vocabulary from token strings in id order.
    pub fn from_tokens(tokens: Vec<String>) -> Result<Vocabulary, String> {
        let id = |s: &str| {
            tokens
                .iter()
                .position(|t| t == s)
                .map(|i| i as u32)
                .ok_or_else(|| format!("the vocabulary has no {s} token, so it is not Whisper's"))
        };
        let end_of_text = id("<|endoftext|>")?;
        let start_of_transcript = id("<|startoftranscript|>")?;
        let no_timestamps = id("<|notimestamps|>")?;
        let timestamp_begin = id("<|0.00|>")?;
        let english_transcribe = if tokens.len() >= 51_865 {
            Some((id("<|en|>")?, id("<|transcribe|>")?))
        } else {
            None
        };
        let start_of_prev = id("<|startofprev|>").ok();
        Ok(Vocabulary {
            tokens,
            start_of_prev,
            byte_of: byte_of_char(),
            end_of_text,
            start_of_transcript,
            no_timestamps,
            timestamp_begin,
            english_transcribe,
        })
    }

    /// How many tokens there are.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether there are none (never, once loaded).
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Text as text tokens, each the longest token that starts where the last ended. Not BPE's
    /// own merges, so not always the tokens Whisper would write, but tokens it reads as the
    /// same text (enough for a prompt).
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let char_of: HashMap<u8, char> = self.byte_of.iter().map(|(c, b)| (*b, *c)).collect();
        let mapped: Vec<char> = text.bytes().map(|b| char_of[&b]).collect();
        let ids: HashMap<&str, u32> = self.tokens[..self.end_of_text as usize]
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_str(), i as u32))
            .collect();
        let longest = ids.keys().map(|t| t.chars().count()).max().unwrap_or(1);
        let mut out = Vec::new();
        let mut at = 0;
        while at < mapped.len() {
            let found = (1..=longest.min(mapped.len() - at)).rev().find_map(|n| {
                let piece: String = mapped[at..at + n].iter().collect();
                ids.get(piece.as_str()).map(|&id| (id, n))
            });
            match found {
                Some((id, n)) => {
                    out.push(id);
                    at += n;
                }
                // Every byte is a token in a byte-level vocabulary; a damaged one skips it.
                None => at += 1,
            }
        }
        out
    }

    /// The text of a run of text tokens; special and timestamp tokens are skipped.
    pub fn decode(&self, ids: &[u32]) -> String {
        let mut bytes = Vec::new();
        for &id in ids {
            if id >= self.end_of_text {
                continue;
            }
            if let Some(token) = self.tokens.get(id as usize) {
                bytes.extend(token.chars().filter_map(|c| self.byte_of.get(&c).copied()));
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_level_tokens_decode_to_text_with_spaces_and_accents() {
        let mut tokens: Vec<String> = ["We", "Ġdecided", "Ġto", "Ġwait", ".", "ĠcafÃ©"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for special in [
            "<|endoftext|>",
            "<|startoftranscript|>",
            "<|notimestamps|>",
            "<|0.00|>",
        ] {
            tokens.push(special.into());
        }
        let vocab = Vocabulary::from_tokens(tokens).unwrap();
        assert_eq!(
            vocab.decode(&[0, 1, 2, 3, 4, 5, 9]),
            "We decided to wait. café"
        );
        assert_eq!(vocab.timestamp_begin, 9);
        // Encoding takes the longest token at each point and reads back as the same text.
        let ids = vocab.encode("We decided to wait. café");
        assert_eq!(ids, [0, 1, 2, 3, 4, 5]);
        assert_eq!(vocab.decode(&ids), "We decided to wait. café");
    }

    #[test]
    fn a_vocabulary_without_whisper_tokens_is_refused() {
        let err = Vocabulary::from_tokens(vec!["a".into(), "b".into()]).unwrap_err();
        assert!(err.contains("not Whisper"), "{err}");
    }
}
