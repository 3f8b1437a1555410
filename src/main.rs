//! The `scopelink` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

/// mimalloc; see [`scopelink::allocator`] for why it is called directly.
#[global_allocator]
static ALLOCATOR: scopelink::allocator::Mimalloc = scopelink::allocator::Mimalloc;

fn main() -> ExitCode {
    scopelink::cli::run()
}
