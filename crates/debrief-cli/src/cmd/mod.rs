//! One module per command.

pub mod admin;
pub mod apkg;
pub mod browse;
pub mod cards_export;
pub mod cards_import;
pub mod check;
pub mod config;
pub mod coverage;
pub mod data;
pub mod drill;
pub mod eval;
pub mod explain;
pub mod failures;
pub mod history;
pub mod mock;
pub mod pack;
pub mod report;
pub mod serve;
pub mod shell;
pub mod status;
pub mod story;
pub mod voice;
