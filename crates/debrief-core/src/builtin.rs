//! The default pack, `cloudflare-pm`, embedded in the binary at build time: validated by the
//! build script and stored as JSON, so that starting up parses no TOML, with its phrases already
//! compiled, so that starting up compiles none.

use crate::pack::{self, Pack, PackErrors, PackFile};

mod files {
    include!(concat!(env!("OUT_DIR"), "/builtin_pack.rs"));
}

/// The built-in pack's phrases (with the context cues), compiled by the build script, as
/// `debrief_pack::phrases::PhraseTables::to_bytes` wrote them; `None` when the pack was invalid.
pub fn phrase_tables() -> Option<&'static [u8]> {
    (!files::PHRASES.is_empty()).then_some(files::PHRASES)
}

/// The built-in pack's learned model for answers (`model/judge.bin`), read where it lies in the
/// binary; `None` when the pack has none or it cannot be read.
pub fn model() -> Option<crate::learned::Model> {
    embedded(files::JUDGE_MODEL)
}

/// The built-in pack's learned model for the explain drill (`model/explain.bin`), with the
/// second opinion of its contextual reader (`model/explain-reader.bin`, reading the judge model's
/// static vectors) where the pack ships one.
pub fn explain_model() -> Option<crate::learned::Model> {
    let mut m = embedded(files::EXPLAIN_MODEL)?;
    if let (false, Some(statics)) = (files::EXPLAIN_READER_MODEL.is_empty(), model()) {
        // A reader that does not read or fit is left out (the test below fails on it, and
        // `debrief pack check packs/cloudflare-pm` names it).
        if let Ok(r) = crate::learned::Reader::from_bytes(files::EXPLAIN_READER_MODEL) {
            let _ = crate::explain::attach_claims_reader(&mut m, r, statics);
        }
    }
    Some(m)
}

/// The built-in pack's contextual reader (`model/reader.bin`), the judge model's second opinion.
pub fn reader() -> Option<crate::learned::Reader> {
    if files::READER_MODEL.is_empty() {
        return None;
    }
    crate::learned::Reader::from_bytes(files::READER_MODEL).ok()
}

fn embedded(bytes: &'static [u8]) -> Option<crate::learned::Model> {
    if bytes.is_empty() {
        return None;
    }
    crate::learned::Model::from_bytes(std::borrow::Cow::Borrowed(bytes)).ok()
}

/// The id of the built-in pack.
pub const ID: &str = "cloudflare-pm";

/// The built-in pack's files, as written.
pub fn files() -> Vec<PackFile> {
    files::FILES
        .iter()
        .map(|(path, contents)| PackFile {
            path: (*path).to_string(),
            contents: (*contents).to_string(),
        })
        .collect()
}

/// Loads the built-in pack: from the JSON the build made, or, when the build found the pack
/// invalid, from its files, to report every error with its file and line.
pub fn pack() -> Result<Pack, PackErrors> {
    if !files::JSON.is_empty() {
        if let Ok(pack) = serde_json::from_str(files::JSON) {
            return Ok(pack);
        }
    }
    pack::load(&files())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_explain_model_carries_the_claims_reader_the_pack_ships() {
        let m = explain_model().expect("the built-in explain model");
        assert_eq!(
            m.second_opinion().is_some(),
            !files::EXPLAIN_READER_MODEL.is_empty(),
            "a shipped model/explain-reader.bin that does not read or fit"
        );
    }

    #[test]
    fn the_embedded_json_is_the_pack_the_files_load_to() {
        let from_files = pack::load(&files()).expect("the built-in pack is valid");
        let from_json = pack().expect("loads");
        assert_eq!(from_json.meta.id, ID);
        assert_eq!(
            serde_json::to_string(&from_json).unwrap(),
            serde_json::to_string(&from_files).unwrap()
        );
    }
}
