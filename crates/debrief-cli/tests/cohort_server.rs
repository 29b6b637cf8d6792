//! The cohort server as its users meet it: the real binary (`debrief serve --multi-user`) on a
//! real PostgreSQL (`DEBRIEF_TEST_DATABASE_URL`, a fresh database per test), accounts made with
//! `debrief admin create-user`, and plain HTTP/1.1 requests. Who may read and change what is
//! checked route by route for six actors: nobody, candidate A, candidate B, A's coach, another
//! coach and the admin.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use common::{start_server, Running};
use debrief_store::scratch::ScratchDatabase;

const PASSWORD: &str = "seven ducks on a wet roof";

const STORY: &str = "I halted the launch of our WAF rules at 5% of traffic when false \
positives reached 0.8% against our 0.1% gate, told the VP we would slip two weeks, and we \
shipped with zero customers blocked.";

fn scratch() -> Option<(ScratchDatabase, tokio::runtime::Runtime)> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = rt.block_on(ScratchDatabase::create("the cohort server test"))?;
    Some((db, rt))
}

fn debrief(url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_debrief"));
    cmd.arg("--database").arg(url).env_remove("DEBRIEF_HOME");
    cmd
}

fn create_user(url: &str, email: &str, name: &str, role: &str) {
    let mut child = debrief(url)
        .args([
            "admin",
            "create-user",
            "--email",
            email,
            "--name",
            name,
            "--role",
            role,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "create-user {email}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Starts `debrief serve --multi-user` on a free port; returns it and its port.
fn serve(url: &str, extra: &[&str]) -> (Running, u16) {
    serve_logging(url, extra, Stdio::null())
}

/// The same, its stderr (the security log) going to `log`.
fn serve_logging(url: &str, extra: &[&str], log: impl Into<Stdio>) -> (Running, u16) {
    let mut serve = debrief(url);
    serve
        .args(["serve", "--multi-user", "--port", "0"])
        .args(extra)
        .stderr(log);
    let (server, base) = start_server(serve);
    let port = base
        .strip_prefix("http://127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("not a loopback address: {base:?}"));
    (server, port)
}

/// A response: status, headers (lower-cased names, every value), body.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value a `Set-Cookie` gives `name`.
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .find_map(|(_, v)| v.strip_prefix(&format!("{name}=")))
            .map(|v| v.split(';').next().unwrap_or("").to_string())
    }

    /// The CSRF token a page's form carries.
    fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .unwrap_or_else(|| panic!("no CSRF field in {}", self.body));
        let rest = &self.body[at + 19..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

/// One request, `Connection: close`.
fn request(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() {
        head.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
    }
    head.push_str("\r\n");
    head.push_str(body);
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    // Bodies here are small; a chunked one keeps its chunk sizes, which no check reads.
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A logged-in browser: its session cookie and CSRF token.
#[derive(Clone)]
struct Actor {
    cookie: String,
    csrf: String,
}

/// Logs in through the pages, as a browser does; `client` is sent as X-Forwarded-For.
fn try_login(port: u16, email: &str, password: &str, client: &str) -> Reply {
    let page = request(port, "GET", "/login", &[("X-Forwarded-For", client)], "");
    assert_eq!(page.status, 200, "{}", page.body);
    let pre = page
        .cookie("__Host-debrief-pre")
        .expect("a pre-session cookie");
    let cookie = format!("__Host-debrief-pre={pre}");
    request(
        port,
        "POST",
        "/login",
        &[("Cookie", &cookie), ("X-Forwarded-For", client)],
        &form(&[
            ("csrf", &page.csrf()),
            ("email", email),
            ("password", password),
        ]),
    )
}

fn login(port: u16, email: &str) -> Actor {
    let reply = try_login(port, email, PASSWORD, "10.0.0.1");
    assert_eq!(reply.status, 303, "login {email}: {}", reply.body);
    let token = reply.cookie("__Host-debrief").expect("a session cookie");
    let set = reply
        .headers
        .iter()
        .find(|(n, v)| n == "set-cookie" && v.starts_with("__Host-debrief="))
        .unwrap();
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.1.contains(attribute), "{}", set.1);
    }
    let cookie = format!("__Host-debrief={token}");
    let account = request(port, "GET", "/account", &[("Cookie", &cookie)], "");
    assert_eq!(account.status, 200);
    Actor {
        csrf: account.csrf(),
        cookie,
    }
}

fn get(port: u16, who: Option<&Actor>, path: &str) -> Reply {
    match who {
        Some(a) => request(port, "GET", path, &[("Cookie", &a.cookie)], ""),
        None => request(port, "GET", path, &[], ""),
    }
}

fn post(port: u16, who: &Actor, path: &str, fields: &[(&str, &str)]) -> Reply {
    let mut all = vec![("csrf", who.csrf.as_str())];
    all.extend_from_slice(fields);
    request(port, "POST", path, &[("Cookie", &who.cookie)], &form(&all))
}

fn account_id(url: &str, email: &str) -> i64 {
    let out = debrief(url).args(["admin", "list-users"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find(|l| l.contains(email))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("{email} not in {text}"))
}

#[test]
fn a_cohort_server_refuses_sqlite_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = debrief(dir.path().join("x.sqlite").to_str().unwrap())
        .args(["serve", "--multi-user", "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not PostgreSQL"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn every_actor_reaches_only_what_is_theirs() {
    let Some((db, _rt)) = scratch() else { return };
    let url = db.url().to_string();
    for (email, name, role) in [
        ("admin@example.org", "Admin", "admin"),
        ("coach@example.org", "Cora", "coach"),
        ("other-coach@example.org", "Otto", "coach"),
        ("a@example.org", "Ada", "candidate"),
        ("b@example.org", "Bo", "candidate"),
    ] {
        create_user(&url, email, name, role);
    }
    let (_server, port) = serve(&url, &["--trust-proxy"]);
    let admin = login(port, "admin@example.org");
    let coach = login(port, "coach@example.org");
    let other = login(port, "other-coach@example.org");
    let a = login(port, "a@example.org");
    let b = login(port, "b@example.org");
    let a_id = account_id(&url, "a@example.org");
    let b_id = account_id(&url, "b@example.org");

    // Each candidate's first story is their story 1; A also keeps a private story 2.
    for (who, title) in [
        (&a, "Ada's WAF launch"),
        (&b, "Bo's outage"),
        (&a, "Ada's private"),
    ] {
        let saved = post(port, who, "/stories", &[("title", title), ("body", STORY)]);
        assert_eq!(saved.status, 303, "{}", saved.body);
    }
    assert!(
        get(port, Some(&a), "/stories/1")
            .body
            .contains("Ada&#x27;s WAF launch")
            || get(port, Some(&a), "/stories/1")
                .body
                .contains("Ada's WAF launch")
    );
    let b_one = get(port, Some(&b), "/stories/1");
    assert_eq!(b_one.status, 200);
    assert!(b_one.body.contains("Bo"), "B's story 1 is B's own");
    assert!(!b_one.body.contains("Ada"), "B never sees A's story");
    assert_eq!(get(port, Some(&b), "/stories/2").status, 404);

    // The admin assigns Cora to Ada; Ada shares story 1 only.
    let assigned = post(
        port,
        &admin,
        "/admin/assign",
        &[
            ("coach", "coach@example.org"),
            ("candidate", "a@example.org"),
        ],
    );
    assert_eq!(assigned.status, 303, "{}", assigned.body);
    assert_eq!(
        post(port, &a, "/stories/1/share", &[("shared", "1")]).status,
        303
    );

    let cand_page = format!("/coach/candidates/{a_id}");
    let shared = format!("/coach/candidates/{a_id}/stories/1");
    let private = format!("/coach/candidates/{a_id}/stories/2");
    let b_page = format!("/coach/candidates/{b_id}");
    let actors: [(&str, Option<&Actor>); 6] = [
        ("nobody", None),
        ("candidate A", Some(&a)),
        ("candidate B", Some(&b)),
        ("A's coach", Some(&coach)),
        ("another coach", Some(&other)),
        ("admin", Some(&admin)),
    ];
    // (path, the actors who may read it, by index above); everyone else gets 303 to the login
    // (nobody), 401 (nobody, API), 403 (a wrong role) or 404 (not theirs).
    let matrix: Vec<(&str, Vec<usize>)> = vec![
        ("/", vec![1, 2]),
        ("/stories", vec![1, 2]),
        ("/stories/1", vec![1, 2]),
        ("/api/stories", vec![1, 2]),
        ("/history", vec![1, 2]),
        ("/failures", vec![1, 2]),
        ("/mock", vec![1, 2]),
        ("/explain", vec![1, 2]),
        ("/cards", vec![1, 2]),
        ("/questions", vec![1, 2]),
        ("/report", vec![1, 2]),
        ("/account", vec![1, 2, 3, 4, 5]),
        ("/account/export", vec![1, 2]),
        ("/coach", vec![3, 4]),
        (&cand_page, vec![3]),
        (&shared, vec![3]),
        (&private, vec![]),
        (&b_page, vec![]),
        ("/admin", vec![5]),
    ];
    let mut refused = HashMap::new();
    for (path, allowed) in &matrix {
        for (i, (who, actor)) in actors.iter().enumerate() {
            let reply = get(port, *actor, path);
            if allowed.contains(&i) {
                assert_eq!(reply.status, 200, "{who} GET {path}: {}", reply.body);
            } else {
                let ok = match actor {
                    None if path.starts_with("/api/") => reply.status == 401,
                    None => reply.status == 303 && reply.header("location") == Some("/login"),
                    Some(_) => matches!(reply.status, 403 | 404),
                };
                assert!(ok, "{who} GET {path} gave {}: {}", reply.status, reply.body);
                *refused.entry(reply.status).or_insert(0) += 1;
            }
        }
    }
    assert!(refused.len() >= 3, "{refused:?}");

    // Changes too: another candidate's or coach's forms touch nothing of A's.
    for (who, actor) in [
        ("candidate B", &b),
        ("another coach", &other),
        ("admin", &admin),
    ] {
        let r = post(port, actor, &shared, &[("body", "Sneaky comment")]);
        assert!(matches!(r.status, 403 | 404), "{who}: {}", r.status);
    }
    // B's "delete story 2" acts on B's own stories (there is none): A's story 2 stays.
    let _ = post(port, &b, "/stories/2/delete", &[]);
    assert_eq!(get(port, Some(&a), "/stories/2").status, 200);

    // The coach's comment reaches A's story page; every coach read is in A's audit trail.
    assert_eq!(
        post(port, &coach, &shared, &[("body", "Name the customer.")]).status,
        303
    );
    assert!(get(port, Some(&a), "/stories/1")
        .body
        .contains("Name the customer."));
    let trail = get(port, Some(&a), "/account").body;
    assert!(trail.contains("Cora (coach)"), "{trail}");
    assert!(trail.contains("read shared story 1"), "{trail}");
    assert!(!get(port, Some(&b), "/account")
        .body
        .contains("Cora (coach)"));

    // CSRF: no token, or another session's token, changes nothing.
    let no_token = request(
        port,
        "POST",
        "/stories",
        &[("Cookie", &a.cookie)],
        &form(&[("title", "x"), ("body", STORY)]),
    );
    assert_eq!(no_token.status, 403);
    let wrong = request(
        port,
        "POST",
        "/stories",
        &[("Cookie", &a.cookie)],
        &form(&[("csrf", &b.csrf), ("title", "x"), ("body", STORY)]),
    );
    assert_eq!(wrong.status, 403);

    // A ends the assignment: the coach's very next request is refused.
    let coach_id = account_id(&url, "coach@example.org");
    let ended = post(port, &a, &format!("/account/coaches/{coach_id}/end"), &[]);
    assert_eq!(ended.status, 303);
    assert_eq!(get(port, Some(&coach), &cand_page).status, 404);

    // A role change counts at the next request: B made a coach loses the candidate pages.
    let changed = post(
        port,
        &admin,
        &format!("/admin/accounts/{b_id}/role"),
        &[("role", "coach")],
    );
    assert_eq!(changed.status, 303);
    let next = get(port, Some(&b), "/stories");
    assert_eq!(next.status, 303, "the session of the old role is over");
}

#[test]
fn sessions_are_fixed_at_login_revocable_and_shared_by_instances() {
    let Some((db, _rt)) = scratch() else { return };
    let url = db.url().to_string();
    create_user(&url, "a@example.org", "Ada", "candidate");
    let logs = tempfile::tempdir().unwrap();
    let log_path = logs.path().join("one.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let (one, p1) = serve_logging(&url, &["--trust-proxy"], log);
    let (two, p2) = serve(&url, &["--trust-proxy"]);

    // A token the browser brings (planted by someone) is never made the session.
    let planted = "ab".repeat(32);
    let reply = try_login(p1, "a@example.org", PASSWORD, "10.0.0.1");
    let token = reply.cookie("__Host-debrief").unwrap();
    assert_ne!(token, planted);
    let planted_cookie = format!("__Host-debrief={planted}");
    assert_eq!(
        request(p1, "GET", "/", &[("Cookie", &planted_cookie)], "").status,
        303
    );

    // The session made on one instance works on the other.
    let a = Actor {
        cookie: format!("__Host-debrief={token}"),
        csrf: String::new(),
    };
    assert_eq!(get(p2, Some(&a), "/").status, 200);
    let a = Actor {
        csrf: get(p2, Some(&a), "/account").csrf(),
        ..a
    };
    // A second login is a second session; "log out everywhere" ends both.
    let second = login(p2, "a@example.org");
    assert_eq!(post(p2, &a, "/logout", &[]).status, 303);
    assert_eq!(
        get(p1, Some(&a), "/").status,
        303,
        "logged out on every instance"
    );
    assert_eq!(get(p1, Some(&second), "/").status, 200);
    assert_eq!(post(p1, &second, "/account/sessions/end", &[]).status, 303);
    assert_eq!(get(p2, Some(&second), "/").status, 303);
    drop(two);

    // Unknown email and wrong password: the same answer.
    let unknown = try_login(p1, "nobody@example.org", PASSWORD, "10.0.0.7");
    let wrong = try_login(p1, "a@example.org", "seven ducks on a dry roof", "10.0.0.7");
    assert_eq!(unknown.status, 401);
    assert_eq!(wrong.status, 401);
    let said = |r: &Reply| r.body.contains("The email or the password is wrong.");
    assert!(said(&unknown) && said(&wrong));

    // The security log has the events, and no password, token or email.
    drop(one);
    let log = std::fs::read_to_string(&log_path).unwrap();
    for event in ["event=login ", "event=login-failed", "event=sessions-ended"] {
        assert!(log.contains(event), "{event} missing from {log}");
    }
    for secret in [
        PASSWORD,
        "seven ducks on a dry roof",
        &token,
        "a@example.org",
        "nobody@",
    ] {
        assert!(!log.contains(secret), "the log holds {secret:?}");
    }
}

#[test]
fn a_database_that_is_down_gives_a_generic_503_and_loses_nothing() {
    let Some((db, rt)) = scratch() else { return };
    let url = db.url().to_string();
    create_user(&url, "a@example.org", "Ada", "candidate");
    let (_server, port) = serve(&url, &[]);
    let a = login(port, "a@example.org");
    assert_eq!(
        post(port, &a, "/stories", &[("title", "Kept"), ("body", STORY)]).status,
        303
    );
    let name = url.rsplit('/').next().unwrap().to_string();
    let server = url.rsplit_once('/').unwrap().0.to_string() + "/postgres";
    let admin = |sql: String| {
        rt.block_on(async {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(&server).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut c)
                .await
                .unwrap();
            c.close().await.ok();
        })
    };
    admin(format!(
        "ALTER DATABASE {name} ALLOW_CONNECTIONS false; \
         SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ));
    for path in ["/", "/stories/1"] {
        let down = get(port, Some(&a), path);
        assert_eq!(down.status, 503, "{path}: {}", down.body);
        assert!(
            down.body.contains("cannot reach its database")
                || down.body.contains("failed on our side"),
            "{}",
            down.body
        );
        for detail in ["postgres", "sqlx", "connection", &name] {
            assert!(
                !down.body.to_lowercase().contains(detail),
                "{path} tells {detail:?}: {}",
                down.body
            );
        }
    }
    admin(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"));
    // Back up: the session and the story are still there.
    let mut page = get(port, Some(&a), "/stories/1");
    for _ in 0..50 {
        if page.status == 200 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        page = get(port, Some(&a), "/stories/1");
    }
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Kept"));
}

#[test]
fn login_throttling_is_shared_by_instances_and_locks_out_only_the_guesser() {
    let Some((db, _rt)) = scratch() else { return };
    let url = db.url().to_string();
    create_user(&url, "a@example.org", "Ada", "candidate");
    let (_one, p1) = serve(&url, &["--trust-proxy"]);
    let (_two, p2) = serve(&url, &["--trust-proxy"]);
    // Five wrong guesses from one address, alternating instances.
    for i in 0..5 {
        let port = if i % 2 == 0 { p1 } else { p2 };
        let r = try_login(port, "a@example.org", "wrong guess number x", "203.0.113.9");
        assert_eq!(r.status, 401, "guess {i}");
    }
    // That address now waits, on either instance, even with the right password.
    for port in [p1, p2] {
        let r = try_login(port, "a@example.org", PASSWORD, "203.0.113.9");
        assert_eq!(r.status, 429, "{}", r.body);
        assert!(r.header("retry-after").is_some());
    }
    // The owner, from their own address, is not locked out.
    let r = try_login(p2, "a@example.org", PASSWORD, "10.0.0.1");
    assert_eq!(r.status, 303, "{}", r.body);
}

/// `deploy/haproxy.cfg` as the tests run it: plain HTTP on `port` (no certificate here), the two
/// instances' ports, and the Host the health check sends.
fn proxy_config(port: u16, one: u16, two: u16) -> String {
    let cfg = include_str!("../../../deploy/haproxy.cfg");
    let host = format!("127.0.0.1:{port}");
    cfg.lines()
        .filter(|l| !l.contains("bind :80") && !l.contains("redirect scheme https"))
        .map(|l| {
            if l.contains("bind :443") {
                format!("    bind 127.0.0.1:{port}")
            } else if l.trim_start().starts_with("log stdout") {
                String::new()
            } else {
                l.replace("127.0.0.1:7001", &format!("127.0.0.1:{one}"))
                    .replace("127.0.0.1:7002", &format!("127.0.0.1:{two}"))
                    .replace("hdr Host debrief.example.org", &format!("hdr Host {host}"))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something answers on `port`.
fn wait_for(port: u16) {
    for _ in 0..200 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    panic!("nothing listens on {port}");
}

#[test]
fn killing_one_instance_behind_haproxy_loses_no_saved_version() {
    let Some(haproxy) = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("haproxy"))
            .find(|p| p.is_file())
    }) else {
        eprintln!("the kill test skipped: haproxy is not installed (apt-get install haproxy)");
        return;
    };
    let Some((db, _rt)) = scratch() else { return };
    let url = db.url().to_string();
    const WRITERS: usize = 4;
    for i in 0..WRITERS {
        create_user(
            &url,
            &format!("w{i}@example.org"),
            &format!("Writer {i}"),
            "candidate",
        );
    }
    let port = free_port();
    let public = format!("127.0.0.1:{port}");
    let (one, p1) = serve(&url, &["--trust-proxy", "--public-host", &public]);
    let (_two, p2) = serve(&url, &["--trust-proxy", "--public-host", &public]);
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("haproxy.cfg");
    std::fs::write(&cfg, proxy_config(port, p1, p2)).unwrap();
    let check = Command::new(&haproxy)
        .arg("-c")
        .arg("-f")
        .arg(&cfg)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let _proxy = Running(
        Command::new(&haproxy)
            .arg("-db")
            .arg("-f")
            .arg(&cfg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for(port);

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..WRITERS)
        .map(|i| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let me = login(port, &format!("w{i}@example.org"));
                let first = post(
                    port,
                    &me,
                    "/stories",
                    &[("title", "Kill test"), ("body", STORY)],
                );
                assert_eq!(first.status, 303, "{}", first.body);
                let (mut acked, mut failed) = (Vec::new(), Vec::new());
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    n += 1;
                    let text = format!("{STORY} Revision {n}.");
                    let r = post(
                        port,
                        &me,
                        "/stories/1",
                        &[("title", "Kill test"), ("body", &text)],
                    );
                    match r.status {
                        303 => acked.push(n),
                        s => failed.push((n, s)),
                    }
                    let page = get(port, Some(&me), "/stories/1");
                    if page.status != 200 {
                        failed.push((-n, page.status));
                    }
                }
                (me, acked, failed)
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    drop(one); // SIGKILL, mid-run
    std::thread::sleep(std::time::Duration::from_millis(3000));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (mut total_acked, mut total_failed) = (0, 0usize);
    for w in writers {
        let (me, acked, failed) = w.join().unwrap();
        total_acked += acked.len();
        total_failed += failed.len();
        // Nothing fails: what was in flight on the killed instance is sent again by the proxy
        // (a page read, or a save of the same text, which keeps one version).
        assert!(failed.is_empty(), "{failed:?}");
        // Every acknowledged version is kept: its text is in the story's history.
        let history = get(port, Some(&me), "/stories/1");
        assert_eq!(history.status, 200);
        let versions = history.body.matches("/stories/1/versions/").count();
        assert!(
            versions > acked.len(),
            "{versions} versions for {} saves",
            acked.len()
        );
        let kept: String = (1..=versions)
            .map(|v| get(port, Some(&me), &format!("/stories/1/versions/{v}")).body)
            .collect();
        for n in &acked {
            assert!(
                kept.contains(&format!("Revision {n}.<"))
                    || kept.contains(&format!("Revision {n}.\n")),
                "acknowledged revision {n} is missing"
            );
        }
    }
    eprintln!("kill test: {total_acked} saves acknowledged and kept, {total_failed} failed");
    assert!(total_acked > 10, "too few saves to tell: {total_acked}");
}

#[test]
fn the_command_line_acts_as_one_account_with_account() {
    let Some((db, _rt)) = scratch() else { return };
    let url = db.url().to_string();
    create_user(&url, "a@example.org", "Ada", "candidate");
    create_user(&url, "b@example.org", "Bo", "candidate");
    let dir = tempfile::tempdir().unwrap();
    let story = dir.path().join("waf.md");
    std::fs::write(&story, format!("---\ntitle: WAF launch\n---\n{STORY}\n")).unwrap();
    let run = |args: &[&str]| {
        let out = debrief(&url).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, _, err) = run(&[
        "--account",
        "a@example.org",
        "story",
        "add",
        story.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let (_, a_list, _) = run(&[
        "--account",
        "a@example.org",
        "story",
        "list",
        "--format",
        "json",
    ]);
    let (_, b_list, _) = run(&[
        "--account",
        "B@example.org",
        "story",
        "list",
        "--format",
        "json",
    ]);
    assert!(a_list.contains("WAF launch"), "{a_list}");
    assert!(!b_list.contains("WAF launch"), "{b_list}");
    // A's export, imported into B's account, is B's own copy.
    let export = dir.path().join("export");
    let (code, _, err) = run(&[
        "--account",
        "a@example.org",
        "export",
        export.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = run(&[
        "--account",
        "b@example.org",
        "import",
        export.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let (_, b_list, _) = run(&[
        "--account",
        "b@example.org",
        "story",
        "list",
        "--format",
        "json",
    ]);
    assert!(b_list.contains("WAF launch"), "{b_list}");
    // An unknown account is one clear line, exit 2.
    let (code, _, err) = run(&["--account", "nobody@example.org", "story", "list"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no account \"nobody@example.org\""), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

/// The code an authenticator app would show now for a base32 secret.
fn code_now(secret: &str) -> String {
    use debrief_store::totp;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    format!(
        "{:06}",
        totp::code(&totp::unbase32(secret).unwrap(), now / totp::STEP)
    )
}

#[test]
fn a_second_factor_is_asked_after_the_password_and_each_code_works_once() {
    let Some((db, _rt)) = scratch() else { return };
    let url = db.url().to_string();
    create_user(&url, "a@example.org", "Ada", "candidate");
    let (_server, port) = serve(&url, &["--trust-proxy"]);
    let a = login(port, "a@example.org");
    let setup = get(port, Some(&a), "/account/second-factor");
    assert_eq!(setup.status, 200);
    let at = setup.body.find("name=\"secret\" value=\"").unwrap() + 21;
    let secret = setup.body[at..at + 32].to_string();
    // A wrong code or password turns nothing on.
    let wrong = post(
        port,
        &a,
        "/account/second-factor",
        &[
            ("secret", &secret),
            ("code", "000000"),
            ("password", PASSWORD),
        ],
    );
    assert_eq!(wrong.status, 422);
    let on = post(
        port,
        &a,
        "/account/second-factor",
        &[
            ("secret", &secret),
            ("code", &code_now(&secret)),
            ("password", PASSWORD),
        ],
    );
    assert_eq!(on.status, 303, "{}", on.body);
    // Turning it on ended the old session; this browser got a new one.
    assert_eq!(get(port, Some(&a), "/").status, 303);
    assert!(on.cookie("__Host-debrief").is_some());

    // Now the password alone gives no session, only the code page.
    let two_step = |code: &dyn Fn() -> String| {
        let page = request(port, "GET", "/login", &[], "");
        let pre = page.cookie("__Host-debrief-pre").unwrap();
        let csrf = page.csrf();
        let cookie = format!("__Host-debrief-pre={pre}");
        let step_one = request(
            port,
            "POST",
            "/login",
            &[("Cookie", &cookie)],
            &form(&[
                ("csrf", &csrf),
                ("email", "a@example.org"),
                ("password", PASSWORD),
            ]),
        );
        assert_eq!(step_one.status, 200, "{}", step_one.body);
        assert!(
            step_one.cookie("__Host-debrief").is_none(),
            "no session before the code"
        );
        let pending = step_one
            .cookie("__Host-debrief-pending")
            .expect("a pending login");
        let cookie = format!("__Host-debrief-pre={pre}; __Host-debrief-pending={pending}");
        request(
            port,
            "POST",
            "/login/code",
            &[("Cookie", &cookie)],
            &form(&[("csrf", &csrf), ("code", &code())]),
        )
    };
    let wrong = two_step(&|| "123456".to_string());
    assert_eq!(wrong.status, 401);
    assert!(wrong.cookie("__Host-debrief").is_none());
    let code = code_now(&secret);
    let right = two_step(&|| code.clone());
    assert_eq!(right.status, 303, "{}", right.body);
    let token = right
        .cookie("__Host-debrief")
        .expect("a session after the code");
    let session = format!("__Host-debrief={token}");
    assert_eq!(
        request(port, "GET", "/", &[("Cookie", &session)], "").status,
        200
    );
    // The same code again, in another login, is refused: each code works once (the next
    // step's code would pass; this one stays spent even after the step turns).
    let replay = two_step(&|| code.clone());
    assert_eq!(replay.status, 401, "a code is accepted once");
}

#[test]
fn mocks_and_explanations_are_each_candidates_own() {
    let Some((db, _rt)) = scratch() else { return };
    let url = db.url().to_string();
    create_user(&url, "a@example.org", "Ada", "candidate");
    create_user(&url, "b@example.org", "Bo", "candidate");
    let (_server, port) = serve(&url, &[]);
    let a = login(port, "a@example.org");
    let b = login(port, "b@example.org");

    let started = post(port, &a, "/mock", &[("question", "halted-launch")]);
    assert_eq!(started.status, 303, "{}", started.body);
    let mock = started.header("location").unwrap().to_string();
    let answered = post(
        port,
        &a,
        &format!("{mock}/answer"),
        &[("step", "1"), ("answer", STORY)],
    );
    assert_eq!(answered.status, 303, "{}", answered.body);
    assert_eq!(get(port, Some(&a), &mock).status, 200);
    assert_eq!(
        get(port, Some(&b), &mock).status,
        404,
        "B has no mock of A's"
    );
    let refused = post(
        port,
        &b,
        &format!("{mock}/answer"),
        &[("step", "1"), ("answer", STORY)],
    );
    assert_eq!(refused.status, 404);

    let page = get(port, Some(&a), "/explain?topic=anycast-routing");
    assert_eq!(page.status, 200);
    let field = |name: &str| {
        let key = format!("name=\"{name}\" value=\"");
        let at = page.body.find(&key).unwrap() + key.len();
        page.body[at..at + page.body[at..].find('"').unwrap()].to_string()
    };
    let explained = post(
        port,
        &a,
        "/explain",
        &[
            ("topic", "anycast-routing"),
            ("started", &field("started")),
            ("form", &field("form")),
            ("text", "One address is announced from many of our data centres, so the internet takes each visitor to the nearest one, like calling one phone number that rings at the closest branch."),
        ],
    );
    assert_eq!(explained.status, 303, "{}", explained.body);
    let result = explained.header("location").unwrap().to_string();
    assert_eq!(get(port, Some(&a), &result).status, 200);
    assert_eq!(
        get(port, Some(&b), &result).status,
        404,
        "B has no explanation of A's"
    );
    // Each history holds its own attempts only.
    let history = |who: &Actor| get(port, Some(who), "/history").body.to_lowercase();
    assert!(history(&a).contains("anycast"));
    assert!(!history(&b).contains("anycast"));
}
