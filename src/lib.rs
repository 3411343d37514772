//! driftgate: a pre-deploy gate for Helm charts deployed to several environments.
//!
//! The pipeline: [`discover`] charts and environments -> load [`values`] with origins ->
//! [`render`] every environment with the built-in [`template`] engine -> evaluate
//! [`policy`] -> [`report`] diagnostics.

pub mod chart;
pub mod check;
pub mod config;
pub mod diagnostic;
pub mod diff;
pub mod discover;
pub mod error;
pub mod git;
pub mod model;
pub mod paths;
pub mod pipeline;
pub mod policy;
pub mod provenance;
pub mod render;
pub mod report;
pub mod secrets;
pub mod source;
pub mod suggest;
pub mod template;
pub mod value;
pub mod values;
pub mod yaml;
