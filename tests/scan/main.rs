//! Tests of `scopelink scan` on fixture projects written for it, one per
//! language and style, against Klaviyo's own specs in `../shared`: the exact
//! calls, lines and scopes; what is unresolved; the walker's skips; the CI
//! gate's exit codes through the real binary; SARIF and doc links.

mod ci_hooks;
#[path = "../common/mod.rs"]
mod common;
mod docs;
mod fixtures;
mod gate;
mod helpers;
mod negatives;
mod retired;
mod shapes;
mod walk;
