//! The link-builder page at `/`, driven in real headless Chromium through
//! chromedriver (Debian's `chromium` and `chromium-driver`; run
//! scripts/install-browser-deps.sh if they are missing: the test fails
//! rather than skips without them).
//!
//! `page` drives the builder itself; `tools` the revision select and the
//! sections below the builder (traffic, OAuth app, audit); `source` the
//! "From source code" panel.
//!
//! Screenshots at phone and desktop width go to `$SCOPELINK_SCREENSHOTS_DIR`
//! (default `target/screenshots`).

// The harness every test binary shares; `page` and `tools` name it `crate::helpers`.
#[path = "../common/mod.rs"]
mod common;
use common as helpers;

mod page;
mod source;
mod tools;
mod webdriver;
