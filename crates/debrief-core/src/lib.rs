//! debrief's judgment: text in, judgment out. The document model, the pack model, the signal
//! engine, scoring, and the explain drill's judgment. No I/O: callers read files and print.
//!
//! ```
//! let analyzer = debrief_core::Analyzer::new(debrief_core::builtin::pack().unwrap()).unwrap();
//! let j = analyzer.check("I decided to halt the launch until the audit passed.", None).unwrap();
//! assert!(j.score <= 100);
//! ```

pub use debrief_pack as pack;

pub mod builtin;
pub mod context;
mod cues;
pub mod drill;
pub mod engine;
pub mod explain;
pub mod interview;
pub mod judgment;
pub mod learned;
pub mod markdown;
pub mod metrics;
pub mod phrases;
pub mod score;
pub mod span;
pub mod text;

pub use engine::{Analyzer, CheckError, ExampleFailure};
pub use judgment::{CompetencyScore, Finding, Judgment, PackRef, Probe, Verdict};
pub use metrics::Metrics;
pub use pack::{Pack, PackError, PackErrors, PackFile, Severity};
