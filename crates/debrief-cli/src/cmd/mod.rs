//! One module per command.

pub mod browse;
pub mod check;
pub mod config;
pub mod coverage;
pub mod data;
pub mod eval;
pub mod explain;
pub mod failures;
pub mod pack;
pub mod status;
pub mod story;
