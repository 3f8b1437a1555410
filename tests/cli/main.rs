//! The real `scopelink` binary, run as a user would (through
//! `common::scopelink()`, one clean environment): its commands' output and
//! exit codes, and `serve` as a process (logs, health check, graceful stop).

#[path = "../common/mod.rs"]
mod common;

mod audit;
mod link;
mod serve;
mod traffic;
