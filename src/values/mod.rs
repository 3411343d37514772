//! Values files: loading with origins and merging them exactly as Helm merges `-f a -f b`.
//!
//! The merged tree is a [`yaml::Node`](crate::yaml::Node) whose every node still carries the file
//! and span that supplied it after merging: the override that won, not the default it shadowed.
//! This module knows nothing about templates.
