//! One module per command.

pub mod check;
pub mod eval;
pub mod pack;
