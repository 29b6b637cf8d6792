//! Colour on a terminal only, never with NO_COLOR, never into a pipe.

use std::io::IsTerminal;

use debrief_core::Severity;

/// The `--color` choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is unset or empty.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether to colour stdout.
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

/// Wraps text in ANSI styles when colour is on.
#[derive(Debug, Clone, Copy)]
pub struct Paint {
    on: bool,
}

impl Paint {
    /// A painter; `on` false leaves text as it is.
    pub fn new(on: bool) -> Paint {
        Paint { on }
    }

    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// Bold.
    pub fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }

    /// Dim, for secondary text.
    pub fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }

    /// Red.
    pub fn red(&self, s: &str) -> String {
        self.wrap("31", s)
    }

    /// Green.
    pub fn green(&self, s: &str) -> String {
        self.wrap("32", s)
    }

    /// Yellow.
    pub fn yellow(&self, s: &str) -> String {
        self.wrap("33", s)
    }

    /// The colour of a severity.
    pub fn severity(&self, sev: Severity, s: &str) -> String {
        match sev {
            Severity::Disqualifier => self.wrap("1;31", s),
            Severity::Concern => self.red(s),
            Severity::Strength => self.green(s),
            Severity::Note => self.wrap("36", s),
        }
    }
}
