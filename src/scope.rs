//! One Klaviyo API scope (`profiles:read`), parsed once, so the rules about
//! families, levels and the read that goes with a write live in one place
//! instead of being redone as string surgery wherever scopes are handled.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Scope names Klaviyo renamed (KLAVIYO_FACTS §5.3, revision 2023-12-15):
/// the old name, then the current one.
pub const RENAMED: &[(&str, &str)] = &[
    ("list:read", "lists:read"),
    ("list:write", "lists:write"),
    ("template:write", "templates:write"),
];

/// Families whose old singular name a `:full` label may still use.
pub const RENAMED_FAMILIES: &[(&str, &str)] = &[("list", "lists"), ("template", "templates")];

/// A scope family as Klaviyo's key page names it: `List` for `lists` (its
/// name before 2023-12-15), the words of the id otherwise (`Data Privacy`).
pub fn family_display_name(family: &str) -> String {
    let family = RENAMED_FAMILIES
        .iter()
        .find(|(old, new)| *new == family && *old == "list")
        .map_or(family, |(old, _)| old);
    family
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The family a display name names, in any case and spacing (`List`,
/// `Lists`, `Data Privacy`, `data-privacy`, `data_privacy`), among those
/// `known` takes; an old name is given as its current family.
pub fn family_of_display_name(name: &str, known: impl Fn(&str) -> bool) -> Option<String> {
    let key: String = name
        .trim()
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_ascii_lowercase()
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if key.is_empty() {
        return None;
    }
    let renamed = |family: &str| {
        RENAMED_FAMILIES
            .iter()
            .find(|(old, _)| *old == family)
            .map_or(family.to_owned(), |(_, new)| (*new).to_owned())
    };
    let plural = format!("{key}s");
    let singular = key.strip_suffix('s').unwrap_or(&key).to_owned();
    [key.clone(), plural, singular]
        .into_iter()
        .map(|candidate| renamed(&candidate))
        .find(|candidate| known(candidate))
}

/// The two access levels of a scope family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Read,
    Write,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Read => "read",
            Level::Write => "write",
        }
    }

    /// `read` or `write`, exactly as Klaviyo writes it.
    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "read" => Some(Level::Read),
            "write" => Some(Level::Write),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a text is not a scope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("{0:?} has no `:`; a scope is written family:read or family:write")]
    NoColon(String),
    #[error("{0:?} has an empty family; a scope is written family:read or family:write")]
    EmptyFamily(String),
    #[error("the family of {0:?} is not lowercase letters and hyphens")]
    BadFamily(String),
    #[error("the level of {0:?} is neither `read` nor `write`")]
    BadLevel(String),
}

/// A scope: `family:read` or `family:write`, with a lowercase, hyphenated family.
///
/// It dereferences to its text, serialises as that text, and compares with
/// `str`, so it can stand where a scope string was used before.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Scope {
    /// Shared, so that the many copies a report makes of catalog scopes cost
    /// no allocation.
    text: Arc<str>,
    /// Where the `:` is in `text`.
    colon: usize,
}

impl Scope {
    /// Parses `family:level`, exactly as the spec writes scopes.
    pub fn parse(text: &str) -> Result<Scope, ScopeError> {
        let Some(colon) = text.find(':') else {
            return Err(ScopeError::NoColon(text.to_owned()));
        };
        let (family, level) = (&text[..colon], &text[colon + 1..]);
        if family.is_empty() {
            return Err(ScopeError::EmptyFamily(text.to_owned()));
        }
        if !family.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
            return Err(ScopeError::BadFamily(text.to_owned()));
        }
        if Level::parse(level).is_none() {
            return Err(ScopeError::BadLevel(text.to_owned()));
        }
        Ok(Scope {
            text: Arc::from(text),
            colon,
        })
    }

    /// The scope of a family at a level. The family must be valid.
    pub fn of(family: &str, level: Level) -> Result<Scope, ScopeError> {
        Scope::parse(&format!("{family}:{level}"))
    }

    /// Reads the display names older specs and docs use: `Campaigns Write`,
    /// `Coupon Codes Read` become `campaigns:write`, `coupon-codes:read`.
    pub fn from_display_name(text: &str) -> Option<Scope> {
        let mut words: Vec<&str> = text.split_whitespace().collect();
        let level = Level::parse(&words.pop()?.to_ascii_lowercase())?;
        if words.is_empty() {
            return None;
        }
        let family = words.join("-").to_ascii_lowercase();
        Scope::of(&family, level).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `profiles` in `profiles:read`.
    pub fn family(&self) -> &str {
        &self.text[..self.colon]
    }

    pub fn level(&self) -> Level {
        Level::parse(&self.text[self.colon + 1..]).expect("checked when parsed")
    }

    pub fn is_write(&self) -> bool {
        self.level() == Level::Write
    }

    /// The same family at another level.
    pub fn at(&self, level: Level) -> Scope {
        Scope {
            text: Arc::from(format!("{}:{level}", self.family())),
            colon: self.colon,
        }
    }

    /// The scope under its current name, if Klaviyo renamed it.
    pub fn renamed(&self) -> Option<Scope> {
        RENAMED
            .iter()
            .find(|(old, _)| *old == &*self.text)
            .map(|(_, new)| Scope::parse(new).expect("a valid current name"))
    }

    /// For a write scope, the read scope that Klaviyo's own links pair with it.
    pub fn read_of_write(&self) -> Option<Scope> {
        self.is_write().then(|| self.at(Level::Read))
    }
}

