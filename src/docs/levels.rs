//! Scope families named as Klaviyo's key page names them, with an access
//! level: `List | Read`, `Profiles: full access`, `Campaigns (Full)`. Full
//! (and Write, which the page calls Full) is read and write; Read-only is
//! read; No access names the family and grants nothing.

use std::collections::BTreeSet;

use crate::catalog::Catalog;
use crate::scope::{family_of_display_name, Level, RENAMED_FAMILIES};

/// The scope families a doc's names are matched against (current and old).
#[derive(Debug, Clone, Default)]
pub struct Families(BTreeSet<String>);

impl Families {
    /// The families of the catalog's scopes, and their old names (`list`).
    pub fn of(catalog: &Catalog) -> Families {
        let mut families: BTreeSet<String> = catalog
            .scopes()
            .map(|scope| scope.family().to_owned())
            .collect();
        families.extend(RENAMED_FAMILIES.iter().map(|(old, _)| (*old).to_owned()));
        Families(families)
    }

    pub(super) fn knows(&self, family: &str) -> bool {
        self.0.contains(family)
    }
}

/// Display names each followed by a level in brackets, `Campaigns (Full)`,
/// `Lists (Read)`: the scopes, and how many families were named.
pub(super) fn parenthesized_levels(text: &str, families: &Families) -> (Vec<String>, usize) {
    let plain: String = text.chars().filter(|c| !matches!(c, '*' | '`')).collect();
    let mut scopes = Vec::new();
    let mut named = 0;
    let mut rest = plain.as_str();
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')') else {
            break;
        };
        let before = &rest[..open];
        // The name: the words just before the bracket, after the last separator.
        let name = before
            .rsplit([',', ';', ':', '.'])
            .next()
            .unwrap_or_default()
            .trim()
            .trim_start_matches("and ")
            .trim_start_matches("or ");
        let level = &rest[open + 1..open + close];
        if let (Some(family), Some(access)) = (
            family_of_display_name(name, |family| families.knows(family)),
            access_level(level),
        ) {
            named += 1;
            let levels: &[Level] = match access {
                AccessLevel::Read => &[Level::Read],
                AccessLevel::Full => &[Level::Read, Level::Write],
                AccessLevel::None => &[],
            };
            scopes.extend(
                levels
                    .iter()
                    .map(|level| format!("{family}:{}", level.as_str())),
            );
        }
        rest = &rest[open + close + 1..];
    }
    (scopes, named)
}

/// A display name with an access level: `List | Read`, `Profiles: full
/// access`, `Data Privacy — Read-only`. Full (or Write, which the key page
/// calls Full) is read and write; "No access" and "Custom" name none.
pub(super) fn display_scopes(item: &str, families: &Families) -> Vec<String> {
    let plain: String = item
        .chars()
        .filter(|c| !matches!(c, '*' | '`'))
        .collect::<String>()
        .replace("__", "");
    let (name, rest) = match plain.split_once('|') {
        Some((name, rest)) => (name, rest),
        None => match [":", " — ", " – ", " - "]
            .iter()
            .find_map(|separator| plain.split_once(separator))
        {
            Some((name, rest)) => (name, rest),
            None => return Vec::new(),
        },
    };
    let Some(family) = family_of_display_name(name, |family| families.knows(family)) else {
        return Vec::new();
    };
    let levels = match access_level(rest) {
        Some(AccessLevel::Read) => vec![Level::Read],
        Some(AccessLevel::Full) => vec![Level::Read, Level::Write],
        // A row that grants nothing still names a scope family at a level.
        Some(AccessLevel::None) => return vec![NO_ACCESS.to_owned()],
        None => return Vec::new(),
    };
    levels
        .into_iter()
        .map(|level| format!("{family}:{}", level.as_str()))
        .collect()
}

enum AccessLevel {
    Read,
    Full,
    /// "No access" (or "None"), as the key page offers it.
    None,
}

/// What a row that grants nothing reads as, until the block drops it.
pub(super) const NO_ACCESS: &str = "";

/// The first access level a cell or phrase names.
fn access_level(text: &str) -> Option<AccessLevel> {
    let text = text.to_ascii_lowercase();
    let words: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|word| !word.is_empty())
        .collect();
    let first = *words.first()?;
    match first {
        "full" | "write" | "edit" => Some(AccessLevel::Full),
        "read" if words.get(1).is_some_and(|next| *next == "write") => Some(AccessLevel::Full),
        "read" | "view" | "readonly" => Some(AccessLevel::Read),
        "no" if words.get(1).is_some_and(|next| *next == "access") => Some(AccessLevel::None),
        "none" => Some(AccessLevel::None),
        _ => None,
    }
}
