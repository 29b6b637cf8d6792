//! A cohort on a real PostgreSQL server (`DEBRIEF_TEST_DATABASE_URL`), in a fresh database of its
//! own: accounts kept apart by the store and by PostgreSQL, sessions, throttling, invitations,
//! assignments and account deletion.

use std::sync::OnceLock;

use debrief_core::Analyzer;
use debrief_store::cohort::{self, Cohort, Role};
use debrief_store::scratch::ScratchDatabase;
use debrief_store::StoryMeta;
use sqlx::{AssertSqlSafe, Connection};

fn analyzer() -> &'static Analyzer {
    static ANALYZER: OnceLock<Analyzer> = OnceLock::new();
    ANALYZER.get_or_init(|| {
        Analyzer::new(debrief_core::builtin::pack().expect("built-in pack")).expect("compiles")
    })
}

fn meta(title: &str) -> StoryMeta {
    StoryMeta {
        title: title.to_string(),
        tags: vec![],
        questions: vec![],
    }
}

const STORY: &str = "I halted the launch of our WAF rules at 5% of traffic when false positives \
reached 0.8% against a 0.1% gate, and we slipped two weeks.";

/// Runs SQL on the test database as the server's own user.
async fn run_sql(url: &str, sql: String) {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::raw_sql(AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.ok();
}

async fn cohort(db: &ScratchDatabase) -> Cohort {
    Cohort::open(db.url()).await.expect("open the cohort")
}

fn hash() -> String {
    // One hash for every test account: argon2id is slow on purpose.
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| cohort::hash_password("seven ducks on a wet roof").unwrap())
        .clone()
}

#[tokio::test(flavor = "current_thread")]
async fn accounts_see_only_their_own_data_and_postgres_holds_the_line() {
    let Some(db) = ScratchDatabase::create("the cohort test").await else {
        return;
    };
    let cohort = cohort(&db).await;
    let a = cohort
        .create_account("A@Example.org", "Ada", Role::Candidate, &hash())
        .await
        .unwrap();
    let b = cohort
        .create_account("bo@example.org", "Bo", Role::Candidate, &hash())
        .await
        .unwrap();
    assert_eq!(a.email, "a@example.org");
    let (sa, sb) = (cohort.store(a.id), cohort.store(b.id));
    let judged = analyzer().check(STORY, None).unwrap();
    let id = sa.add_story(&meta("WAF"), STORY, &judged).await.unwrap();
    sa.set_config("interview-date", "2027-01-10").await.unwrap();
    assert_eq!(sa.stories().await.unwrap().len(), 1);
    // The same id in B's store is B's own (none): ids are per account.
    assert!(sb.stories().await.unwrap().is_empty());
    assert!(sb.story(id).await.unwrap().is_none());
    assert_eq!(sb.config("interview-date").await.unwrap(), None);
    // B's story gets its own id 1 too, and A's is unchanged.
    let idb = sb.add_story(&meta("B's"), STORY, &judged).await.unwrap();
    assert_eq!(idb, id);
    assert_eq!(sa.story(id).await.unwrap().unwrap().meta.title, "WAF");

    // The second line: in B's database role, A's schema and the cohort's tables are refused by
    // PostgreSQL itself, whatever SQL is run.
    let mut conn = sqlx::PgConnection::connect(db.url()).await.unwrap();
    sqlx::raw_sql(AssertSqlSafe(format!(
        "SET ROLE \"{}\"",
        cohort.role_of(b.id)
    )))
    .execute(&mut conn)
    .await
    .unwrap();
    for sql in [
        format!("SELECT * FROM account_{}.stories", a.id),
        "SELECT * FROM debrief_cohort.accounts".to_string(),
        "SELECT * FROM debrief_cohort.sessions".to_string(),
    ] {
        let e = sqlx::raw_sql(AssertSqlSafe(sql.clone()))
            .execute(&mut conn)
            .await
            .expect_err(&sql);
        assert!(e.to_string().contains("permission denied"), "{sql}: {e}");
    }
    conn.close().await.ok();

    // Deleting A takes its schema and role; B is untouched.
    assert!(cohort.delete_account(a.id).await.unwrap());
    assert!(cohort.account(a.id).await.unwrap().is_none());
    assert_eq!(sb.stories().await.unwrap().len(), 1);
    let mut conn = sqlx::PgConnection::connect(db.url()).await.unwrap();
    let left: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = $1",
    )
    .bind(format!("account_{}", a.id))
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(left, 0);
    let roles: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_roles WHERE rolname = $1")
        .bind(cohort.role_of(a.id))
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(roles, 0);
    conn.close().await.ok();
    cohort.close().await;
}

