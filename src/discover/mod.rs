//! Finds the charts of a repository and the environments of each chart, from `driftgate.yaml`
//! or, without one, from the conventional file layouts.
