//! Embeds the default pack. Every file under `packs/cloudflare-pm` is embedded as text (so that
//! errors can be reported with file and line), and when the pack is valid it is also loaded here,
//! at build time, and embedded as JSON: the binary then starts without parsing TOML.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

use debrief_pack::phrases::TablesBuilder;
use debrief_pack::PackFile;

/// The context cues, which the analyzer adds after the pack's phrases.
#[allow(dead_code)]
#[path = "src/cues.rs"]
mod cues;

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            println!("cargo:rerun-if-changed={}", p.display());
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest
        .join("../../packs/cloudflare-pm")
        .canonicalize()
        .expect("packs/cloudflare-pm exists");
    println!("cargo:rerun-if-changed={}", root.display());
    println!("cargo:rerun-if-changed=src/cues.rs");
    let mut paths = Vec::new();
    collect(&root, &mut paths);
    let mut files = Vec::new();
    let mut code = String::from(
        "/// The default pack's files, embedded at build time.\npub static FILES: &[(&str, &str)] = &[\n",
    );
    for f in &paths {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(&root)
            .expect("under root")
            .to_string_lossy()
            .replace('\\', "/");
        code.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            f.display().to_string()
        ));
        files.push(PackFile {
            path: rel,
            contents: fs::read_to_string(f).expect("pack files are UTF-8"),
        });
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var("OUT_DIR").expect("set by cargo"));
    // An invalid pack is not a build error: the binary reports it, with files and lines, at run
    // time, and `debrief pack check` says the same.
    let (json, phrases) = match debrief_pack::load(&files) {
        Ok(pack) => {
            // The same lists in the same order as `Analyzer::new` adds them: the analyzer takes
            // these tables only when their fingerprint says so, and compiles its own otherwise.
            let mut b = TablesBuilder::default();
            let mut code = 0;
            for s in &pack.signals {
                for list in s.phrase_lists() {
                    b.add(code, list);
                    code += 1;
                }
            }
            for (_, list) in cues::CUE_LISTS {
                b.add(code, list);
                code += 1;
            }
            let tables = b.build().expect("a valid pack's templates compile");
            (
                serde_json::to_string(&pack).expect("the pack model serialises"),
                tables.to_bytes(),
            )
        }
        Err(_) => (String::new(), Vec::new()),
    };
    fs::write(out.join("builtin_pack.json"), json).expect("write builtin_pack.json");
    fs::write(out.join("builtin_phrases.bin"), phrases).expect("write builtin_phrases.bin");
    code.push_str("/// The validated pack as JSON, empty when the pack is invalid.\npub static JSON: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/builtin_pack.json\"));\n");
    code.push_str("/// The pack's phrases, compiled; empty when the pack is invalid.\npub static PHRASES: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/builtin_phrases.bin\"));\n");
    // The learned models are data beside the pack; a pack without one judges by phrases alone.
    for (name, file) in [
        ("JUDGE_MODEL", "judge.bin"),
        ("EXPLAIN_MODEL", "explain.bin"),
        ("READER_MODEL", "reader.bin"),
        ("EXPLAIN_READER_MODEL", "explain-reader.bin"),
    ] {
        let path = root.join("model").join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_file() {
            code.push_str(&format!(
                "/// The pack's learned model `{file}`.\npub static {name}: &[u8] = include_bytes!({:?});\n",
                path.display().to_string()
            ));
        } else {
            code.push_str(&format!(
                "/// The pack has no `{file}`.\npub static {name}: &[u8] = &[];\n"
            ));
        }
    }
    fs::write(out.join("builtin_pack.rs"), code).expect("write builtin_pack.rs");
    write_quantity_dfa(&manifest, &out);
}

/// Compiles the quantity regex into a dense DFA that matches from a given start (leftmost first,
/// as the analyzer's regexes do), stored in the target's byte order.
fn write_quantity_dfa(manifest: &Path, out: &Path) {
    use regex_automata::dfa::{dense, StartKind};
    use regex_automata::util::syntax;
    use regex_automata::MatchKind;
    println!("cargo:rerun-if-changed=src/quantity.re");
    let source =
        fs::read_to_string(manifest.join("src/quantity.re")).expect("read src/quantity.re");
    let dfa = dense::Builder::new()
        .configure(
            dense::Config::new()
                .start_kind(StartKind::Anchored)
                .match_kind(MatchKind::LeftmostFirst)
                .minimize(true),
        )
        .syntax(syntax::Config::new().case_insensitive(true).unicode(false))
        .build(&source)
        .expect("the quantity regex compiles to a DFA");
    let (bytes, pad) = match env::var("CARGO_CFG_TARGET_ENDIAN").as_deref() {
        Ok("big") => dfa.to_bytes_big_endian(),
        _ => dfa.to_bytes_little_endian(),
    };
    fs::write(out.join("quantity.dfa"), &bytes[pad..]).expect("write quantity.dfa");
}