#[tokio::test(flavor = "current_thread")]
async fn logins_sessions_and_throttling() {
    let Some(db) = ScratchDatabase::create("the cohort test").await else {
        return;
    };
    let cohort = cohort(&db).await;
    let a = cohort
        .create_account("ada@example.org", "Ada", Role::Candidate, &hash())
        .await
        .unwrap();
    // Taken emails are refused, whatever their case.
    let taken = cohort
        .create_account("ADA@example.org", "Other", Role::Coach, &hash())
        .await
        .unwrap_err();
    assert!(taken.to_string().contains("exists already"), "{taken}");

    assert!(cohort
        .authenticate("Ada@example.org", "seven ducks on a wet roof")
        .await
        .unwrap()
        .is_some());
    assert!(cohort
        .authenticate("ada@example.org", "seven ducks on a wet rooF")
        .await
        .unwrap()
        .is_none());
    assert!(cohort
        .authenticate("nobody@example.org", "seven ducks on a wet roof")
        .await
        .unwrap()
        .is_none());

    let (token, csrf) = cohort.start_session(&a, "test").await.unwrap();
    let session = cohort
        .session(&token)
        .await
        .unwrap()
        .expect("a live session");
    assert_eq!(session.account.id, a.id);
    assert_eq!(session.csrf, csrf);
    assert!(cohort.session("forged").await.unwrap().is_none());
    // A new login is a new session; a password change ends them all.
    let (token2, _) = cohort.start_session(&a, "test").await.unwrap();
    assert_ne!(token, token2);
    assert_eq!(cohort.session_count(a.id).await.unwrap(), 2);
    cohort.end_session(&session.id).await.unwrap();
    assert!(cohort.session(&token).await.unwrap().is_none());
    assert!(cohort.session(&token2).await.unwrap().is_some());
    cohort.set_password(a.id, &hash()).await.unwrap();
    assert!(cohort.session(&token2).await.unwrap().is_none());

    // Idle for longer than IDLE, or older than ABSOLUTE however busy: the session is over.
    let a = cohort.account(a.id).await.unwrap().unwrap();
    let (idle, _) = cohort.start_session(&a, "test").await.unwrap();
    let (old, _) = cohort.start_session(&a, "test").await.unwrap();
    assert!(cohort.session(&idle).await.unwrap().is_some());
    run_sql(
        db.url(),
        format!(
            "UPDATE debrief_cohort.sessions SET last_seen = last_seen - {} WHERE id = '{}'",
            cohort::IDLE.as_secs() + 1,
            cohort::token_hash(&idle)
        ),
    )
    .await;
    assert!(
        cohort.session(&idle).await.unwrap().is_none(),
        "idle too long"
    );
    run_sql(
        db.url(),
        format!(
            "UPDATE debrief_cohort.sessions SET created = created - {} WHERE id = '{}'",
            cohort::ABSOLUTE.as_secs() + 1,
            cohort::token_hash(&old)
        ),
    )
    .await;
    assert!(
        cohort.session(&old).await.unwrap().is_none(),
        "past the absolute limit"
    );

    // Throttling counts per (email, client): another client is never locked out.
    for _ in 0..cohort::FAILURES_PER_PAIR {
        assert_eq!(
            cohort
                .login_wait("ada@example.org", "10.0.0.9")
                .await
                .unwrap(),
            None
        );
        cohort
            .login_failed("ada@example.org", "10.0.0.9")
            .await
            .unwrap();
    }
    let wait = cohort
        .login_wait("ada@example.org", "10.0.0.9")
        .await
        .unwrap();
    assert!(wait.is_some_and(|s| s > 0 && s <= 15 * 60), "{wait:?}");
    assert_eq!(
        cohort
            .login_wait("ada@example.org", "10.0.0.1")
            .await
            .unwrap(),
        None
    );
    cohort.close().await;
}

#[tokio::test(flavor = "current_thread")]
async fn invitations_assignments_comments_and_the_audit_trail() {
    let Some(db) = ScratchDatabase::create("the cohort test").await else {
        return;
    };
    let cohort = cohort(&db).await;
    let admin = cohort
        .create_account("admin@example.org", "Admin", Role::Admin, &hash())
        .await
        .unwrap();
    let (coach_link, _) = cohort.invite(Role::Coach, &admin).await.unwrap();
    assert_eq!(
        cohort.invitation(&coach_link).await.unwrap().unwrap().role,
        Role::Coach
    );
    let coach = cohort
        .accept_invitation(&coach_link, "coach@example.org", "Cora", &hash())
        .await
        .unwrap()
        .expect("the link works once");
    // Used once, it is spent.
    assert!(cohort.invitation(&coach_link).await.unwrap().is_none());
    assert!(cohort
        .accept_invitation(&coach_link, "again@example.org", "Again", &hash())
        .await
        .unwrap()
        .is_none());
    // A coach's invitation assigns the new candidate to that coach.
    let (link, _) = cohort.invite(Role::Candidate, &coach).await.unwrap();
    let cand = cohort
        .accept_invitation(&link, "cand@example.org", "Cam", &hash())
        .await
        .unwrap()
        .unwrap();
    assert!(cohort.is_assigned(coach.id, cand.id).await.unwrap());
    let seen = cohort.assignments(cand.id).await.unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].coach.name, "Cora");
    // Wrong roles are refused.
    assert!(cohort.assign(cand.id, coach.id).await.is_err());

    cohort
        .audit(cand.id, &coach, "read readiness")
        .await
        .unwrap();
    let trail = cohort.audit_trail(cand.id, 10).await.unwrap();
    assert_eq!(trail.len(), 1);
    assert!(trail[0].actor_name.contains("Cora"));
    cohort
        .add_comment(cand.id, 1, 1, &coach, "Name the customer.")
        .await
        .unwrap();
    assert_eq!(
        cohort.comments(cand.id, 1).await.unwrap()[0].body,
        "Name the customer."
    );

    // The candidate ends the assignment: the next check says no.
    assert!(cohort.end_assignment(coach.id, cand.id).await.unwrap());
    assert!(!cohort.is_assigned(coach.id, cand.id).await.unwrap());

    // Sharing is per story, off by default.
    let store = cohort.store(cand.id);
    let judged = analyzer().check(STORY, None).unwrap();
    let id = store.add_story(&meta("WAF"), STORY, &judged).await.unwrap();
    assert!(store.shared_story_ids().await.unwrap().is_empty());
    assert!(store.set_shared(id, true).await.unwrap());
    assert_eq!(store.shared_story_ids().await.unwrap(), vec![id]);
    assert!(!store.set_shared(id + 1, true).await.unwrap());
    cohort.close().await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_cohort_refuses_sqlite() {
    let e = Cohort::open("/tmp/x.sqlite").await.unwrap_err();
    assert!(e.to_string().contains("not PostgreSQL"), "{e}");
}
