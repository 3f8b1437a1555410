//! The `scopelink` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

/// A request makes and frees a few dozen small blocks (inputs, the report,
/// the answer); mimalloc does each in a fraction of glibc malloc's
/// instructions (`scripts/cost.sh` measures it).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    scopelink::cli::run()
}
