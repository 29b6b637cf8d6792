//! One store test suite for both backends: every test runs on SQLite in a temporary folder, and
//! on PostgreSQL when `DEBRIEF_TEST_DATABASE_URL` is set, each time in a fresh database of its
//! own that is dropped afterwards.

use std::future::Future;
use std::sync::OnceLock;

use debrief_core::{Analyzer, Judgment};
use debrief_store::{
    Error, ImportReport, NewAttempt, NewFailure, Store, StoreExport, StoryMeta, ATTEMPT_ANSWER,
};
use sqlx::{Connection, Executor};

const STRONG: &str = "I owned the rollout of our new WAF rules to 2,000 customers. At 5% of \
traffic the false-positive rate hit 0.8% against our 0.1% gate, so I halted the launch and told \
the VP we would slip two weeks. I worked with the security lead on a staged rollout with an \
automatic rollback, and since then every rule change ships behind that gate. We lost two weeks \
and no customer was blocked.";

const WEAK: &str = "We kind of just shipped it because sales wanted it and the team felt \
it was probably fine. Things went okay mostly, I think, and everyone was happy in the end.";

fn analyzer() -> &'static Analyzer {
    static ANALYZER: OnceLock<Analyzer> = OnceLock::new();
    ANALYZER.get_or_init(|| {
        Analyzer::new(debrief_core::builtin::pack().expect("built-in pack")).expect("compiles")
    })
}

/// `store`'s export through JSON text, as `debrief export` writes it, imported into a fresh
/// SQLite store in `dir`: the new store, the export and what the import reported.
async fn export_into_fresh(
    store: &Store,
    dir: &std::path::Path,
) -> (Store, StoreExport, ImportReport) {
    let export = store.export().await.unwrap();
    let text = serde_json::to_string_pretty(&export).unwrap();
    let export: debrief_store::StoreExport = serde_json::from_str(&text).unwrap();
    let other = Store::open(dir.join("other.sqlite").to_str().unwrap())
        .await
        .unwrap();
    let report = other.import(&export).await.unwrap();
    (other, export, report)
}

fn judge(text: &str) -> Judgment {
    analyzer().check(text, None).expect("judged")
}

fn meta(title: &str, questions: &[&str]) -> StoryMeta {
    StoryMeta {
        title: title.to_string(),
        tags: vec!["launch".to_string()],
        questions: questions.iter().map(|q| q.to_string()).collect(),
    }
}

/// Runs `test` against a fresh SQLite store, then against a fresh PostgreSQL database when the
/// environment names a server.
async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("debrief.sqlite").to_str().unwrap())
        .await
        .expect("open SQLite");
    test(store.clone()).await;
    store.close().await;

    let Some(db) = debrief_store::scratch::ScratchDatabase::create("PostgreSQL run").await else {
        return;
    };
    let url = db.url().to_string();
    let store = Store::open(&url).await.expect("open PostgreSQL");
    test(store.clone()).await;
    store.close().await;
}

