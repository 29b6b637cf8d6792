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
}
