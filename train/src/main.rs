//! `debrief-train`: rebuilds the default pack's learned models from the labelled data in
//! `train/data` (see `train/README.md`). Deterministic: the same data, settings and seed give the
//! same model file, byte for byte.

mod data;
mod net;
mod rank;

use std::borrow::Cow;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Parser;
use debrief_core::context::Cues;
use debrief_core::learned::{features, model, wordpiece, Meta, Model, Weights};
use debrief_core::text::Document;
use debrief_core::Analyzer;

/// Rebuild a learned model of the default pack: the one that reads answers sentence by sentence
/// (`judge`), or the explain drill's (`explain`).
#[derive(Parser, Debug)]
#[command(name = "debrief-train", version)]
struct Args {
    /// Which model: judge (answers) or explain (the explain drill).
    #[arg(long, value_enum, default_value_t = Kind::Judge)]
    kind: Kind,
    /// Labelled data: `.jsonl` files or folders of them.
    #[arg(long = "data", default_value = "train/data/judge")]
    data: Vec<PathBuf>,
    /// Where to write the model.
    #[arg(long, default_value = "packs/cloudflare-pm/model/judge.bin")]
    out: PathBuf,
    /// The generator's seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Passes over the data.
    #[arg(long, default_value_t = 12)]
    epochs: usize,
    /// Embedding dimensions.
    #[arg(long, default_value_t = 32)]
    dim: usize,
    /// Hidden units.
    #[arg(long, default_value_t = 64)]
    hidden: usize,
    /// Networks in the ensemble, each from its own seed (seed, seed + 1, ...).
    #[arg(long, default_value_t = 1)]
    members: usize,
    /// The word pieces' static vectors (`train/static.py` writes them); `none` for a model
    /// without them.
    #[arg(long, default_value = "train/static.bin")]
    statics: PathBuf,
    /// Features seen in fewer sentences get no row.
    #[arg(long, default_value_t = 2)]
    min_count: usize,
    /// Adam's learning rate.
    #[arg(long, default_value_t = 0.003)]
    lr: f32,
    /// Share of features dropped at each step.
    #[arg(long, default_value_t = 0.2)]
    dropout: f32,
    /// Share of word pieces dropped at each step (their static vectors are averaged).
    #[arg(long, default_value_t = 0.8)]
    piece_dropout: f32,
    /// The precision the disqualifier's threshold must reach on the held-out sentences.
    #[arg(long, default_value_t = 0.97)]
    dq_precision: f32,
    /// Set a class's threshold instead of picking it: CLASS=VALUE (repeatable).
    #[arg(long = "threshold")]
    thresholds: Vec<String>,
    /// Raise the threshold of every class whose id contains TEXT to at least VALUE:
    /// TEXT=VALUE (repeatable), e.g. `:!=0.9` for every misconception of the explain model.
    #[arg(long = "floor")]
    floors: Vec<String>,
    /// Lower the threshold of every class whose id contains TEXT to at most VALUE.
    #[arg(long = "ceiling")]
    ceilings: Vec<String>,
    /// The verdict's cut points on the score, NO_HIRE,HIRE,STRONG_HIRE (a strong no-hire needs
    /// a score under NO_HIRE and several red flags), instead of those fitted on the training
    /// answers.
    #[arg(long, value_name = "N,H,S")]
    cuts: Option<String>,
    /// Drop a phrase finding of CLASS where the model reads its sentence below VALUE.
    #[arg(long = "veto")]
    vetoes: Vec<String>,
    /// Let a reading of CLASS from VALUE up to its threshold count where the sentence itself
    /// spells the act out (the candidate's own clause leaves something undone, and the thing is
    /// named in that sentence): CLASS=VALUE (repeatable).
    #[arg(long = "spelled")]
    spelled: Vec<String>,
    /// Train on only every Nth sentence and answer (to show determinism quickly).
    #[arg(long, default_value_t = 1)]
    every: usize,
    /// Explain model only: how many times each of the pack's misconception examples
    /// (`examples.states`, `examples.denies`) is taught as stating its claim or not; 0 leaves
    /// them out.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pack_examples: usize,
    /// Instead of training: set the --threshold and --veto values in the model at --out.
    #[arg(long)]
    retune: bool,
    /// Instead of training: print the model at --out's probability of CLASS for each line of
    /// standard input (a sentence a line), to look at what it hears.
    #[arg(long, value_name = "CLASS")]
    probe: Option<String>,
    /// With --probe: read labelled answers (JSON lines with "answer") from this file and print,
    /// for each, the highest probability of CLASS over its sentences and whether it is judged so.
    #[arg(long, value_name = "FILE")]
    answers: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Kind {
    Judge,
    Explain,
}

fn parse_pairs(list: &[String], classes: &[String]) -> Result<Vec<(usize, f32)>> {
    list.iter()
        .map(|p| {
            let (c, v) = p
                .split_once('=')
                .with_context(|| format!("{p:?}: expected CLASS=VALUE"))?;
            let i = classes
                .iter()
                .position(|x| x == c)
                .with_context(|| format!("{c:?}: no such class"))?;
            Ok((
                i,
                v.parse::<f32>()
                    .with_context(|| format!("{v:?}: not a number"))?,
            ))
        })
        .collect()
}

/// The static vectors of `train/static.py`, `[N, S]` as the model will hold them: "DBSTATIC",
/// u32 S, u32 N, then per piece id an f32 scale and S i8. `none`: no static vectors.
fn read_statics(path: &std::path::Path) -> Result<(usize, Vec<f32>)> {
    if path.as_os_str() == "none" {
        return Ok((0, Vec::new()));
    }
    let b = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let u32_at = |at: usize| u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"));
    if b.len() < 16 || &b[..8] != b"DBSTATIC" {
        bail!("{}: not a static-vector file", path.display());
    }
    let (s, n) = (u32_at(8) as usize, u32_at(12) as usize);
    if n != wordpiece::len() || b.len() != 16 + n * (4 + s) {
        bail!(
            "{}: {n} vectors of {s}, for a vocabulary of {}",
            path.display(),
            wordpiece::len()
        );
    }
    let mut out = Vec::with_capacity(n * s);
    for i in 0..n {
        let at = 16 + i * (4 + s);
        let scale = f32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"));
        out.extend(
            b[at + 4..at + 4 + s]
                .iter()
                .map(|&q| scale * f32::from(q as i8)),
        );
    }
    Ok((s, out))
}

fn sentences_of(text: &str) -> Vec<String> {
    let doc = Document::new(text);
    doc.sentences()
        .iter()
        .map(|s| doc.norm()[s.start..s.end].trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn featurize(text: &str) -> Vec<u64> {
    let doc = Document::new(text);
    let cues = Cues::find(&doc);
    let mut out = Vec::new();
    features::whole(&doc, &cues, &mut features::Scratch::default(), &mut out);
    out
}

/// The model file `bytes` with the thresholds, vetoes and spelled-out bands of `args` set in
/// its meta.
/// Applies `--ceiling TEXT=VALUE` and then `--floor TEXT=VALUE` to the thresholds of `meta`.
fn apply_floors(meta: &mut Meta, floors: &[String], ceilings: &[String]) -> Result<()> {
    for (list, lower) in [(ceilings, true), (floors, false)] {
        for f in list {
            let (text, v) = f
                .rsplit_once('=')
                .with_context(|| format!("{f:?}: expected TEXT=VALUE"))?;
            let v: f32 = v.parse().with_context(|| format!("{v:?}: not a number"))?;
            for (c, t) in meta.classes.iter().zip(meta.thresholds.iter_mut()) {
                if c.contains(text) {
                    *t = if lower { t.min(v) } else { t.max(v) };
                }
            }
        }
    }
    Ok(())
}

/// `--cuts N,H,S`, if given.
fn parse_cuts(args: &Args) -> Result<Option<Vec<f32>>> {
    let Some(c) = &args.cuts else { return Ok(None) };
    let v: Vec<f32> = c
        .split(',')
        .map(|x| x.trim().parse::<f32>())
        .collect::<Result<_, _>>()
        .with_context(|| format!("--cuts {c:?}: three numbers, like 20,60,85"))?;
    if v.len() != 3 || !(v[0] <= v[1] && v[1] <= v[2]) {
        bail!("--cuts {c:?}: three rising numbers, like 20,60,85");
    }
    Ok(Some(v))
}

/// Sets a per-class list of the meta's extras (`veto`, `spelled`) from CLASS=VALUE pairs, over
/// what it holds already (zeros for a new one). A list that is not `always` kept is made only
/// when values are given, so models without it stay byte for byte as they were.
fn set_per_class(meta: &mut Meta, name: &str, pairs: &[String], always: bool) -> Result<()> {
    if pairs.is_empty() && !always {
        return Ok(());
    }
    let values = parse_pairs(pairs, &meta.classes)?;
    let k = meta.classes.len();
    let list = meta
        .extra
        .entry(name.into())
        .or_insert_with(|| vec![0.0; k]);
    for (c, v) in values {
        list[c] = v;
    }
    Ok(())
}

fn retune(bytes: &[u8], args: &Args) -> Result<Vec<u8>> {
    let model = Model::from_bytes(Cow::Owned(bytes.to_vec()))?;
    let mut meta = model.meta.clone();
    if let Some(cuts) = parse_cuts(args)? {
        meta.extra.insert("verdict".into(), cuts);
    }
    apply_floors(&mut meta, &args.floors, &args.ceilings)?;
    for (c, v) in parse_pairs(&args.thresholds, &meta.classes)? {
        meta.thresholds[c] = v;
    }
    set_per_class(&mut meta, "veto", &args.vetoes, true)?;
    set_per_class(&mut meta, "spelled", &args.spelled, false)?;
    // The meta is JSON between the header and the padded tables: rewrite that stretch only.
    let len_at = model::HEADER - 4;
    let old_len =
        u32::from_le_bytes(bytes[len_at..model::HEADER].try_into().expect("4 bytes")) as usize;
    let json = serde_json::to_vec(&meta)?;
    let mut out = bytes[..len_at].to_vec();
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    while !out.len().is_multiple_of(8) {
        out.push(0);
    }
    let rest = (model::HEADER + old_len).div_ceil(8) * 8;
    out.extend_from_slice(&bytes[rest..]);
    Model::from_bytes(Cow::Owned(out.clone()))?;
    Ok(out)
}

fn probe(args: &Args, class: &str) -> Result<()> {
    let bytes =
        std::fs::read(&args.out).with_context(|| format!("{}: cannot read", args.out.display()))?;
    let model = Model::from_bytes(Cow::Owned(bytes))?;
    let c = model
        .class(class)
        .with_context(|| format!("{class:?}: the model has no such class"))?;
    let mut probs = vec![0f32; model.classes()];
    if let Some(file) = &args.answers {
        let pack = debrief_core::builtin::pack().map_err(|e| anyhow::anyhow!("{e}"))?;
        let k = model.classes();
        let analyzer =
            Analyzer::with_model(pack, Some(model)).map_err(|e| anyhow::anyhow!("{e}"))?;
        let layer = analyzer.learned().expect("a model");
        for line in std::fs::read_to_string(file)?.lines() {
            let r: serde_json::Value = serde_json::from_str(line)?;
            let text = r["answer"].as_str().unwrap_or_default();
            let doc = Document::new(text);
            let cues = Cues::find(&doc);
            let reading = layer.read(&doc, &cues);
            let (best, at) = (0..doc.sentences().len())
                .map(|s| (reading.probs[s * k + c], s))
                .fold((0f32, 0), |a, b| if b.0 > a.0 { b } else { a });
            let j = analyzer.check(text, None)?;
            let u = doc.sentences().get(at).copied();
            println!(
                "{:.3}\t{}\t{}\t{}\t{}\t{}",
                best,
                r["disqualified"],
                j.disqualified,
                r["id"].as_str().unwrap_or(""),
                r["trap"].as_str().unwrap_or(""),
                u.map(|u| doc.norm()[u.start..u.end].to_string())
                    .unwrap_or_default()
            );
        }
        return Ok(());
    }
    for line in std::io::stdin().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        model.forward(&featurize(&line), &mut probs);
        println!("{:.3}\t{line}", probs[c]);
    }
    Ok(())
}

fn main() -> Result<()> {
    let args = Args::parse();
    if let Some(class) = &args.probe {
        return probe(&args, class);
    }
    if args.retune {
        let bytes = std::fs::read(&args.out)
            .with_context(|| format!("{}: cannot read", args.out.display()))?;
        let mut out = retune(&bytes, &args)?;
        std::fs::write(&args.out, &mut out)?;
        return Ok(());
    }
    let pack = debrief_core::builtin::pack().map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut classes: Vec<String> = Vec::new();
    let mut topics: std::collections::HashMap<String, Vec<String>> = Default::default();
    match args.kind {
        Kind::Judge => classes = pack.learned_classes(),
        Kind::Explain => {
            use debrief_core::explain::{concept_class, misconception_class, ANALOGY_CLASS};
            classes.push(ANALOGY_CLASS.to_string());
            for t in &pack.topics {
                let mut own = vec![ANALOGY_CLASS.to_string()];
                own.extend(t.concepts.iter().map(|c| concept_class(&t.id, &c.id)));
                own.extend(
                    t.misconceptions
                        .iter()
                        .map(|m| misconception_class(&t.id, &m.id)),
                );
                classes.extend(own[1..].iter().cloned());
                topics.insert(t.id.clone(), own);
            }
        }
    }
    if classes.is_empty() {
        bail!("the pack names no learned class");
    }
    let k = classes.len();
    let dq = classes.iter().position(|c| c == "security-bypassed");
    let mut files = Vec::new();
    for d in &args.data {
        files.extend(data::files(d)?);
    }
    let mut data = data::load(&files, &classes, dq, &sentences_of, &topics)?;
    if args.kind == Kind::Explain {
        // A claim or idea no sentence states could only learn never to fire: it is left to the
        // topic's phrases (and the model keeps the classes, and the bytes, it had without it).
        let mut stated = vec![false; k];
        for s in &data.sentences {
            for &(c, y) in &s.targets {
                stated[c] |= y > 0.5;
            }
        }
        if stated.contains(&false) {
            let unstated: Vec<&str> = (0..k)
                .filter(|&c| !stated[c])
                .map(|c| classes[c].as_str())
                .collect();
            eprintln!(
                "{} classes no sentence states, left to the phrases: {}",
                unstated.len(),
                unstated.join(", ")
            );
            // The classes kept, renumbered; their targets follow (the left-out ones were all 0).
            let mut renumbered = vec![None; k];
            let mut kept = Vec::new();
            for c in (0..k).filter(|&c| stated[c]) {
                renumbered[c] = Some(kept.len());
                kept.push(classes[c].clone());
            }
            for s in &mut data.sentences {
                s.targets = s
                    .targets
                    .iter()
                    .filter_map(|&(c, y)| renumbered[c].map(|n| (n, y)))
                    .collect();
            }
            classes = kept;
        }
    }
    let k = classes.len();
    // The pack's own examples teach their class only.
    for s in pack.signals.iter().filter(|_| args.kind == Kind::Judge) {
        let Some(c) = s
            .learned
            .as_ref()
            .and_then(|c| classes.iter().position(|x| x == c))
        else {
            continue;
        };
        for (y, list) in [(1.0, &s.examples.fire), (0.0, &s.examples.quiet)] {
            // Three times over: an example the pack promises must come out as promised.
            for e in list.iter().flat_map(|e| [e, e, e]) {
                data.sentences.push(data::Sentence {
                    holdout: data::hash(e).is_multiple_of(10),
                    text: e.clone(),
                    targets: vec![(c, y)],
                });
            }
        }
    }
    // The same for the explain drill: a misconception's `states` examples state its claim and
    // its `denies` examples do not (they deny it in the same words), and `debrief pack check`
    // holds the drill to both.
    let mut pack_examples = std::collections::HashSet::new();
    if args.kind == Kind::Explain && args.pack_examples > 0 {
        for t in &pack.topics {
            for m in &t.misconceptions {
                let id = debrief_core::explain::misconception_class(&t.id, &m.id);
                let Some(c) = classes.iter().position(|x| *x == id) else {
                    continue;
                };
                for (y, list) in [(1.0, &m.states), (0.0, &m.denies)] {
                    pack_examples.extend(list.iter().cloned());
                    for e in list
                        .iter()
                        .flat_map(|e| std::iter::repeat_n(e, args.pack_examples))
                    {
                        data.sentences.push(data::Sentence {
                            // Every one is taught: the check holds the drill to each.
                            holdout: false,
                            text: e.clone(),
                            targets: vec![(c, y)],
                        });
                    }
                }
            }
        }
        eprintln!(
            "{} of the pack's misconception examples taught, {} time(s) each",
            pack_examples.len(),
            args.pack_examples
        );
    }
    if args.every > 1 {
        let mut n = 0;
        data.sentences.retain(|_| {
            n += 1;
            n % args.every == 0
        });
        let mut n = 0;
        data.answers.retain(|_| {
            n += 1;
            n % args.every == 0
        });
    }
    let mut fingerprint = 0xcbf2_9ce4_8422_2325u64;
    for f in &files {
        for b in std::fs::read(f)? {
            fingerprint ^= u64::from(b);
            fingerprint = fingerprint.wrapping_mul(0x0100_0000_01b3);
        }
    }
    eprintln!(
        "{} files, {} sentences ({} held out), {} labelled answers, {} classes",
        files.len(),
        data.sentences.len(),
        data.sentences.iter().filter(|s| s.holdout).count(),
        data.answers.len(),
        k
    );

    let feats: Vec<Vec<u64>> = data.sentences.iter().map(|s| featurize(&s.text)).collect();
    // The explain model's pack examples count once toward --min-count, however many times they
    // are taught, so that repeating one does not give its every word a row of its own.
    let mut seen = std::collections::HashSet::new();
    let train_feats: Vec<Vec<u64>> = data
        .sentences
        .iter()
        .zip(&feats)
        .filter(|(s, _)| !s.holdout)
        .filter(|(s, _)| !pack_examples.contains(&s.text) || seen.insert(s.text.as_str()))
        .map(|(_, f)| f.clone())
        .collect();
    let (s_dim, statics) = read_statics(&args.statics)?;
    // Word pieces are read through their static vectors, never given rows of their own.
    let train_feats: Vec<Vec<u64>> = train_feats
        .into_iter()
        .map(|f| {
            f.into_iter()
                .filter(|&h| wordpiece::id_of(h).is_none())
                .collect()
        })
        .collect();
    let keys = net::vocabulary(&train_feats, args.min_count);
    let index: std::collections::HashMap<u64, u32> = keys
        .iter()
        .enumerate()
        .map(|(i, &h)| (h, i as u32))
        .collect();
    let to_item = |s: &data::Sentence, f: &Vec<u64>| net::Item {
        rows: f.iter().filter_map(|h| index.get(h).copied()).collect(),
        pieces: f
            .iter()
            .filter_map(|&h| wordpiece::id_of(h))
            .filter(|_| s_dim > 0)
            .map(|id| id as u32)
            .collect(),
        targets: s.targets.clone(),
    };
    let items: Vec<net::Item> = data
        .sentences
        .iter()
        .zip(&feats)
        .filter(|(s, _)| !s.holdout)
        .map(|(s, f)| to_item(s, f))
        .collect();
    let held: Vec<net::Item> = data
        .sentences
        .iter()
        .zip(&feats)
        .filter(|(s, _)| s.holdout)
        .map(|(s, f)| to_item(s, f))
        .collect();
    let mut pos = vec![0f32; k];
    let mut neg = vec![0f32; k];
    for it in &items {
        for &(c, y) in &it.targets {
            if y > 0.5 {
                pos[c] += 1.0;
            } else {
                neg[c] += 1.0;
            }
        }
    }
    let positive_weight: Vec<f32> = (0..k)
        .map(|c| (neg[c] / pos[c].max(1.0)).sqrt().clamp(1.0, 6.0))
        .collect();
    eprintln!("{} feature rows; training", keys.len());
    let cfg = net::Config {
        d: args.dim,
        h: args.hidden,
        epochs: args.epochs,
        lr: args.lr,
        batch: 32,
        dropout: args.dropout,
        piece_dropout: args.piece_dropout,
        l2: 1e-5,
        seed: args.seed,
    };
    let members: Vec<Weights> = (0..args.members.max(1) as u64)
        .map(|m| {
            eprintln!("member {} of {}", m + 1, args.members.max(1));
            let cfg = net::Config {
                seed: args.seed + m,
                ..cfg.clone()
            };
            net::train(
                keys.clone(),
                &statics,
                s_dim,
                &items,
                &held,
                k,
                &positive_weight,
                &cfg,
            )
        })
        .collect();
    let mut weights = net::ensemble(members);
    weights.s = s_dim;
    weights.statics = statics;

    let provenance = format!(
        "debrief-train (train/) --kind {:?}, seed {}, members {}, epochs {}, dim {}, hidden {}, min-count {}, lr {}, dropout {}, piece-dropout {}, statics {}, dq-precision {}{}; {} data files (fingerprint {:016x}), {} sentences, {} answers",
        args.kind, args.seed, args.members, args.epochs, args.dim, args.hidden, args.min_count, args.lr, args.dropout, args.piece_dropout, args.statics.display(),
        args.dq_precision,
        if args.kind == Kind::Explain {
            format!(", pack examples {}", args.pack_examples)
        } else {
            String::new()
        },
        files.len(), fingerprint, data.sentences.len(), data.answers.len()
    );
    let mut meta = Meta {
        classes: classes.clone(),
        thresholds: vec![0.5; k],
        provenance,
        extra: Default::default(),
    };
    let model = |w: &Weights, m: &Meta| Model::from_bytes(Cow::Owned(w.to_bytes(m)));

    // Thresholds from the held-out sentences, read by the model as it will be shipped.
    let draft = model(&weights, &meta)?;
    let mut scored: Vec<Vec<(f32, bool)>> = vec![Vec::new(); k];
    let mut probs = vec![0f32; k];
    for (s, f) in data.sentences.iter().zip(&feats) {
        if !s.holdout {
            continue;
        }
        draft.forward(f, &mut probs);
        for &(c, y) in &s.targets {
            scored[c].push((probs[c], y > 0.5));
        }
    }
    eprintln!("\nheld-out sentences, at each class's threshold:");
    eprintln!(
        "  {:<28} {:>5} {:>5} {:>6} {:>6} {:>6}",
        "class", "pos", "neg", "thr", "prec", "recall"
    );
    for c in 0..k {
        let list = &scored[c];
        let positives = list.iter().filter(|x| x.1).count();
        let at = |t: f32| {
            let tp = list.iter().filter(|x| x.1 && x.0 >= t).count() as f32;
            let fp = list.iter().filter(|x| !x.1 && x.0 >= t).count() as f32;
            let precision = if tp + fp > 0.0 { tp / (tp + fp) } else { 1.0 };
            let recall = tp / (positives as f32).max(1.0);
            (precision, recall)
        };
        let t = if positives < 5 {
            0.5
        } else if Some(c) == dq {
            (10..99)
                .map(|i| i as f32 / 100.0)
                .find(|&t| at(t).0 >= args.dq_precision)
                .unwrap_or(0.95)
        } else {
            let mut best = (0f32, 0.5f32);
            for i in 10..95 {
                let t = i as f32 / 100.0;
                let (p, r) = at(t);
                let f1 = if p + r > 0.0 {
                    2.0 * p * r / (p + r)
                } else {
                    0.0
                };
                if f1 > best.0 + 1e-6 {
                    best = (f1, t);
                }
            }
            best.1
        };
        meta.thresholds[c] = t;
        let (p, r) = at(t);
        eprintln!(
            "  {:<28} {:>5} {:>5} {:>6.2} {:>6.3} {:>6.3}",
            classes[c],
            positives,
            list.len() - positives,
            t,
            p,
            r
        );
    }
    for (c, v) in parse_pairs(&args.thresholds, &classes)? {
        meta.thresholds[c] = v;
    }
    apply_floors(&mut meta, &args.floors, &args.ceilings)?;
    set_per_class(&mut meta, "veto", &args.vetoes, true)?;
    set_per_class(&mut meta, "spelled", &args.spelled, false)?;

    if args.kind == Kind::Judge {
        // The answer ranker, on what the analyzer with this model reads of each labelled answer.
        let analyzer = Analyzer::with_model(pack.clone(), Some(model(&weights, &meta)?))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut xs = Vec::new();
        let mut labels = Vec::new();
        let mut groups = Vec::new();
        let mut held = Vec::new();
        for a in &data.answers {
            let Ok(Some(x)) = analyzer.ranker_input(&a.text, true) else {
                continue;
            };
            xs.push(x);
            labels.push(a.label);
            groups.push(a.group.clone());
            held.push(data::hash(&a.group).is_multiple_of(10));
        }
        if xs.len() >= 20 {
            let pick = |v: &Vec<Vec<f32>>, keep: bool| -> Vec<Vec<f32>> {
                v.iter()
                    .zip(&held)
                    .filter(|(_, h)| **h != keep)
                    .map(|(x, _)| x.clone())
                    .collect()
            };
            let pick_f = |v: &Vec<f32>, keep: bool| -> Vec<f32> {
                v.iter()
                    .zip(&held)
                    .filter(|(_, h)| **h != keep)
                    .map(|(x, _)| *x)
                    .collect()
            };
            let pick_s = |v: &Vec<String>, keep: bool| -> Vec<String> {
                v.iter()
                    .zip(&held)
                    .filter(|(_, h)| **h != keep)
                    .map(|(x, _)| x.clone())
                    .collect()
            };
            let w = rank::fit(
                &pick(&xs, true),
                &pick_f(&labels, true),
                &pick_s(&groups, true),
                0.01,
                2000,
            );
            let score = |x: &Vec<f32>| {
                debrief_core::learned::answer::score(debrief_core::learned::answer::raw(&w, x))
                    as f32
            };
            let all_scores: Vec<f32> = xs.iter().map(score).collect();
            for (name, keep) in [("training", true), ("held-out", false)] {
                let (acc, n) = rank::pair_accuracy(
                    &pick_f(&all_scores, keep),
                    &pick_f(&labels, keep),
                    &pick_s(&groups, keep),
                );
                eprintln!(
                    "ranker, {name} answers: {:.3} of {n} within-group pairs ordered rightly",
                    acc
                );
            }
            let fit_scores = pick_f(&all_scores, true);
            let fit_labels = pick_f(&labels, true);
            let hire = rank::best_cut(&fit_scores, &fit_labels, 0.75);
            let no_hire = rank::best_cut(&fit_scores, &fit_labels, 0.25).min(hire - 1.0);
            let mut strong: Vec<f32> = fit_scores
                .iter()
                .zip(&fit_labels)
                .filter(|(_, l)| **l > 0.75)
                .map(|(s, _)| *s)
                .collect();
            strong.sort_by(|a, b| a.total_cmp(b));
            let strong_hire = strong
                .get(strong.len() / 2)
                .copied()
                .unwrap_or(80.0)
                .max(hire + 5.0);
            eprintln!("verdict cuts: no-hire {no_hire}, hire {hire}, strong hire {strong_hire}");
            meta.extra.insert("ranker".into(), w);
            meta.extra
                .insert("verdict".into(), vec![no_hire, hire, strong_hire]);
        } else {
            eprintln!("fewer than 20 labelled answers: no ranker");
        }
    }
    if let Some(cuts) = parse_cuts(&args)? {
        meta.extra.insert("verdict".into(), cuts);
    }
    let bytes = weights.to_bytes(&meta);
    let (ran, failures) = if args.kind == Kind::Judge {
        Analyzer::with_model(
            pack.clone(),
            Some(Model::from_bytes(Cow::Owned(bytes.clone()))?),
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .verify_examples()
    } else {
        Model::from_bytes(Cow::Owned(bytes.clone()))?;
        (0, Vec::new())
    };
    if args.kind == Kind::Judge {
        eprintln!(
            "pack examples with this model: {} of {ran} as promised",
            ran - failures.len()
        );
    }
    for f in &failures {
        eprintln!("  {f}");
    }
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, &bytes)
        .with_context(|| format!("{}: cannot write", args.out.display()))?;
    eprintln!("wrote {} ({} bytes)", args.out.display(), bytes.len());
    Ok(())
}
