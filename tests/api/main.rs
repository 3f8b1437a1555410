//! The HTTP service, started for real on port 0 and called over HTTP.

#[path = "../common/mod.rs"]
mod common;
// The route tests name the shared harness `crate::helpers`, its old name.
use common as helpers;

mod audit;
mod browse;
mod go;
mod limits_and_errors;
mod links;
mod oauth;
mod openapi;
mod ops;
mod revisions;
mod source;
mod traffic;
