//! What the end-to-end tests of `debrief serve` share: a child process killed when the test lets
//! go of it, and a server started with the address it prints on its first line.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A child process, killed and reaped when dropped.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `serve` (a `debrief ... serve --port 0` command; its stderr as the caller set it) and
/// reads its first line, which names the address: the running server and its base URL, with no
/// trailing slash.
pub fn start_server(mut serve: Command) -> (Running, String) {
    let mut child = serve.stdout(Stdio::piped()).spawn().unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let server = Running(child);
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .trim_end_matches('/')
        .to_string();
    (server, base)
}