impl Deref for Scope {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

impl AsRef<str> for Scope {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl Borrow<str> for Scope {
    fn borrow(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq<str> for Scope {
    fn eq(&self, other: &str) -> bool {
        &*self.text == other
    }
}

impl PartialEq<&str> for Scope {
    fn eq(&self, other: &&str) -> bool {
        &*self.text == *other
    }
}

impl PartialEq<String> for Scope {
    fn eq(&self, other: &String) -> bool {
        *self.text == **other
    }
}

impl PartialEq<Scope> for str {
    fn eq(&self, other: &Scope) -> bool {
        *self == *other.text
    }
}

impl PartialEq<Scope> for String {
    fn eq(&self, other: &Scope) -> bool {
        **self == *other.text
    }
}

impl TryFrom<String> for Scope {
    type Error = ScopeError;

    fn try_from(text: String) -> Result<Scope, ScopeError> {
        Scope::parse(&text)
    }
}

impl std::str::FromStr for Scope {
    type Err = ScopeError;

    fn from_str(text: &str) -> Result<Scope, ScopeError> {
        Scope::parse(text)
    }
}

impl From<Scope> for String {
    fn from(scope: Scope) -> String {
        String::from(&*scope.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_family_and_level() {
        let scope = Scope::parse("coupon-codes:write").unwrap();
        assert_eq!(scope.family(), "coupon-codes");
        assert_eq!(scope.level(), Level::Write);
        assert_eq!(scope.read_of_write().unwrap(), "coupon-codes:read");
        assert_eq!(Scope::parse("lists:read").unwrap().read_of_write(), None);
    }

    #[test]
    fn refuses_what_is_not_a_scope() {
        for bad in [
            "lists",
            ":read",
            "Lists:read",
            "lists:full",
            "lists:",
            "list s:read",
        ] {
            assert!(Scope::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_display_names() {
        assert_eq!(
            Scope::from_display_name("Campaigns Write").unwrap(),
            "campaigns:write"
        );
        assert_eq!(
            Scope::from_display_name("Coupon Codes  Read").unwrap(),
            "coupon-codes:read"
        );
        for bad in ["Write", "Campaigns Full", "campaigns:write", ""] {
            assert_eq!(Scope::from_display_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn knows_renamed_scopes() {
        let old = Scope::from_display_name("List Write").unwrap();
        assert_eq!(old, "list:write");
        assert_eq!(old.renamed().unwrap(), "lists:write");
        assert_eq!(Scope::parse("lists:write").unwrap().renamed(), None);
        for (old, new) in RENAMED {
            assert_eq!(Scope::parse(old).unwrap().renamed().unwrap(), *new);
        }
    }

    #[test]
    fn serialises_as_its_text() {
        let scope = Scope::parse("profiles:read").unwrap();
        assert_eq!(serde_json::to_string(&scope).unwrap(), "\"profiles:read\"");
        let back: Scope = serde_json::from_str("\"profiles:read\"").unwrap();
        assert_eq!(back, scope);
        assert!(serde_json::from_str::<Scope>("\"profiles\"").is_err());
    }
}
