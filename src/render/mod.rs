//! Chart + values -> ordered manifests, exactly as `helm template` prints them.
pub mod order;
