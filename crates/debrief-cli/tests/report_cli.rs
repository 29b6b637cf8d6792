//! `debrief report` on a real database: the packet a coach receives.

use std::process::Command;

fn debrief(db: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_debrief"));
    cmd.arg("--database").arg(db).env_remove("DEBRIEF_HOME");
    cmd
}

#[test]
fn report_writes_html_with_charts_and_markdown_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let story = dir.path().join("story.md");
    std::fs::write(
        &story,
        "---\ntitle: Halted the WAF rollout\ntags: []\nquestions: []\n---\nI decided to halt the launch until the security review passed. We cut errors by 40%.\n",
    )
    .unwrap();
    assert!(debrief(&db)
        .args(["story", "add"])
        .arg(&story)
        .status()
        .unwrap()
        .success());

    let html = dir.path().join("report.html");
    let out = debrief(&db)
        .arg("report")
        .arg("-o")
        .arg(&html)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.starts_with("<!doctype html>"));
    assert!(text.contains("<svg") && text.contains("Halted the WAF rollout"));
    assert!(text.contains("checklist items met") || text.contains("checklist"));

    let md = dir.path().join("report.md");
    let out = debrief(&db)
        .arg("report")
        .arg("-o")
        .arg(&md)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("# Interview preparation report"));
    assert!(text.contains("| Halted the WAF rollout |"));
    assert!(!dir.path().join("report.partial").exists());

    // A folder that does not exist: one line naming the file asked for, nothing left behind.
    let missing = dir.path().join("no-such-folder").join("report.html");
    let out = debrief(&db)
        .arg("report")
        .arg("-o")
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!("debrief: {}: cannot write", missing.display())),
        "{err}"
    );
}

#[test]
fn the_report_is_a_packet_with_marked_stories_and_every_attempt_and_escapes_html() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let story = dir.path().join("story.md");
    std::fs::write(
        &story,
        "---\ntitle: <b>WAF</b> & the rollout\n---\nI decided to halt the launch until the pen test passed <script>alert(1)</script>. We basically cut errors by 40%.\n",
    )
    .unwrap();
    assert!(debrief(&db)
        .args(["story", "add"])
        .arg(&story)
        .status()
        .unwrap()
        .success());
    let mut mock = debrief(&db)
        .args(["mock", "--plain", "--question", "halted-launch"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        mock.stdin.as_mut().unwrap(),
        b"We shipped it <i>fast</i>.\n---\nWe lost 2 weeks and a <deal>.\n",
    )
    .unwrap();
    assert!(mock.wait().unwrap().success());

    let html = dir.path().join("report.html");
    assert!(debrief(&db)
        .arg("report")
        .arg("-o")
        .arg(&html)
        .status()
        .unwrap()
        .success());
    let text = std::fs::read_to_string(&html).unwrap();
    // The story's text, its findings marked, user text escaped.
    assert!(text.contains("with their findings marked"), "{text}");
    assert!(text.contains("<mark class=\"sev-strength\""), "{text}");
    assert!(text.contains("<mark class=\"sev-concern\""), "{text}");
    assert!(!text.contains("<script>alert"), "{text}");
    assert!(text.contains("&lt;script&gt;"));
    // The mock interview with its answers and the follow-up it answered.
    assert!(text.contains("Mock interview: Tell me about a time you stopped a launch"));
    assert!(text.contains("We shipped it &lt;i&gt;fast"), "{text}");
    assert!(text.contains("Follow-up 1: "), "{text}");
    assert!(text.contains("the whole interview"), "{text}");
    // It prints on any page size and scrolls wide tables on a phone.
    assert!(text.contains("@page") && text.contains("@media print"));
    assert!(text.contains("class=\"scroll\""));

    let md = dir.path().join("report.md");
    assert!(debrief(&db)
        .arg("report")
        .arg("-o")
        .arg(&md)
        .status()
        .unwrap()
        .success());
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(!text.contains("<script>") && !text.contains("<b>") && !text.contains("<i>"));
    assert!(
        text.contains("### &lt;b&gt;WAF&lt;/b&gt; &amp; the rollout"),
        "{text}"
    );
    assert!(text.contains("> I decided to halt the launch"), "{text}");
    assert!(
        text.contains("> We shipped it &lt;i&gt;fast&lt;/i&gt;."),
        "{text}"
    );
    assert!(
        text.contains("> We lost 2 weeks and a &lt;deal&gt;."),
        "{text}"
    );
}
