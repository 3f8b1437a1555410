//! Several catalogs at once, one per Klaviyo revision, so a request can say
//! which revision it targets (`2024-10-15`, `2026-07-15.pre`) and be answered
//! from that revision's operations, scopes and include values.
//!
//! A beta spec joins the stable spec of the same date (`2026-07-15.pre` with
//! `2026-07-15`); without one it stands alone. The default is the newest
//! stable revision.

use std::path::PathBuf;

use super::{import_specs, Catalog, CatalogError, CatalogOrigin, Channel, SpecFile};

/// Every loaded revision's catalog.
#[derive(Debug)]
pub struct CatalogSet {
    catalogs: Vec<Catalog>,
    default: usize,
}

/// The catalog chosen for a request.
#[derive(Debug, Clone, Copy)]
pub struct Selected<'a> {
    pub catalog: &'a Catalog,
    /// The revision that answers, e.g. `2026-07-15` or `2026-07-15.pre`.
    pub revision: &'a str,
    /// A `.pre` revision: where an endpoint is in both specs, its beta operation answers.
    pub prefer_beta: bool,
}

/// A revision that no loaded spec has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("revision `{given}` is not loaded; available: {}", available.join(", "))]
pub struct UnknownRevision {
    pub given: String,
    pub available: Vec<String>,
}

impl CatalogSet {
    pub fn single(catalog: Catalog) -> CatalogSet {
        CatalogSet {
            catalogs: vec![catalog],
            default: 0,
        }
    }

    /// The embedded catalog alone.
    pub fn embedded() -> CatalogSet {
        CatalogSet::single(Catalog::embedded())
    }

    /// Reads spec files and groups them by revision.
    pub fn from_spec_files(paths: &[PathBuf]) -> Result<CatalogSet, CatalogError> {
        if paths.is_empty() {
            return Err(CatalogError::NoSpecs);
        }
        let specs = paths
            .iter()
            .map(|path| SpecFile::read(path))
            .collect::<Result<Vec<_>, _>>()?;
        let mut groups: Vec<Vec<SpecFile>> = Vec::new();
        let (stables, betas): (Vec<SpecFile>, Vec<SpecFile>) = specs
            .into_iter()
            .partition(|spec| spec.channel == Channel::Stable);
        for stable in stables {
            if groups
                .iter()
                .any(|group| group[0].revision == stable.revision)
            {
                return Err(CatalogError::DuplicateRevision(stable.revision));
            }
            groups.push(vec![stable]);
        }
        for beta in betas {
            let date = beta.revision.trim_end_matches(".pre");
            let same_date = groups.iter_mut().find(|group| {
                group
                    .iter()
                    .any(|spec| spec.revision == date || spec.revision == beta.revision)
            });
            match same_date {
                Some(group) if group.iter().any(|spec| spec.revision == beta.revision) => {
                    return Err(CatalogError::DuplicateRevision(beta.revision));
                }
                Some(group) => group.push(beta),
                None => groups.push(vec![beta]),
            }
        }
        let catalogs = groups
            .iter()
            .map(|group| Catalog::from_table(import_specs(group)?, CatalogOrigin::Specs))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CatalogSet::from_catalogs(catalogs))
    }

    fn from_catalogs(catalogs: Vec<Catalog>) -> CatalogSet {
        let newest = |stable_only: bool| {
            catalogs
                .iter()
                .enumerate()
                .filter_map(|(i, c)| {
                    let revision = if stable_only {
                        c.stable_revision()?
                    } else {
                        c.sources().first()?.revision.as_str()
                    };
                    Some((revision, i))
                })
                .max()
                .map(|(_, i)| i)
        };
        let default = newest(true).or_else(|| newest(false)).unwrap_or(0);
        CatalogSet { catalogs, default }
    }

    /// Every loaded revision, stable and beta, sorted.
    pub fn revisions(&self) -> Vec<String> {
        let mut revisions: Vec<String> = self
            .catalogs
            .iter()
            .flat_map(|c| c.sources().iter().map(|s| s.revision.clone()))
            .collect();
        revisions.sort();
        revisions
    }

    pub fn catalogs(&self) -> &[Catalog] {
        &self.catalogs
    }

    pub fn default_catalog(&self) -> &Catalog {
        &self.catalogs[self.default]
    }

    /// The catalog for a revision; `None` means the default (newest stable).
    pub fn select(&self, revision: Option<&str>) -> Result<Selected<'_>, UnknownRevision> {
        let Some(wanted) = revision.map(str::trim).filter(|r| !r.is_empty()) else {
            let catalog = self.default_catalog();
            let source = catalog
                .sources()
                .iter()
                .find(|s| s.channel == Channel::Stable)
                .or_else(|| catalog.sources().first())
                .expect("a catalog has a source");
            return Ok(Selected {
                catalog,
                revision: &source.revision,
                prefer_beta: source.channel == Channel::Beta,
            });
        };
        for catalog in &self.catalogs {
            if let Some(source) = catalog.sources().iter().find(|s| s.revision == wanted) {
                return Ok(Selected {
                    catalog,
                    revision: &source.revision,
                    prefer_beta: source.channel == Channel::Beta,
                });
            }
        }
        Err(UnknownRevision {
            given: crate::secret::redact(wanted).into_owned(),
            available: self.revisions(),
        })
    }
}
