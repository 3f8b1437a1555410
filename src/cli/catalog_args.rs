//! Where the catalog comes from (`--spec`, `--spec-dir`, `--revision`,
//! `--link-base`): the flags every command shares, and loading them.

use std::path::PathBuf;

use clap::Args;

use crate::catalog::{CatalogError, CatalogSet};
use crate::link::{LinkBase, KLAVIYO_CREATE_KEY_PAGE};

/// Where the catalog comes from; shared by every command.
#[derive(Debug, Clone, Args)]
pub struct CatalogArgs {
    /// Load Klaviyo OpenAPI files (one stable, optionally one beta; `.json` or
    /// `.json.gz`) instead of the embedded catalog. Repeatable.
    #[arg(
        long = "spec",
        global = true,
        env = "SCOPELINK_SPEC",
        value_delimiter = ',',
        value_name = "FILE"
    )]
    pub specs: Vec<PathBuf>,
    /// Load every `*.json` and `*.json.gz` Klaviyo spec in this directory;
    /// a missing or empty directory means the embedded catalog.
    #[arg(long, global = true, env = "SCOPELINK_SPEC_DIR", value_name = "DIR")]
    pub spec_dir: Option<PathBuf>,
    /// The Klaviyo create-key page links point at (https on klaviyo.com).
    #[arg(long, global = true, env = "SCOPELINK_LINK_BASE", default_value = KLAVIYO_CREATE_KEY_PAGE, value_parser = LinkBase::parse)]
    pub link_base: LinkBase,
    /// Answer from this Klaviyo revision (`2024-10-15`, `2026-07-15.pre`) among
    /// the loaded specs; default: the newest stable one.
    #[arg(long, global = true, value_name = "REVISION")]
    pub revision: Option<String>,
}

impl CatalogArgs {
    /// The catalogs of the `--spec` files and `--spec-dir`, or the embedded one.
    pub fn load(&self) -> Result<CatalogSet, CatalogError> {
        let mut specs = self.specs.clone();
        if let Some(dir) = &self.spec_dir {
            specs.extend(spec_files_in(dir)?);
        }
        if specs.is_empty() {
            Ok(CatalogSet::embedded())
        } else {
            CatalogSet::from_spec_files(&specs)
        }
    }
}

/// The `*.json` and `*.json.gz` files of a directory, sorted; none if it does not exist.
fn spec_files_in(dir: &std::path::Path) -> Result<Vec<PathBuf>, CatalogError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(CatalogError::Read {
                path: dir.to_owned(),
                source,
            })
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            !name.starts_with('.') && (name.ends_with(".json") || name.ends_with(".json.gz"))
        })
        .collect();
    files.sort();
    Ok(files)
}
