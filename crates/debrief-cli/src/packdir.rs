//! Loading a pack: the built-in one, or the folder given with `--pack`.

use std::path::Path;

use anyhow::{bail, Context, Result};
use debrief_core::learned::{Model, Reader};
use debrief_core::pack::{self, Pack, PackFile};
use debrief_core::{builtin, explain, Analyzer};

/// Reads every `.toml` file under a pack folder, with paths relative to it.
pub fn read_files(dir: &Path) -> Result<Vec<PackFile>> {
    if !dir.is_dir() {
        bail!("{}: no such pack folder", dir.display());
    }
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries =
            std::fs::read_dir(&d).with_context(|| format!("{}: cannot read", d.display()))?;
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                let rel = path
                    .strip_prefix(dir)
                    .expect("under the pack folder")
                    .to_string_lossy()
                    .replace('\\', "/");
                let contents = std::fs::read_to_string(&path)
                    .with_context(|| format!("{}: cannot read as UTF-8 text", path.display()))?;
                files.push(PackFile {
                    path: rel,
                    contents,
                });
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Loads and validates the pack in `dir`, prefixing errors with the folder.
pub fn load_dir(dir: &Path) -> Result<Pack> {
    let files = read_files(dir)?;
    pack::load(&files).map_err(|errs| {
        let lines: Vec<String> = errs
            .0
            .iter()
            .map(|e| format!("{}/{e}", dir.display()))
            .collect();
        anyhow::anyhow!("the pack is invalid:\n{}", lines.join("\n"))
    })
}

/// The pack to judge with: `--pack DIR`, or the built-in one.
pub fn load(pack_dir: Option<&Path>) -> Result<Pack> {
    match pack_dir {
        Some(dir) => load_dir(dir),
        None => builtin::pack().map_err(|e| anyhow::anyhow!("the built-in pack is invalid:\n{e}")),
    }
}

/// The learned model a pack folder ships (`model/NAME`), if it has one.
pub fn model(dir: &Path, name: &str) -> Result<Option<Model>> {
    let path = dir.join("model").join(name);
    if !path.is_file() {
        return Ok(None);
    }
    let bytes = std::fs::read(&path).with_context(|| format!("{}: cannot read", path.display()))?;
    Model::from_bytes(bytes.into())
        .map(Some)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// The explain model for the chosen pack: `DIR/model/explain.bin`, or the built-in one, with
/// the second opinion of the pack's claims reader (`model/explain-reader.bin`, which reads the
/// static vectors of the pack's `model/judge.bin`) where the folder has one.
pub fn explain_model(pack_dir: Option<&Path>) -> Result<Option<Model>> {
    let Some(dir) = pack_dir else {
        return Ok(builtin::explain_model());
    };
    let Some(mut m) = model(dir, "explain.bin")? else {
        return Ok(None);
    };
    let path = dir.join("model").join("explain-reader.bin");
    if let Some(second) = reader(&path)? {
        let statics = model(dir, "judge.bin")?.ok_or_else(|| {
            anyhow::anyhow!(
                "{}: it reads the static vectors of model/judge.bin, which the pack lacks",
                path.display()
            )
        })?;
        explain::attach_claims_reader(&mut m, second, statics)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    }
    Ok(Some(m))
}

/// The analyzer for the chosen pack, with its learned model where it has one.
pub fn analyzer(pack_dir: Option<&Path>) -> Result<Analyzer> {
    let pack = load(pack_dir)?;
    let made = match pack_dir {
        Some(dir) => Analyzer::with_model(pack, model(dir, "judge.bin")?),
        None => Analyzer::new(pack),
    };
    let mut a = made.map_err(|e| anyhow::anyhow!("the pack does not compile:\n{e}"))?;
    if let Some(dir) = pack_dir {
        add_reader(&mut a, dir)?;
    }
    Ok(a)
}

/// The contextual reader file at `path` in a pack folder's `model/`, if the folder has one.
fn reader(path: &Path) -> Result<Option<Reader>> {
    if !path.is_file() {
        return Ok(None);
    }
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    Reader::from_bytes(&bytes)
        .map(Some)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Gives `analyzer` the contextual reader the pack folder ships (`model/reader.bin`), if any.
pub fn add_reader(analyzer: &mut Analyzer, dir: &Path) -> Result<()> {
    let path = dir.join("model").join("reader.bin");
    let Some(second) = reader(&path)? else {
        return Ok(());
    };
    analyzer
        .set_reader(second)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// The analyzer for the chosen pack by its phrases alone, to measure what the model adds.
pub fn phrase_analyzer(pack_dir: Option<&Path>) -> Result<Analyzer> {
    Analyzer::with_model(load(pack_dir)?, None)
        .map_err(|e| anyhow::anyhow!("the pack does not compile:\n{e}"))
}
