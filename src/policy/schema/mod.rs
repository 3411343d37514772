//! JSON-schema evaluation of rendered resources: the bundled Kubernetes schemas
//! ([`kubernetes`], DG101/DG102), CustomResourceDefinitions ([`crd`]) and the user's
//! `policies.schemas` ([`policies`]).

pub mod crd;
pub mod kubernetes;
pub mod policies;
