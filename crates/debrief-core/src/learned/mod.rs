//! The learned layer: a small model that reads each sentence and scores the classes of
//! `eval/LABELS.md` (the committee's judgment, sentence by sentence), trained on labelled
//! sentences by `train/` and shipped as data beside the pack. The engine gates what it says by
//! the same context rules as the phrase signals, and keeps phrase templates for exact spans.

pub mod answer;
pub mod features;
pub mod layer;
pub mod lexicon;
pub mod model;
pub mod reader;
pub mod wordpiece;

pub use features::{Context, Scratch};
pub use layer::{Layer, Reading};
pub use model::{Meta, Model, ModelError, Weights};
pub use reader::Reader;
