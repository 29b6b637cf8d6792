//! The default pack, `cloudflare-pm`, embedded in the binary at build time.

use crate::pack::{self, Pack, PackErrors, PackFile};

mod files {
    include!(concat!(env!("OUT_DIR"), "/builtin_pack.rs"));
}

/// The id of the built-in pack.
pub const ID: &str = "cloudflare-pm";

/// The built-in pack's files.
pub fn files() -> Vec<PackFile> {
    files::FILES
        .iter()
        .map(|(path, contents)| PackFile {
            path: (*path).to_string(),
            contents: (*contents).to_string(),
        })
        .collect()
}

/// Loads the built-in pack.
pub fn pack() -> Result<Pack, PackErrors> {
    pack::load(&files())
}
