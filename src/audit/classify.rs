//! What one given scope is: current, renamed, beta-only, documented but
//! unused, or unknown with the closest current scopes, read against the
//! catalog's scope → operations index.

use super::source::is_level_word;
use super::{ScopeFinding, ScopeStatus};
use crate::catalog::Catalog;
use crate::scope::{Level, Scope, RENAMED_FAMILIES};
use crate::secret;

/// Scopes Klaviyo's docs list that no operation needs (KLAVIYO_FACTS §2.3).
const DOCUMENTED_ONLY: &[&str] = &["data-privacy:read"];

/// Most suggestions offered for an unknown scope.
const MAX_SUGGESTIONS: usize = 3;

/// The catalog's scope usage, seen as the audit needs it: private-key operations only.
pub(super) struct Known<'c> {
    catalog: &'c Catalog,
}

impl<'c> Known<'c> {
    pub(super) fn of(catalog: &'c Catalog) -> Known<'c> {
        Known { catalog }
    }

    /// (stable, beta) private-key operations that need the scope, if any do.
    fn counts(&self, scope: &str) -> Option<(usize, usize)> {
        self.catalog
            .usage()
            .get(scope)
            .filter(|usage| usage.private_key_operations() > 0)
            .map(|usage| (usage.stable_operations, usage.beta_operations))
    }

    fn is_known(&self, scope: &Scope) -> bool {
        self.counts(scope).is_some()
            || DOCUMENTED_ONLY.contains(&scope.as_str())
            || self.pairs_a_write(scope)
    }

    /// An `x:read` no operation needs, whose `x:write` some operation does:
    /// the link builder pairs them (KLAVIYO_FACTS §1).
    fn pairs_a_write(&self, scope: &Scope) -> bool {
        scope.level() == Level::Read && self.counts(&scope.at(Level::Write)).is_some()
    }

    /// The status and message of a scope under its current name.
    fn describe(&self, scope: &Scope) -> (ScopeStatus, String) {
        match self.counts(scope) {
            Some((stable, beta)) if stable > 0 => {
                let beta = if beta > 0 {
                    format!(" (and {beta} beta)")
                } else {
                    String::new()
                };
                (
                    ScopeStatus::Current,
                    format!("`{scope}` is current: {stable} operation(s){beta} need it"),
                )
            }
            Some((_, beta)) => (
                ScopeStatus::BetaOnly,
                format!(
                    "`{scope}` is needed only by {beta} beta operation(s){}; no stable operation needs it",
                    self.catalog
                        .beta_revision()
                        .map(|revision| format!(" (revision header `{revision}`)"))
                        .unwrap_or_default()
                ),
            ),
            None => {
                let mut message = if DOCUMENTED_ONLY.contains(&scope.as_str()) {
                    format!("`{scope}` is listed in Klaviyo's docs, but no operation needs it")
                } else {
                    format!("no operation needs `{scope}`")
                };
                if self.pairs_a_write(scope) {
                    message.push_str(&format!(
                        "; links pair it with `{}`, as Klaviyo's own example pairs read and write",
                        scope.at(Level::Write)
                    ));
                }
                (ScopeStatus::DocumentedUnused, message)
            }
        }
    }

    /// Up to three private-key scopes closest in spelling to an unknown one.
    fn suggestions(&self, text: &str) -> Vec<Scope> {
        let wanted = text.trim().to_ascii_lowercase();
        let scopes: Vec<&Scope> = self
            .catalog
            .usage()
            .iter()
            .filter(|(_, usage)| usage.private_key_operations() > 0)
            .map(|(scope, _)| scope)
            .collect();
        // A known family with an unknown level: offer the family's scopes.
        if let Some((family, _)) = wanted.split_once(':') {
            let family_scopes: Vec<Scope> = scopes
                .iter()
                .filter(|scope| scope.family() == family)
                .map(|scope| (*scope).clone())
                .collect();
            if !family_scopes.is_empty() && !family_scopes.iter().any(|s| *s == wanted) {
                return family_scopes;
            }
        }
        let mut ranked: Vec<(usize, &Scope)> = scopes
            .iter()
            .filter(|scope| strsim::normalized_damerau_levenshtein(&wanted, scope) >= 0.5)
            .map(|scope| (strsim::damerau_levenshtein(&wanted, scope), *scope))
            .collect();
        ranked.sort_unstable();
        // Once one is close, the far ones are noise.
        let best = ranked.first().map_or(0, |(distance, _)| *distance);
        ranked
            .into_iter()
            .take_while(|(distance, _)| *distance <= best + 1)
            .take(MAX_SUGGESTIONS)
            .map(|(_, scope)| scope.clone())
            .collect()
    }
}

/// How a scope was written.
enum Written {
    /// `family:level`, as the specs write scopes since 2023 (the level may be
    /// anything, `full` included).
    Scope {
        family: String,
        level: String,
    },
    /// A pre-2023 display string, `Catalogs Read`.
    Display {
        family: String,
        level: String,
    },
    Other,
}

fn parse_written(text: &str) -> Written {
    if let Some((family, level)) = text.split_once(':') {
        return Written::Scope {
            family: family.to_owned(),
            level: level.to_owned(),
        };
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.split_last() {
        Some((level, family)) if !family.is_empty() && is_level_word(level) => {
            let family = family.join("-").to_ascii_lowercase();
            if family.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
                Written::Display {
                    family,
                    level: level.to_ascii_lowercase(),
                }
            } else {
                Written::Other
            }
        }
        _ => Written::Other,
    }
}

/// What one given scope is, before duplicates are looked at.
pub(super) fn classify(known: &Known<'_>, text: &str) -> ScopeFinding {
    let given = secret::redact(text).into_owned();
    let finding = |status: ScopeStatus, current: Vec<Scope>, message: String| ScopeFinding {
        index: 0,
        given: given.clone(),
        status,
        current,
        suggestions: Vec::new(),
        needs_fix: false,
        message,
    };
    let (family, level, display) = match parse_written(text) {
        Written::Scope { family, level } => (family, level, false),
        Written::Display { family, level } => (family, level, true),
        Written::Other => (String::new(), String::new(), false),
    };
    if level == "full" {
        let family = RENAMED_FAMILIES
            .iter()
            .find(|(old, _)| *old == family)
            .map_or(family.as_str(), |(_, new)| new);
        let current: Vec<Scope> = [Level::Read, Level::Write]
            .into_iter()
            .filter_map(|level| Scope::of(family, level).ok())
            .filter(|scope| known.is_known(scope))
            .collect();
        if !current.is_empty() {
            let message = format!(
                "`{given}`: `:full` was only ever a label in Klaviyo's UI and docs, never a scope; {} {}",
                if current.len() == 1 { "the scope is" } else { "the scopes are" },
                super::quoted(&current)
            );
            return finding(ScopeStatus::Renamed, current, message);
        }
    } else if let Ok(written) = Scope::parse(&format!("{family}:{level}")) {
        let renamed = written.renamed();
        let scope = renamed.clone().unwrap_or(written);
        if known.is_known(&scope) {
            let (status, detail) = known.describe(&scope);
            return match (renamed, display) {
                (None, false) => finding(status, vec![scope], detail),
                (Some(_), false) => {
                    let message = format!(
                        "`{given}` was renamed `{scope}` in revision 2023-12-15; use the current name"
                    );
                    finding(ScopeStatus::Renamed, vec![scope], message)
                }
                (_, true) => {
                    let message = format!(
                        "`{given}` is the display form Klaviyo's specs used until early 2023; the scope is now `{scope}`"
                    );
                    finding(ScopeStatus::Renamed, vec![scope], message)
                }
            };
        }
    }
    // A display string or `:full` label is compared as the scope it would be.
    let suggestions = known.suggestions(&if display || level == "full" {
        format!("{family}:{level}")
    } else {
        text.to_owned()
    });
    let lowercase = text.to_ascii_lowercase();
    let mut unknown = finding(
        ScopeStatus::Unknown,
        Vec::new(),
        if suggestions.is_empty() {
            format!("no Klaviyo operation needs a scope `{given}`")
        } else if suggestions.iter().any(|s| *s == lowercase) {
            format!(
                "`{given}` is not a scope: scope names are lowercase; did you mean `{lowercase}`?"
            )
        } else {
            format!(
                "no Klaviyo operation needs a scope `{given}`; did you mean {}?",
                suggestions
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )
        },
    );
    unknown.suggestions = suggestions;
    unknown
}
