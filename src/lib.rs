//! driftgate: a pre-deploy gate for Helm charts deployed to several environments.
//!
//! The pipeline: [`discover`] charts and environments -> load [`values`] with origins ->
//! [`render`] every environment with the built-in [`template`] engine -> evaluate
//! [`policy`] -> [`report`] diagnostics.

pub mod baseline;
pub(crate) mod chart;
pub mod check;
pub mod config;
pub mod diagnostic;
pub mod diff;
pub(crate) mod discover;
pub mod error;
pub(crate) mod git;
pub mod helm_version;
pub mod model;
pub(crate) mod paths;
pub mod pipeline;
pub mod policy;
pub(crate) mod provenance;
pub(crate) mod render;
pub mod report;
pub(crate) mod repository;
pub(crate) mod secrets;
pub mod source;
pub(crate) mod suggest;
pub(crate) mod template;
pub(crate) mod value;
pub(crate) mod values;
pub mod yaml;
