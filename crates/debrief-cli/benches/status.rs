//! `debrief status` on a large history, whole process: 1,000 stories (two judged versions each)
//! and 10,000 mock-interview attempts over eight weeks. PRODUCT.md's target is 100 ms.
//!
//! The generator fills a store through `Store::import`, the same path `debrief import` takes.
//! Set `DEBRIEF_BENCH_HOME=DIR` to keep the generated home (generated once, reused after) and
//! time it by hand: `DEBRIEF_HOME=DIR debrief status`.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use debrief_core::{builtin, Analyzer};
use debrief_store::{
    Attempt, ExportedStory, Failure, NewFailure, Store, StoreExport, StoryMeta, StoryVersion,
};
use serde_json::Value;

const STORIES: usize = 1_000;
const ATTEMPTS: usize = 10_000;

/// Answers of every quality, so scores, verdicts and red marks vary.
const ANSWERS: &[&str] = &[
    "We kind of just shipped it because sales wanted it and the team felt it was probably fine.",
    "I owned the rollout of our new WAF rules to 2,000 customers. At 5% of traffic the \
     false-positive rate hit 0.8% against our 0.1% gate, so I halted the launch and told the VP \
     we would slip two weeks. I worked with the security lead on a staged rollout with an \
     automatic rollback, and since then every rule change ships behind that gate.",
    "During the outage I paged the on-call engineer, we rolled back the config within 12 minutes, \
     and I wrote the postmortem. The systemic change was a canary stage for every DNS change.",
    "The team skipped the security review to hit the date, and I think it worked out mostly fine.",
    "I disagreed with the engineering lead about the migration plan, so we wrote down the failure \
     modes together, agreed on an error budget of 0.1%, and moved 40% of traffic in week one.",
];

fn generate(home: &Path) {
    let analyzer = Analyzer::new(builtin::pack().expect("built-in pack")).expect("compiles");
    let questions: Vec<String> = analyzer
        .pack()
        .questions
        .iter()
        .map(|q| q.id.clone())
        .collect();
    let judgments: Vec<Value> = ANSWERS
        .iter()
        .map(|a| serde_json::to_value(analyzer.check(a, None).expect("judged")).unwrap())
        .collect();
    let now = debrief_store::date::now();
    let when = |i: usize| now - ((i * 7919) % (56 * 86_400)) as i64;
    let version = |n: i64, i: usize| {
        let j = &judgments[i % judgments.len()];
        StoryVersion {
            version: n,
            markdown: ANSWERS[i % ANSWERS.len()].to_string(),
            judgment: j.clone(),
            score: j["score"].as_i64().unwrap(),
            verdict: j["verdict"].as_str().unwrap().to_string(),
            created: when(i),
        }
    };
    let stories = (0..STORIES)
        .map(|i| ExportedStory {
            id: i as i64 + 1,
            uid: format!("bench-story-{i}"),
            meta: StoryMeta {
                title: format!("Story {i}"),
                tags: vec!["bench".into()],
                questions: (0..1 + i % 5)
                    .map(|k| questions[(i + k) % questions.len()].clone())
                    .collect(),
            },
            created: when(i),
            updated: when(i + 1),
            versions: vec![version(1, i), version(2, i + 1)],
        })
        .collect();
    let attempts = (0..ATTEMPTS)
        .map(|i| {
            let j = &judgments[i % judgments.len()];
            Attempt {
                id: i as i64 + 1,
                uid: format!("bench-attempt-{i}"),
                kind: if i % 3 == 0 { "follow-up" } else { "answer" }.into(),
                question: Some(questions[i % questions.len()].clone()),
                probe: None,
                answer: ANSWERS[i % ANSWERS.len()].to_string(),
                judgment: j.clone(),
                overall: None,
                delivery: None,
                score: j["score"].as_i64().unwrap(),
                verdict: j["verdict"].as_str().unwrap().to_string(),
                seconds: 60 + (i % 120) as i64,
                created: when(i),
            }
        })
        .collect();
    let failures = (0..5)
        .map(|i| Failure {
            id: i + 1,
            uid: format!("bench-failure-{i}"),
            entry: NewFailure {
                mistake: format!("Mistake {i}"),
                impact: "an hour of errors".into(),
                systemic_change: if i % 2 == 0 {
                    "a canary stage".into()
                } else {
                    String::new()
                },
            },
            created: now,
            updated: now,
        })
        .collect();
    let export = StoreExport {
        format: debrief_store::EXPORT_FORMAT.into(),
        version: 1,
        stories,
        failures,
        attempts,
        config: [("interview-date".to_string(), "2099-01-01".to_string())].into(),
        reviews: Vec::new(),
        explanations: Vec::new(),
        user_cards: Vec::new(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let db = home.join(debrief_store::DATABASE_FILE);
        let store = Store::open(db.to_str().unwrap()).await.expect("open");
        store.import(&export).await.expect("import");
        store.close().await;
    });
}

fn status(c: &mut Criterion) {
    let temp = tempfile::tempdir().unwrap();
    let home = match std::env::var_os("DEBRIEF_BENCH_HOME") {
        Some(dir) => dir.into(),
        None => temp.path().to_path_buf(),
    };
    if !home.join(debrief_store::DATABASE_FILE).exists() {
        generate(&home);
    }
    let run = |format: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_debrief"))
            .args(["status", "--format", format])
            .env("DEBRIEF_HOME", &home)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let mut group = c.benchmark_group("status_1000_stories_10000_attempts");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("whole_process_human", |b| b.iter(|| run("human")));
    group.bench_function("whole_process_json", |b| b.iter(|| run("json")));
    group.finish();
}

criterion_group!(benches, status);
criterion_main!(benches);
