//! End-to-end rule tests: fixture projects through the real evaluation.
