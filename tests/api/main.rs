//! The HTTP service, started for real on port 0 and called over HTTP.

mod binary;
mod browse;
mod go;
mod helpers;
mod limits_and_errors;
mod links;
mod oauth;
mod openapi;
mod ops;
mod revisions;
