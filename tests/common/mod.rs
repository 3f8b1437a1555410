//! What every test binary shares, included by each as
//! `#[path = "../common/mod.rs"] mod common;`: the real server on a free port
//! (`server`), the real binary with one clean environment (`scopelink`),
//! Klaviyo's specs read straight from `../shared` (`spec`), the inputs several
//! binaries feed the same code (`fixtures`), and logs when `TEST_LOG` is set.

// Each binary uses its own part of this module.
#![allow(dead_code, unused_imports)]

mod fixtures;
mod server;
mod spec;

use std::ffi::OsStr;
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::Once;

pub use fixtures::*;
pub use server::*;
pub use spec::*;

/// The real `scopelink` binary, run without any `SCOPELINK_*` or `RUST_LOG`
/// variable of the environment the tests run in: every test states what it sets.
pub fn scopelink() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scopelink"));
    for (name, _) in std::env::vars_os() {
        if is_ours(&name) {
            command.env_remove(name);
        }
    }
    command
}

fn is_ours(name: &OsStr) -> bool {
    name.to_str()
        .is_some_and(|name| name.starts_with("SCOPELINK_") || name == "RUST_LOG")
}

/// Runs `command` with `stdin` on its standard input and collects its output.
pub fn output_of(command: &mut Command, stdin: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the scopelink binary starts");
    let mut input = child.stdin.take().unwrap();
    match input.write_all(stdin.as_bytes()) {
        // A command that does not read its input may exit before taking it all.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
        written => written.unwrap(),
    }
    drop(input);
    child.wait_with_output().unwrap()
}

/// `scopelink ARGS...` with `stdin` on its standard input.
pub fn run(args: &[&str], stdin: &str) -> Output {
    output_of(scopelink().args(args), stdin)
}

/// Output that must be UTF-8, as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("the output is UTF-8")
}

/// With `TEST_LOG` set (e.g. `TEST_LOG=1 cargo test --test api`), the servers
/// the tests start log to the test output (filtered by `RUST_LOG`, default
/// `info`). Called by the spawner; installs the subscriber once per binary.
pub fn init_test_log() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            let filter = tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
            tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_test_writer()
                .init();
        }
    });
}