#[tokio::test(flavor = "current_thread")]
async fn every_saved_version_is_judged_and_kept() {
    on_each_backend(|store| async move {
        let weak = judge(WEAK);
        let strong = judge(STRONG);
        let id = store
            .add_story(&meta("Halted WAF launch", &["halted-launch"]), WEAK, &weak)
            .await
            .unwrap();
        let v2 = store
            .add_version(
                id,
                &meta(
                    "Halted the WAF rollout",
                    &["halted-launch", "safety-over-speed"],
                ),
                STRONG,
                &strong,
            )
            .await
            .unwrap();
        assert_eq!(v2, Some(2));
        assert_eq!(
            store
                .add_version(id + 100, &meta("x", &[]), STRONG, &strong)
                .await
                .unwrap(),
            None
        );

        let list = store.stories().await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].id, id);
        assert_eq!(list[0].versions, 2);
        assert_eq!(list[0].score, i64::from(strong.score));
        assert_eq!(list[0].verdict, strong.verdict.as_str());
        assert_eq!(list[0].meta.title, "Halted the WAF rollout");
        assert_eq!(
            list[0].meta.questions,
            ["halted-launch", "safety-over-speed"]
        );

        let story = store.story(id).await.unwrap().expect("kept");
        assert_eq!(story.versions.len(), 2);
        assert_eq!(story.versions[0].markdown, WEAK);
        assert_eq!(story.versions[0].score, i64::from(weak.score));
        assert_eq!(story.versions[1].markdown, STRONG);
        let back: Judgment = serde_json::from_value(story.versions[1].judgment.clone()).unwrap();
        assert_eq!(back, strong);
        assert!(store.story(id + 1).await.unwrap().is_none());
        // The same text again is no new version; a new title still lands.
        let again = store
            .add_version(id, &meta("Same text, new title", &[]), STRONG, &strong)
            .await
            .unwrap();
        assert_eq!(again, Some(2));
        let story = store.story(id).await.unwrap().unwrap();
        assert_eq!(story.versions.len(), 2);
        assert_eq!(story.meta.title, "Same text, new title");
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn removing_a_story_removes_its_versions_only() {
    on_each_backend(|store| async move {
        let j = judge(STRONG);
        let a = store.add_story(&meta("A", &[]), STRONG, &j).await.unwrap();
        let b = store.add_story(&meta("B", &[]), STRONG, &j).await.unwrap();
        store
            .add_version(a, &meta("A", &[]), WEAK, &judge(WEAK))
            .await
            .unwrap();
        assert!(store.remove_story(a).await.unwrap());
        assert!(!store.remove_story(a).await.unwrap());
        let list = store.stories().await.unwrap();
        assert_eq!(list.iter().map(|s| s.id).collect::<Vec<_>>(), [b]);
        let export = store.export().await.unwrap();
        assert_eq!(export.stories.len(), 1);
        assert_eq!(export.stories[0].versions.len(), 1);
        // A removed id is not handed out again.
        let c = store.add_story(&meta("C", &[]), STRONG, &j).await.unwrap();
        assert!(c > b);
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn failure_resume_entries_are_kept_and_removed() {
    on_each_backend(|store| async move {
        let entry = NewFailure {
            mistake: "Shipped a DNS change on a Friday".into(),
            impact: "12 minutes of resolution errors for 3% of zones".into(),
            systemic_change: String::new(),
        };
        let id = store.add_failure(&entry).await.unwrap();
        let f = store.failure(id).await.unwrap().expect("kept");
        assert_eq!(f.entry, entry);
        assert_eq!(store.failures().await.unwrap().len(), 1);
        let changed = NewFailure {
            systemic_change: "A Friday change freeze, with an override that pages".into(),
            ..entry.clone()
        };
        assert!(store.update_failure(id, &changed).await.unwrap());
        assert_eq!(store.failure(id).await.unwrap().unwrap().entry, changed);
        assert!(!store.update_failure(id + 1, &changed).await.unwrap());
        assert!(store.remove_failure(id).await.unwrap());
        assert!(store.failure(id).await.unwrap().is_none());
        assert!(store.failures().await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn settings_are_set_replaced_and_unset() {
    on_each_backend(|store| async move {
        assert_eq!(store.config("interview-date").await.unwrap(), None);
        store
            .set_config("interview-date", "2026-09-01")
            .await
            .unwrap();
        store
            .set_config("interview-date", "2026-09-15")
            .await
            .unwrap();
        assert_eq!(
            store.config("interview-date").await.unwrap().as_deref(),
            Some("2026-09-15")
        );
        assert_eq!(store.config_all().await.unwrap().len(), 1);
        assert!(store.unset_config("interview-date").await.unwrap());
        assert!(!store.unset_config("interview-date").await.unwrap());
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn reports_read_the_latest_versions_and_recent_red_marks() {
    on_each_backend(|store| async move {
        let weak = judge(WEAK);
        let strong = judge(STRONG);
        let id = store
            .add_story(&meta("A", &["halted-launch"]), WEAK, &weak)
            .await
            .unwrap();
        store
            .add_version(id, &meta("A", &["halted-launch"]), STRONG, &strong)
            .await
            .unwrap();
        for _ in 0..3 {
            store
                .add_attempt(&NewAttempt {
                    kind: ATTEMPT_ANSWER,
                    question: Some("halted-launch"),
                    probe: None,
                    answer: WEAK,
                    judgment: &weak,
                    seconds: 95,
                })
                .await
                .unwrap();
        }
        assert_eq!(
            store.attempt_count(ATTEMPT_ANSWER, 0, 100).await.unwrap(),
            3
        );
        assert_eq!(store.attempt_count("follow-up", 0, 100).await.unwrap(), 0);
        // Counting stops at what is enough, and answers shorter than asked do not count.
        assert_eq!(store.attempt_count(ATTEMPT_ANSWER, 0, 2).await.unwrap(), 2);
        assert_eq!(
            store
                .attempt_count(ATTEMPT_ANSWER, 10_000, 100)
                .await
                .unwrap(),
            0
        );

        let evidence = store.story_evidence().await.unwrap();
        assert_eq!(evidence.len(), 1);
        assert_eq!(evidence[0].score, i64::from(strong.score));
        for c in &strong.competencies {
            assert_eq!(
                evidence[0].competency_scores.get(&*c.id).copied(),
                c.score,
                "{}",
                c.id
            );
        }

        let marks = store.recent_red_marks(4).await.unwrap();
        assert_eq!(marks.len(), 4);
        let weak_red: Vec<String> = {
            let mut r: Vec<String> = weak
                .findings
                .iter()
                .filter(|f| f.severity.is_red())
                .map(|f| f.rule.to_string())
                .collect();
            r.sort();
            r.dedup();
            r
        };
        assert!(marks.iter().filter(|m| m.signals == weak_red).count() >= 3);

        let days = store.scores_by_day().await.unwrap();
        assert_eq!(days.iter().map(|d| d.count).sum::<i64>(), 5);
        assert_eq!(
            days.iter().map(|d| d.total).sum::<i64>(),
            i64::from(weak.score) * 4 + i64::from(strong.score)
        );
        let attempts = store.attempts().await.unwrap();
        assert_eq!(attempts.len(), 3);
        assert_eq!(attempts[0].seconds, 95);
        assert_eq!(attempts[0].question.as_deref(), Some("halted-launch"));
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn export_then_import_into_an_empty_store_gives_the_same_data() {
    on_each_backend(|store| async move {
        let weak = judge(WEAK);
        let strong = judge(STRONG);
        let a = store
            .add_story(&meta("A", &["halted-launch"]), WEAK, &weak)
            .await
            .unwrap();
        store
            .add_version(a, &meta("A2", &[]), STRONG, &strong)
            .await
            .unwrap();
        let b = store
            .add_story(&meta("B", &[]), STRONG, &strong)
            .await
            .unwrap();
        let gone = store
            .add_story(&meta("gone", &[]), STRONG, &strong)
            .await
            .unwrap();
        store.add_story(&meta("D", &[]), WEAK, &weak).await.unwrap();
        store.remove_story(gone).await.unwrap();
        store.remove_story(b).await.unwrap();
        store
            .add_failure(&NewFailure {
                mistake: "m".into(),
                impact: "i".into(),
                systemic_change: "s".into(),
            })
            .await
            .unwrap();
        store
            .add_attempt(&NewAttempt {
                kind: ATTEMPT_ANSWER,
                question: None,
                probe: None,
                answer: STRONG,
                judgment: &strong,
                seconds: 120,
            })
            .await
            .unwrap();
        store
            .set_config("interview-date", "2026-09-15")
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (other, export, report) = export_into_fresh(&store, dir.path()).await;
        assert_eq!(
            (
                report.stories,
                report.versions,
                report.failures,
                report.attempts
            ),
            (2, 3, 1, 1)
        );
        assert_eq!(other.export().await.unwrap(), export);

        // Back into the first store and a second time: nothing new.
        let again = store.import(&export).await.unwrap();
        assert_eq!(
            (
                again.stories,
                again.versions,
                again.failures,
                again.attempts
            ),
            (0, 0, 0, 0)
        );
        let twice = other.import(&export).await.unwrap();
        assert_eq!((twice.stories, twice.versions), (0, 0));
        assert_eq!(other.export().await.unwrap(), export);
        assert_eq!(store.export().await.unwrap(), export);

        // Ids in use are not taken over: an unrelated story keeps its id, the import gets another.
        let third = Store::open(dir.path().join("third.sqlite").to_str().unwrap())
            .await
            .unwrap();
        let mine = third
            .add_story(&meta("mine", &[]), STRONG, &strong)
            .await
            .unwrap();
        third.import(&export).await.unwrap();
        let stories = third.stories().await.unwrap();
        assert_eq!(stories.len(), 3);
        assert_eq!(
            stories.iter().find(|s| s.id == mine).unwrap().meta.title,
            "mine"
        );
        // New records after an import get fresh ids.
        let next = store
            .add_story(&meta("E", &[]), STRONG, &strong)
            .await
            .unwrap();
        assert!(export.stories.iter().all(|s| s.id < next));
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_spoken_answers_delivery_is_kept_and_travels_with_export() {
    on_each_backend(|store| async move {
        use debrief_store::NewExplanation;
        let strong = judge(STRONG);
        let delivery = serde_json::json!({ "words_per_minute": 148.5, "pauses": [{ "start": 3.2, "end": 4.7 }] });
        let spoken = store
            .add_spoken_attempt(
                &NewAttempt {
                    kind: ATTEMPT_ANSWER,
                    question: Some("halted-launch"),
                    probe: None,
                    answer: STRONG,
                    judgment: &strong,
                    seconds: 95,
                },
                &delivery,
            )
            .await
            .unwrap();
        let typed = store
            .add_attempt(&NewAttempt {
                kind: ATTEMPT_ANSWER,
                question: None,
                probe: None,
                answer: STRONG,
                judgment: &strong,
                seconds: 60,
            })
            .await
            .unwrap();
        let judgment = serde_json::json!({ "score": 70 });
        let explained = store
            .add_spoken_explanation(
                &NewExplanation {
                    topic: "dns-resolution",
                    text: "The internet's phone book.",
                    judgment: &judgment,
                    score: 70,
                    passed: true,
                    seconds: 80,
                },
                &delivery,
            )
            .await
            .unwrap();
        let attempts = store.attempts().await.unwrap();
        let of = |id| attempts.iter().find(|a| a.id == id).unwrap();
        assert_eq!(of(spoken).delivery.as_ref(), Some(&delivery));
        assert_eq!(of(typed).delivery, None);
        let saved = store.explanation(explained).await.unwrap().unwrap();
        assert_eq!(saved.delivery.as_ref(), Some(&delivery));

        let dir = tempfile::tempdir().unwrap();
        let (other, export, _) = export_into_fresh(&store, dir.path()).await;
        assert_eq!(other.export().await.unwrap(), export);
        let moved = other.attempts().await.unwrap();
        assert!(moved.iter().any(|a| a.delivery.as_ref() == Some(&delivery)));
        assert_eq!(other.explanations().await.unwrap()[0].delivery.as_ref(), Some(&delivery));
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_spoken_mock_step_and_explanation_keep_their_delivery_once_and_feed_the_trend() {
    on_each_backend(|store| async move {
        use debrief_store::{MockSaved, NewExplanation};
        let strong = judge(STRONG);
        let first = serde_json::json!({ "words_per_minute": 120.0, "pauses": [] });
        let second = serde_json::json!({ "words_per_minute": 150.0, "pauses": [] });
        let mock = store.start_mock("halted-launch", 180).await.unwrap();
        let attempt = NewAttempt {
            kind: ATTEMPT_ANSWER,
            question: Some("halted-launch"),
            probe: None,
            answer: STRONG,
            judgment: &strong,
            seconds: 70,
        };
        let saved = store
            .save_spoken_mock_answer(mock, 0, &attempt, &[], &first)
            .await
            .unwrap();
        let MockSaved::Saved(id) = saved else {
            panic!("the running step was not saved: {saved:?}")
        };
        // The same step sent again saves nothing.
        let again = store
            .save_spoken_mock_answer(mock, 0, &attempt, &[], &first)
            .await
            .unwrap();
        assert_eq!(again, MockSaved::Stale);
        let attempts = store.attempts().await.unwrap();
        assert_eq!(attempts.len(), 1);
        assert_eq!(attempts[0].id, id);
        assert_eq!(attempts[0].delivery.as_ref(), Some(&first));

        let judgment = serde_json::json!({ "score": 70 });
        let explanation = NewExplanation {
            topic: "dns-resolution",
            text: "The internet's phone book.",
            judgment: &judgment,
            score: 70,
            passed: true,
            seconds: 80,
        };
        let (e1, new1) = store
            .add_spoken_explanation_once("form-1", &explanation, &second)
            .await
            .unwrap();
        let (e2, new2) = store
            .add_spoken_explanation_once("form-1", &explanation, &second)
            .await
            .unwrap();
        assert!(new1 && !new2);
        assert_eq!(e1, e2);
        assert_eq!(store.explanations().await.unwrap().len(), 1);

        // A typed answer has no delivery and is not in the trend.
        store.add_attempt(&attempt).await.unwrap();
        let trend = store.deliveries().await.unwrap();
        let wpm: Vec<f64> = trend
            .iter()
            .map(|(_, d)| d["words_per_minute"].as_f64().unwrap())
            .collect();
        assert_eq!(wpm, [120.0, 150.0]);
        assert!(trend[0].0 <= trend[1].0);
    })
    .await;
}

// ----- SQLite files: what a user can do to them --------------------------------------------

#[tokio::test(flavor = "current_thread")]
async fn a_missing_folder_is_created_and_data_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/debrief.sqlite");
    let store = Store::open(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let id = store
        .add_story(&meta("kept", &[]), STRONG, &judge(STRONG))
        .await
        .unwrap();
    store.close().await;
    let store = Store::open(path.to_str().unwrap()).await.unwrap();
    assert_eq!(store.story(id).await.unwrap().unwrap().meta.title, "kept");
    assert_eq!(store.schema_version().await.unwrap(), store.known_schema());
}

#[tokio::test(flavor = "current_thread")]
async fn a_newer_schema_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("debrief.sqlite");
    let store = Store::open(path.to_str().unwrap()).await.unwrap();
    store.close().await;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    conn.execute(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', TRUE, x'00', 0)",
    )
    .await
    .unwrap();
    conn.close().await.unwrap();
    let err = Store::open(path.to_str().unwrap()).await.unwrap_err();
    assert!(
        matches!(err, Error::NewerSchema { found: 9999, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("newer debrief"), "{err}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_locked_database_is_named_as_locked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("debrief.sqlite");
    Store::open(path.to_str().unwrap())
        .await
        .unwrap()
        .close()
        .await;
    let mut holder = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    holder
        .execute("PRAGMA locking_mode = EXCLUSIVE")
        .await
        .unwrap();
    holder.execute("BEGIN EXCLUSIVE").await.unwrap();
    holder
        .execute("INSERT INTO config (key, value) VALUES ('a', 'b')")
        .await
        .unwrap();
    let err = match Store::open(path.to_str().unwrap()).await {
        Err(e) => e,
        Ok(store) => store.set_config("k", "v").await.unwrap_err(),
    };
    assert!(matches!(err, Error::Locked(_)), "{err}");
    assert!(err.to_string().contains("locked"), "{err}");
    holder.execute("ROLLBACK").await.unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn a_file_that_is_not_a_database_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("debrief.sqlite");
    std::fs::write(&path, "these are my notes, not a database\n".repeat(200)).unwrap();
    let err = Store::open(path.to_str().unwrap()).await.unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    assert!(
        err.to_string().contains("not a readable debrief database"),
        "{err}"
    );
    // The file is left as it was.
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .starts_with("these are my notes"));
}

#[tokio::test(flavor = "current_thread")]
async fn another_programs_database_is_not_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite");
    let mut conn =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", path.display()))
            .await
            .unwrap();
    conn.execute("CREATE TABLE photos (id INTEGER)")
        .await
        .unwrap();
    conn.close().await.unwrap();
    let err = Store::open(path.to_str().unwrap()).await.unwrap_err();
    assert!(matches!(err, Error::NotDebrief(_)), "{err}");
}

#[tokio::test(flavor = "current_thread")]
async fn wrong_urls_get_clear_messages() {
    let err = Store::open("mysql://me@localhost/db").await.unwrap_err();
    assert!(matches!(err, Error::BadUrl(_)), "{err}");
    let err = Store::open("postgres://me:secret@127.0.0.1:1/none")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err}");
    assert!(!err.to_string().contains("secret"), "{err}");
}

#[tokio::test(flavor = "current_thread")]
async fn reviews_are_logged_and_the_cards_state_follows_the_last_one() {
    on_each_backend(|store| async move {
        use debrief_store::{NewExplanation, NewReview};
        let review = |rating: u8, due: i64, reviewed: i64| NewReview {
            card: "dns-ttl",
            deck: "dns",
            rating,
            due,
            stability: 2.5,
            difficulty: 4.25,
            elapsed_days: 0,
            reviewed,
        };
        store.add_review(&review(1, 700, 100)).await.unwrap();
        store.add_review(&review(3, 90_000, 800)).await.unwrap();
        let states = store.card_states().await.unwrap();
        assert_eq!(states.len(), 1);
        assert_eq!(states[0].due, 90_000);
        assert_eq!(states[0].reviews, 2);
        assert_eq!(states[0].lapses, 1);
        assert_eq!(states[0].last_review, 800);
        assert_eq!(states[0].stability, 2.5);
        let log = store.reviews().await.unwrap();
        assert_eq!(log.iter().map(|r| r.rating).collect::<Vec<_>>(), [1, 3]);

        let judgment = serde_json::json!({ "score": 80, "passed": true });
        store
            .add_explanation(&NewExplanation {
                topic: "dns-resolution",
                text: "Like a phone book.",
                judgment: &judgment,
                score: 80,
                passed: true,
                seconds: 95,
            })
            .await
            .unwrap();
        let saved = store.explanations().await.unwrap();
        assert_eq!(saved.len(), 1);
        assert!(saved[0].passed);
        assert_eq!(saved[0].judgment, judgment);

        // Export and import carry the reviews, the cards' states and the explanations.
        let export = store.export().await.unwrap();
        assert_eq!(export.reviews.len(), 2);
        let dir = tempfile::tempdir().unwrap();
        let copy = Store::open(dir.path().join("copy.sqlite").to_str().unwrap())
            .await
            .unwrap();
        let report = copy.import(&export).await.unwrap();
        assert_eq!((report.reviews, report.explanations), (2, 1));
        assert_eq!(copy.card_states().await.unwrap(), states);
        assert_eq!(copy.explanations().await.unwrap(), saved);
        let again = copy.import(&export).await.unwrap();
        assert_eq!((again.reviews, again.explanations), (0, 0));
        assert_eq!(copy.export().await.unwrap(), export);
        copy.close().await;
    })
    .await;
}

/// A database written before readiness kept each version's strengths and disqualifier beside it
/// (schema 2) is brought up to date from its judgments when opened: old stories count as their
/// findings say, on both backends.
#[tokio::test]
async fn an_older_database_gets_each_versions_strengths_from_its_judgment() {
    // One body for both drivers: the old schema's migrations, two stories written as schema 2
    // wrote them, then debrief's own opening.
    macro_rules! upgrade {
        ($conn:ty, $url:expr, $backend:expr) => {{
        let (url, backend): (&str, &str) = ($url, $backend);
        let old = tempfile::tempdir().unwrap();
        for file in ["0001_initial.sql", "0002_practice.sql"] {
            std::fs::copy(
                format!(
                    "{}/migrations/{backend}/{file}",
                    env!("CARGO_MANIFEST_DIR")
                ),
                old.path().join(file),
            )
            .unwrap();
        }
        let migrator = sqlx::migrate::Migrator::new(old.path()).await.unwrap();
        let mut conn = <$conn>::connect(url).await.unwrap();
        migrator.run(&mut conn).await.unwrap();
        let halted = judge(STRONG);
        let skipped = judge(
            "I owned the launch of our partner API. The pen test had not started, so I decided \
             we would skip it and ship on the date sales had promised, and we shipped the API \
             without the pen test.",
        );
        assert!(skipped.disqualified && !halted.disqualified);
        for (id, judgment) in [(1_i64, &halted), (2, &skipped)] {
            sqlx::query(
                "INSERT INTO stories (id, uid, title, tags, questions, created, updated) \
                 VALUES ($1, $2, 'old', '[]', '[]', 0, 0)",
            )
            .bind(id)
            .bind(format!("old-{id}"))
            .execute(&mut conn)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO story_versions (story_id, version, markdown, judgment, score, \
                 verdict, competency_scores, red_competencies, red_signals, created) \
                 VALUES ($1, 1, $2, $3, 50, $4, '{}', '[]', '[]', 0)",
            )
            .bind(id)
            .bind(format!("story {id}"))
            .bind(serde_json::to_string(judgment).unwrap())
            .bind(judgment.verdict.as_str())
            .execute(&mut conn)
            .await
            .unwrap();
        }
        conn.close().await.unwrap();

        let store = Store::open(url).await.expect("opens and migrates");
        assert_eq!(store.schema_version().await.unwrap(), store.known_schema());
        let evidence = store.story_evidence().await.unwrap();
        assert!(!evidence[0].disqualified, "{backend}");
        assert!(
            evidence[0].strengths.contains("halted-launch"),
            "{backend}: {:?}",
            evidence[0].strengths
        );
        assert!(evidence[1].disqualified, "{backend}");
        store.close().await;
        }};
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    std::fs::File::create(&path).unwrap();
    upgrade!(
        sqlx::SqliteConnection,
        &format!("sqlite://{}", path.display()),
        "sqlite"
    );

    let Some(db) = debrief_store::scratch::ScratchDatabase::create("PostgreSQL run").await else {
        return;
    };
    let url = db.url().to_string();
    upgrade!(sqlx::PgConnection, &url, "postgres");
}

#[tokio::test(flavor = "current_thread")]
async fn a_mock_interview_saves_each_step_once_and_keeps_the_whole_verdict() {
    on_each_backend(|store| async move {
        let weak = judge(WEAK);
        let strong = judge(STRONG);
        let id = store.start_mock("halted-launch", 180).await.unwrap();
        let m = store.mock(id).await.unwrap().expect("kept");
        assert_eq!((m.step, m.asking()), (0, Some(None)));
        assert!(m.step_started.is_some(), "the question's countdown runs");
        let answer = NewAttempt {
            kind: ATTEMPT_ANSWER,
            question: Some("halted-launch"),
            probe: None,
            answer: WEAK,
            judgment: &weak,
            seconds: 40,
        };
        let probes = vec!["What did the delay cost?".to_string()];
        let first = store
            .save_mock_answer(id, 0, &answer, &probes)
            .await
            .unwrap();
        assert!(matches!(first, debrief_store::MockSaved::Saved(_)));
        // The same form sent again (a refresh, a second click) saves nothing.
        assert_eq!(
            store
                .save_mock_answer(id, 0, &answer, &probes)
                .await
                .unwrap(),
            debrief_store::MockSaved::Stale
        );
        let m = store.mock(id).await.unwrap().unwrap();
        assert_eq!(m.step, 1);
        assert_eq!(m.asking(), Some(Some("What did the delay cost?")));
        assert_eq!(m.step_started, None, "the follow-up waits for its start");
        // Not started: an answer to it is not taken.
        let follow = NewAttempt {
            kind: "follow-up",
            probe: Some("What did the delay cost?"),
            answer: STRONG,
            judgment: &strong,
            ..answer
        };
        assert_eq!(
            store.save_mock_answer(id, 1, &follow, &[]).await.unwrap(),
            debrief_store::MockSaved::Stale
        );
        assert!(store.start_mock_step(id, 1).await.unwrap());
        assert!(!store.start_mock_step(id, 1).await.unwrap(), "started once");
        assert!(matches!(
            store.save_mock_answer(id, 1, &follow, &[]).await.unwrap(),
            debrief_store::MockSaved::Saved(_)
        ));
        let m = store.mock(id).await.unwrap().unwrap();
        assert_eq!(m.attempts.len(), 2);
        assert_eq!(m.asking(), None, "no follow-up left");
        assert!(store.finish_mock(id, &strong).await.unwrap());
        assert!(!store.finish_mock(id, &strong).await.unwrap(), "ends once");
        assert_eq!(store.attempts().await.unwrap().len(), 2);
        let saved = store.attempts_with_ids(&m.attempts).await.unwrap();
        assert_eq!(saved[1].probe.as_deref(), Some("What did the delay cost?"));
        assert_eq!(
            saved[0]
                .overall
                .as_ref()
                .and_then(|o| o["verdict"].as_str()),
            Some(strong.verdict.as_str())
        );
        // The history shows the whole interview's verdict, and a backup keeps it.
        let log = store.practice_log().await.unwrap();
        let json = serde_json::to_value(&log).unwrap();
        assert_eq!(json[0]["overall"]["verdict"], strong.verdict.as_str());
        assert_eq!(
            json[0]["follow_ups"][0]["probe"],
            "What did the delay cost?"
        );
        let export = store.export().await.unwrap();
        assert!(export.attempts[0].overall.is_some());
        assert!(store.mock(id + 1000).await.unwrap().is_none());

        // An interview left unfinished for a week goes when the next one starts; its saved
        // answers stay.
        let now = debrief_store::date::now();
        let old = now - debrief_store::ABANDONED_AFTER - 60;
        let left = store
            .start_mock_at("halted-launch", 180, old)
            .await
            .unwrap();
        store
            .save_mock_answer(left, 0, &answer, &probes)
            .await
            .unwrap();
        let recent = store
            .start_mock_at("halted-launch", 180, now - 86_400)
            .await
            .unwrap();
        let attempts_before = store.attempts().await.unwrap().len();
        store.start_mock("halted-launch", 180).await.unwrap();
        assert!(
            store.mock(left).await.unwrap().is_none(),
            "abandoned: cleared"
        );
        assert!(
            store.mock(recent).await.unwrap().is_some(),
            "a day old is kept"
        );
        assert!(
            store.mock(id).await.unwrap().is_some(),
            "finished ones stay"
        );
        assert_eq!(store.attempts().await.unwrap().len(), attempts_before);
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn the_last_rating_of_a_card_can_be_undone_and_only_the_last() {
    on_each_backend(|store| async move {
        use debrief_store::NewReview;
        let review = |rating: u8, due: i64, stability: f64, reviewed: i64| NewReview {
            card: "dns-ttl",
            deck: "dns",
            rating,
            due,
            stability,
            difficulty: 5.0,
            elapsed_days: 0,
            reviewed,
        };
        let first = store.add_review(&review(3, 5_000, 2.0, 100)).await.unwrap();
        let before = store.card_states().await.unwrap();
        let second = store.add_review(&review(1, 700, 0.5, 800)).await.unwrap();
        assert_eq!(
            store.undo_review(first).await.unwrap(),
            None,
            "not the last"
        );
        assert_eq!(
            store.undo_review(second).await.unwrap().as_deref(),
            Some("dns-ttl")
        );
        assert_eq!(
            store.card_states().await.unwrap(),
            before,
            "as before the Again"
        );
        assert_eq!(store.reviews().await.unwrap().len(), 1);
        assert_eq!(store.undo_review(second).await.unwrap(), None, "gone");
        store.undo_review(first).await.unwrap();
        assert!(
            store.card_states().await.unwrap().is_empty(),
            "never reviewed"
        );
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn processes_opening_a_new_file_at_once_wait_for_one_schema() {
    // Two debrief commands started together on a fresh data folder used to run the migrations
    // twice ("duplicate column") or take the half-made file for another program's.
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("debrief.sqlite");
        let path = path.to_str().unwrap();
        let (a, b, c) = tokio::join!(Store::open(path), Store::open(path), Store::open(path));
        for store in [a, b, c] {
            let store = store.expect("each open succeeds");
            assert_eq!(store.schema_version().await.unwrap(), store.known_schema());
            store.close().await;
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn sslmode_require_connects_over_tls() {
    let Some(db) = debrief_store::scratch::ScratchDatabase::create("PostgreSQL run").await else {
        return;
    };
    let url = db.url().to_string();
    let sep = if url.contains('?') { '&' } else { '?' };
    let tls = format!("{url}{sep}sslmode=require");
    let store = Store::open(&tls).await.expect("opens over TLS");
    assert_eq!(store.schema_version().await.unwrap(), store.known_schema());
    // The server says this very connection is encrypted.
    let mut conn = sqlx::PgConnection::connect(&tls).await.unwrap();
    let ssl: bool = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert!(ssl, "the connection is over TLS");
    conn.close().await.unwrap();
    store.close().await;
    // Checking the certificate against the public authorities fails, saying what to do.
    let strict = format!("{url}{sep}sslmode=verify-full");
    let err = Store::open(&strict).await.unwrap_err().to_string();
    assert!(err.contains("sslrootcert="), "{err}");
}
