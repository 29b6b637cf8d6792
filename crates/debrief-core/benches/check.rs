//! Judging speed: one 400-word answer in process, learned layer included (target 1 ms or less;
//! `answer-phrases-only` shows what the phrases alone cost), throughput over many answers on one
//! core (`corpus-answers` is the honest measure), and one explain-drill explanation (target under
//! 1 ms). Run with `cargo bench -p debrief-core`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use debrief_core::{builtin, Analyzer};
use std::hint::black_box;

const STRONG: &str = include_str!("answers/strong-400.md");
const WEAK: &str = include_str!("answers/weak-400.md");

fn bench(c: &mut Criterion) {
    let analyzer = Analyzer::new(builtin::pack().expect("built-in pack loads")).expect("compiles");
    let phrases_only =
        Analyzer::with_model(builtin::pack().expect("loads"), None).expect("compiles");
    assert!(
        analyzer.learned().is_some(),
        "the built-in pack ships its model"
    );
    let mut group = c.benchmark_group("check");
    for (name, text) in [("strong-400-words", STRONG), ("weak-400-words", WEAK)] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("answer", name), text, |b, t| {
            b.iter(|| analyzer.check(black_box(t), None).expect("judged"))
        });
        group.bench_with_input(
            BenchmarkId::new("answer-phrases-only", name),
            text,
            |b, t| b.iter(|| phrases_only.check(black_box(t), None).expect("judged")),
        );
    }
    // 64 answers back to back, made from the two above by word swaps: few distinct texts, so the
    // processor's branch predictors learn them and this flatters throughput. The corpus below,
    // 50 different answers, is the figure to quote.
    let many: Vec<String> = (0..64)
        .map(|i| {
            if i % 2 == 0 { STRONG } else { WEAK }
                .replace("the", if i % 3 == 0 { "the" } else { "our" })
        })
        .collect();
    let bytes: usize = many.iter().map(String::len).sum();
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("many-answers", |b| {
        b.iter(|| {
            for t in &many {
                black_box(analyzer.check(t, None).expect("judged"));
            }
        })
    });
    // The corpus: 50 different full-length answers, strong and weak, as written: throughput over
    // many answers as a coach re-judging a cohort would see it.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/answers");
    let mut corpus: Vec<String> = std::fs::read_dir(dir)
        .expect("the corpus folder")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("UTF-8"))
        .collect();
    corpus.sort();
    let bytes: usize = corpus.iter().map(String::len).sum();
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("corpus-answers", |b| {
        b.iter(|| {
            for t in &corpus {
                black_box(analyzer.check_markdown(t, None).expect("judged"));
            }
        })
    });
    group.finish();

    // One explanation for the explain drill, with the built-in explain model.
    let pack = builtin::pack().expect("loads");
    let model = builtin::explain_model();
    assert!(model.is_some(), "the built-in pack ships its explain model");
    let explainer = debrief_core::explain::Explainer::new(&pack, model.as_ref());
    let topic = pack.topic("dns-resolution").expect("a topic");
    let text = topic.strong_sample.clone();
    c.bench_function("explain-one", |b| {
        b.iter(|| explainer.judge(topic, black_box(&text)).expect("judged"))
    });
    // A fluent explanation stating a wrong claim, where the claims reader reads the sentences
    // the model hears a claim in a second time.
    let subtle = topic
        .subtle_sample
        .as_ref()
        .expect("the topic has a subtle sample")
        .text
        .clone();
    let wrong = format!("{text} {subtle}");
    c.bench_function("explain-wrong", |b| {
        b.iter(|| explainer.judge(topic, black_box(&wrong)).expect("judged"))
    });

    // The default pack's phrases are compiled at build time: making its analyzer loads them.
    c.bench_function("compile-builtin-pack", |b| {
        b.iter(|| Analyzer::new(builtin::pack().expect("loads")).expect("compiles"))
    });
    // Any other pack's phrases are compiled when it is loaded: the default pack with one more
    // phrasing stands for a pack of the same size.
    c.bench_function("compile-custom-pack", |b| {
        b.iter(|| {
            let mut pack = builtin::pack().expect("loads");
            pack.signals[0].phrases.push("one more phrasing".into());
            Analyzer::new(pack).expect("compiles")
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
