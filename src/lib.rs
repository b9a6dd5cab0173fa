//! threadlens: rebuild comment threads from dumps, score every reply for
//! incivility and stance toward its parent, and report how debate spreads.
//!
//! The library is organised along the pipeline: [`ingest`] reads dumps into
//! [`forest::RawComment`]s (bad records become [`diag::Diagnostic`]s, never
//! panics), [`forest::build`] rebuilds the reply trees, and [`output`] writes
//! canonical records atomically.

pub mod analyze;
pub mod classify;
pub mod cleanup;
pub(crate) mod codec;
pub mod diag;
pub mod features;
pub mod forest;
pub mod ingest;
pub mod output;
pub mod serve;
