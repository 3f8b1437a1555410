//! Audits an existing create-key link (or a scope list) that partners keep in
//! their docs for years: which scopes are renamed, beta-only or unknown, what
//! the scopes allow, and, given the operations actually called, which scopes
//! are missing or excess and the corrected link. The CLI and the HTTP API call
//! the same [`audit`] function.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalog::{Catalog, Method};
use crate::link::{scopes_of_link, CatalogInfo, LinkBase, LinkReport};
use crate::resolve::{InputItem, ItemError, ResolveOptions, ScopeExplanation, Warning};
use crate::secret;

/// Scope names Klaviyo renamed (KLAVIYO_FACTS §5.3, revision 2023-12-15).
const RENAMES: &[(&str, &str)] = &[
    ("list:read", "lists:read"),
    ("list:write", "lists:write"),
    ("template:write", "templates:write"),
];

/// Families whose old singular name a `:full` label may still use.
const RENAMED_FAMILIES: &[(&str, &str)] = &[("list", "lists"), ("template", "templates")];

/// Scopes Klaviyo's docs list that no operation needs (KLAVIYO_FACTS §2.3).
const DOCUMENTED_ONLY: &[&str] = &["data-privacy:read"];

/// Most suggestions offered for an unknown scope.
const MAX_SUGGESTIONS: usize = 3;

/// Why an audit could not be made. The codes are stable API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    #[error("nothing to audit: give a create-key link (`link`) or a list of scopes (`scopes`)")]
    NothingGiven,
    #[error("give either one create-key link or a list of scopes, not both")]
    LinkAndScopes,
    #[error("this looks like a Klaviyo private API key (pk_…). Never send API keys: an audit needs only the link or the scope names. If it is a real key, revoke it in Klaviyo.")]
    LooksLikeSecret,
    #[error("`{0}` is not a URL; give Klaviyo's create-key link, e.g. https://www.klaviyo.com/create-private-api-key?scopes=lists:read")]
    NotALink(String),
    #[error("the link is on `{host}`, not klaviyo.com: only Klaviyo's create-key page (https://www.klaviyo.com/create-private-api-key) can be audited")]
    WrongHost { host: String },
    #[error("the link points at `{path}` on klaviyo.com, not the create-key page /create-private-api-key")]
    NotCreateKeyPage { path: String },
    #[error("the link has no `scopes=` parameter, so it preselects nothing; a new key has full access by default")]
    NoScopesParameter,
    #[error(
        "no scopes were given; a key created with none preselected has full access by default"
    )]
    NoScopes,
    #[error("{given} scopes were given; the limit is {limit} per audit")]
    TooManyScopes { given: usize, limit: usize },
    #[error("a link or scope text is longer than the limit of {limit} bytes")]
    TooLong { limit: usize },
}

impl AuditError {
    /// The stable short code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            AuditError::NothingGiven => "nothing_to_audit",
            AuditError::LinkAndScopes => "link_and_scopes",
            AuditError::LooksLikeSecret => "looks_like_secret",
            AuditError::NotALink(_) => "not_a_link",
            AuditError::WrongHost { .. } => "wrong_host",
            AuditError::NotCreateKeyPage { .. } => "not_create_key_page",
            AuditError::NoScopesParameter | AuditError::NoScopes => "no_scopes",
            AuditError::TooManyScopes { .. } => "too_many_scopes",
            AuditError::TooLong { .. } => "too_long",
        }
    }

    /// The limit that was exceeded, if any.
    pub fn limit(&self) -> Option<usize> {
        match self {
            AuditError::TooManyScopes { limit, .. } | AuditError::TooLong { limit } => Some(*limit),
            _ => None,
        }
    }
}

/// Scopes given as a list, or as one comma- or whitespace-separated string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ScopeList {
    #[schema(example = json!(["list:read", "profiles:read"]))]
    List(Vec<String>),
    /// `list:read,profiles:read`, `lists:read profiles:read`, or `Catalogs Read, List Write`.
    #[schema(example = "list:read,profiles:read")]
    Text(String),
}

impl ScopeList {
    pub fn into_vec(self) -> Vec<String> {
        match self {
            ScopeList::List(list) => list,
            ScopeList::Text(text) => vec![text],
        }
    }
}

/// What is audited: a create-key link, or scope texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditSource {
    Link(String),
    /// Each string may hold several scopes, comma- or whitespace-separated.
    Scopes(Vec<String>),
}

impl AuditSource {
    /// Exactly one of a link and a scope list.
    pub fn from_parts(
        link: Option<String>,
        scopes: Option<Vec<String>>,
    ) -> Result<AuditSource, AuditError> {
        match (link, scopes) {
            (Some(_), Some(_)) => Err(AuditError::LinkAndScopes),
            (Some(link), None) => Ok(AuditSource::Link(link)),
            (None, Some(scopes)) => Ok(AuditSource::Scopes(scopes)),
            (None, None) => Err(AuditError::NothingGiven),
        }
    }

    /// Command-line words: one link, or any number of scope texts.
    pub fn from_args(args: &[String]) -> Result<AuditSource, AuditError> {
        let links = args.iter().filter(|arg| looks_like_link(arg)).count();
        match (links, args.len()) {
            (_, 0) => Err(AuditError::NothingGiven),
            (0, _) => Ok(AuditSource::Scopes(args.to_vec())),
            (1, 1) => Ok(AuditSource::Link(args[0].clone())),
            _ => Err(AuditError::LinkAndScopes),
        }
    }

    fn texts(&self) -> Vec<&str> {
        match self {
            AuditSource::Link(link) => vec![link.as_str()],
            AuditSource::Scopes(scopes) => scopes.iter().map(String::as_str).collect(),
        }
    }

    fn kind(&self) -> SourceKind {
        match self {
            AuditSource::Link(_) => SourceKind::Link,
            AuditSource::Scopes(_) => SourceKind::Scopes,
        }
    }
}

/// Text that is meant as a link rather than a scope name.
fn looks_like_link(text: &str) -> bool {
    let text = text.trim().to_ascii_lowercase();
    text.contains("://")
        || text.contains("create-private-api-key")
        || text.contains("klaviyo.com")
        || text.contains("?scopes=")
}

/// Limits and the link builder's choices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditOptions {
    /// Compare with exactly the scopes the spec lists (no `x:read` for each `x:write`).
    pub minimal: bool,
    /// A `.pre` revision answers: endpoints in both specs resolve to the beta operation.
    pub prefer_beta: bool,
    /// Longest link, scope text or operation input, in bytes.
    pub max_item_bytes: Option<usize>,
    /// Most scopes in one audit.
    pub max_scopes: Option<usize>,
}

/// What was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Link,
    Scopes,
}

/// What a given scope turned out to be. The names are stable API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScopeStatus {
    /// A current scope some stable operation needs.
    Current,
    /// An old name (`list:read`, `"List Write"`, `campaigns:full`): use `current` instead.
    Renamed,
    /// Only beta (`.pre`) operations need it.
    BetaOnly,
    /// In Klaviyo's docs, but no operation needs it.
    DocumentedUnused,
    /// No operation needs it; see `suggestions`.
    Unknown,
    /// Already given earlier in the list.
    Duplicate,
}

impl ScopeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeStatus::Current => "current",
            ScopeStatus::Renamed => "renamed",
            ScopeStatus::BetaOnly => "beta_only",
            ScopeStatus::DocumentedUnused => "documented_unused",
            ScopeStatus::Unknown => "unknown",
            ScopeStatus::Duplicate => "duplicate",
        }
    }

    /// Whether the link should be changed because of this scope.
    pub fn needs_fix(self) -> bool {
        matches!(
            self,
            ScopeStatus::Renamed | ScopeStatus::Unknown | ScopeStatus::Duplicate
        )
    }
}

/// One given scope and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ScopeFinding {
    /// Position in the given list, from 0.
    pub index: usize,
    /// The scope as given, with anything key-like blanked out.
    #[schema(example = "list:read")]
    pub given: String,
    pub status: ScopeStatus,
    /// The current scope name(s) it stands for; empty when unknown.
    #[schema(example = json!(["lists:read"]))]
    pub current: Vec<String>,
    /// For unknown scopes, up to three current scopes closest in spelling.
    pub suggestions: Vec<String>,
    /// The link should change because of this scope (renamed, unknown, duplicate).
    pub needs_fix: bool,
    #[schema(
        example = "`list:read` was renamed `lists:read` in revision 2023-12-15; use the current name"
    )]
    pub message: String,
}

/// How many findings have each status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct FindingCounts {
    pub current: usize,
    pub renamed: usize,
    pub beta_only: usize,
    pub documented_unused: usize,
    pub unknown: usize,
    pub duplicate: usize,
}

impl FindingCounts {
    fn add(&mut self, status: ScopeStatus) {
        let slot = match status {
            ScopeStatus::Current => &mut self.current,
            ScopeStatus::Renamed => &mut self.renamed,
            ScopeStatus::BetaOnly => &mut self.beta_only,
            ScopeStatus::DocumentedUnused => &mut self.documented_unused,
            ScopeStatus::Unknown => &mut self.unknown,
            ScopeStatus::Duplicate => &mut self.duplicate,
        };
        *slot += 1;
    }
}

/// A private-key operation the given scopes allow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AllowedOperation {
    #[schema(example = "get_profiles")]
    pub operation_id: String,
    pub method: Method,
    #[schema(example = "/api/profiles")]
    pub path: String,
    /// A beta operation: it needs the `.pre` revision header.
    pub beta: bool,
}

/// The given scopes compared with what the intended operations need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct IntendedCheck {
    /// The scopes the link builder puts in the link for the operations.
    #[schema(example = json!(["lists:read", "profiles:read"]))]
    pub needed: Vec<String>,
    /// Needed, but not among the given scopes.
    #[schema(example = json!(["profiles:read"]))]
    pub missing: Vec<String>,
    /// Given, but not needed.
    #[schema(example = json!(["campaigns:read", "campaigns:write"]))]
    pub excess: Vec<String>,
    /// The link for exactly the needed scopes.
    #[schema(
        example = "https://www.klaviyo.com/create-private-api-key?scopes=lists:read,profiles:read"
    )]
    pub corrected_url: String,
    /// For each missing scope, the inputs that need it.
    pub explanations: Vec<ScopeExplanation>,
    pub warnings: Vec<Warning>,
    /// Operation inputs that could not be resolved; the others still count.
    pub errors: Vec<ItemError>,
}

/// The whole audit of a link or scope list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AuditReport {
    /// Nothing to fix: no renamed, unknown or duplicate scope, and, when
    /// operations were given, nothing missing or excess and every operation resolved.
    pub clean: bool,
    pub source: SourceKind,
    /// The link as given (when a link was given), with anything key-like blanked out.
    #[schema(
        example = "https://www.klaviyo.com/create-private-api-key?scopes=list:read,campaigns:full"
    )]
    pub link: Option<String>,
    /// One per given scope, in the given order.
    pub findings: Vec<ScopeFinding>,
    pub counts: FindingCounts,
    /// The current names of every recognised scope, sorted and deduplicated.
    #[schema(example = json!(["campaigns:read", "campaigns:write", "lists:read"]))]
    pub normalized: Vec<String>,
    /// The create-key link for `normalized`: the same access under current names.
    #[schema(
        example = "https://www.klaviyo.com/create-private-api-key?scopes=campaigns:read,campaigns:write,lists:read"
    )]
    pub normalized_url: String,
    pub allowed_operation_count: usize,
    /// Private-key operations whose scopes `normalized` covers (`x:write` also covers `x:read`).
    pub allowed_operations: Vec<AllowedOperation>,
    /// Present when intended operations were given.
    pub intended: Option<IntendedCheck>,
    pub minimal: bool,
    pub catalog: CatalogInfo,
}

/// Audits a link or scope list against a catalog and, if any are given,
/// the operations the key is meant for.
pub fn audit(
    catalog: &Catalog,
    base: &LinkBase,
    source: &AuditSource,
    operations: &[InputItem],
    options: AuditOptions,
) -> Result<AuditReport, AuditError> {
    let texts = source.texts();
    if texts.iter().any(|text| secret::contains_private_key(text)) {
        return Err(AuditError::LooksLikeSecret);
    }
    if let Some(limit) = options.max_item_bytes {
        if texts.iter().any(|text| text.len() > limit) {
            return Err(AuditError::TooLong { limit });
        }
    }
    let given: Vec<String> = match source {
        AuditSource::Link(link) => link_scopes(link, base)?
            .iter()
            .flat_map(|scope| tokens(scope))
            .collect(),
        AuditSource::Scopes(scopes) => scopes.iter().flat_map(|text| tokens(text)).collect(),
    };
    // A key can hide behind percent-encoding in a link.
    if given.iter().any(|text| secret::contains_private_key(text)) {
        return Err(AuditError::LooksLikeSecret);
    }
    if given.is_empty() {
        return Err(AuditError::NoScopes);
    }
    if let Some(limit) = options.max_scopes {
        if given.len() > limit {
            return Err(AuditError::TooManyScopes {
                given: given.len(),
                limit,
            });
        }
    }

    let usage = ScopeUsage::of(catalog);
    let mut findings = Vec::with_capacity(given.len());
    let mut seen_texts = BTreeSet::new();
    let mut normalized = BTreeSet::new();
    for (index, text) in given.iter().enumerate() {
        let mut finding = classify(&usage, text);
        finding.index = index;
        let repeated = !seen_texts.insert(text.clone());
        let covered = !finding.current.is_empty()
            && finding
                .current
                .iter()
                .all(|scope| normalized.contains(scope));
        if repeated || covered {
            finding.message = if finding.current.is_empty() || finding.current == [text.clone()] {
                format!("`{}` is already listed", finding.given)
            } else {
                format!(
                    "`{}` ({}) is already listed",
                    finding.given,
                    quoted(&finding.current)
                )
            };
            finding.status = ScopeStatus::Duplicate;
            finding.suggestions.clear();
        }
        finding.needs_fix = finding.status.needs_fix();
        normalized.extend(finding.current.iter().cloned());
        findings.push(finding);
    }
    let normalized: Vec<String> = normalized.into_iter().collect();
    let mut counts = FindingCounts::default();
    for finding in &findings {
        counts.add(finding.status);
    }

    let allowed_operations = allowed(catalog, &normalized);
    let intended = (!operations.is_empty()).then(|| {
        let resolve = ResolveOptions {
            minimal: options.minimal,
            max_item_bytes: options.max_item_bytes,
            prefer_beta: options.prefer_beta,
        };
        let report = LinkReport::build(catalog, base, operations, resolve);
        compare(report, &normalized)
    });
    let clean = findings.iter().all(|finding| !finding.needs_fix)
        && intended.as_ref().is_none_or(|check| {
            check.missing.is_empty() && check.excess.is_empty() && check.errors.is_empty()
        });
    Ok(AuditReport {
        clean,
        source: source.kind(),
        link: match source {
            AuditSource::Link(link) => Some(secret::redact(link.trim()).into_owned()),
            AuditSource::Scopes(_) => None,
        },
        findings,
        counts,
        normalized_url: base.url_for(&normalized),
        allowed_operation_count: allowed_operations.len(),
        allowed_operations,
        normalized,
        intended,
        minimal: options.minimal,
        catalog: CatalogInfo::of(catalog, options.prefer_beta),
    })
}

/// The raw `scopes=` values of a link on Klaviyo's create-key page.
fn link_scopes(link: &str, base: &LinkBase) -> Result<Vec<String>, AuditError> {
    let text = link.trim();
    let shown = || secret::redact(text).into_owned();
    let url = match url::Url::parse(text) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) if !text.is_empty() => {
            url::Url::parse(&format!("https://{text}"))
                .map_err(|_| AuditError::NotALink(shown()))?
        }
        Err(_) => return Err(AuditError::NotALink(shown())),
    };
    if !matches!(url.scheme(), "https" | "http") {
        return Err(AuditError::NotALink(shown()));
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if host != "klaviyo.com" && !host.ends_with(".klaviyo.com") {
        return Err(AuditError::WrongHost {
            host: secret::redact(&host).into_owned(),
        });
    }
    let page = |path: &str| path.trim_end_matches('/').to_owned();
    let configured = url::Url::parse(base.as_str())
        .map(|base| page(base.path()))
        .unwrap_or_default();
    let path = page(url.path());
    if path != "/create-private-api-key" && (configured.is_empty() || path != configured) {
        return Err(AuditError::NotCreateKeyPage {
            path: secret::redact(url.path()).into_owned(),
        });
    }
    scopes_of_link(url.as_str()).ok_or(AuditError::NoScopesParameter)
}

/// Splits scope text on commas and whitespace, keeping the pre-2023 display
/// strings (`Catalogs Read`, `Coupon Codes Write`) whole.
fn tokens(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for piece in text.split(',') {
        let mut run: Vec<&str> = Vec::new();
        let words = piece
            .split_whitespace()
            .map(|word| word.trim_matches(|c| matches!(c, '"' | '\'' | '`')))
            .filter(|word| !word.is_empty());
        for word in words {
            if word.contains(':') {
                if !run.is_empty() {
                    found.push(run.join(" "));
                    run.clear();
                }
                found.push(word.to_owned());
            } else {
                run.push(word);
                if is_level_word(word) {
                    found.push(run.join(" "));
                    run.clear();
                }
            }
        }
        if !run.is_empty() {
            found.push(run.join(" "));
        }
    }
    found
}

fn is_level_word(word: &str) -> bool {
    ["read", "write", "full"]
        .iter()
        .any(|level| word.eq_ignore_ascii_case(level))
}

/// Which operations need each scope, for the statuses and messages.
struct ScopeUsage<'c> {
    catalog: &'c Catalog,
    /// Scope → (stable operations, beta operations) that need it, private-key only.
    counts: HashMap<&'c str, (usize, usize)>,
}

impl<'c> ScopeUsage<'c> {
    fn of(catalog: &'c Catalog) -> ScopeUsage<'c> {
        let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
        for operation in catalog.operations().iter().filter(|op| !op.client) {
            let mut scopes: BTreeSet<&str> = operation.scopes.iter().map(String::as_str).collect();
            for rule in &operation.includes {
                scopes.extend(rule.extra_scopes.iter().map(String::as_str));
            }
            for scope in scopes {
                let entry = counts.entry(scope).or_default();
                if operation.is_beta() {
                    entry.1 += 1;
                } else {
                    entry.0 += 1;
                }
            }
        }
        ScopeUsage { catalog, counts }
    }

    fn is_known(&self, scope: &str) -> bool {
        self.counts.contains_key(scope)
            || DOCUMENTED_ONLY.contains(&scope)
            || self.pairs_a_write(scope)
    }

    /// An `x:read` no operation needs, whose `x:write` some operation does:
    /// the link builder pairs them (KLAVIYO_FACTS §1).
    fn pairs_a_write(&self, scope: &str) -> bool {
        scope
            .strip_suffix(":read")
            .is_some_and(|family| self.counts.contains_key(format!("{family}:write").as_str()))
    }

    /// The status and message of a scope under its current name.
    fn describe(&self, scope: &str) -> (ScopeStatus, String) {
        match self.counts.get(scope) {
            Some(&(stable, beta)) if stable > 0 => {
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
            Some(&(_, beta)) => (
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
                let mut message = if DOCUMENTED_ONLY.contains(&scope) {
                    format!("`{scope}` is listed in Klaviyo's docs, but no operation needs it")
                } else {
                    format!("no operation needs `{scope}`")
                };
                if self.pairs_a_write(scope) {
                    message.push_str(&format!(
                        "; links pair it with `{}`, as Klaviyo's own example pairs read and write",
                        scope.replace(":read", ":write")
                    ));
                }
                (ScopeStatus::DocumentedUnused, message)
            }
        }
    }

    /// Up to three current scopes closest in spelling to an unknown one.
    fn suggestions(&self, text: &str) -> Vec<String> {
        let wanted = text.trim().to_ascii_lowercase();
        let mut scopes: Vec<&str> = self.counts.keys().copied().collect();
        scopes.sort_unstable();
        // A known family with an unknown level: offer the family's scopes.
        if let Some((family, _)) = wanted.split_once(':') {
            let family_scopes: Vec<String> = scopes
                .iter()
                .filter(|scope| scope.split_once(':').is_some_and(|(f, _)| f == family))
                .map(|scope| (*scope).to_owned())
                .collect();
            if !family_scopes.is_empty() && !family_scopes.contains(&wanted) {
                return family_scopes;
            }
        }
        let mut ranked: Vec<(usize, &str)> = scopes
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
            .map(|(_, scope)| scope.to_owned())
            .collect()
    }
}

/// How a scope was written.
enum Written {
    /// `family:level`, as the specs write scopes since 2023.
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
fn classify(usage: &ScopeUsage<'_>, text: &str) -> ScopeFinding {
    let given = secret::redact(text).into_owned();
    let finding = |status: ScopeStatus, current: Vec<String>, message: String| ScopeFinding {
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
        let current: Vec<String> = [format!("{family}:read"), format!("{family}:write")]
            .into_iter()
            .filter(|scope| usage.is_known(scope))
            .collect();
        if !current.is_empty() {
            let message = format!(
                "`{given}`: `:full` was only ever a label in Klaviyo's UI and docs, never a scope; {} {}",
                if current.len() == 1 { "the scope is" } else { "the scopes are" },
                quoted(&current)
            );
            return finding(ScopeStatus::Renamed, current, message);
        }
    } else if !level.is_empty() {
        let written = format!("{family}:{level}");
        let renamed = RENAMES.iter().find(|(old, _)| *old == written);
        let scope = renamed.map_or(written.clone(), |(_, new)| (*new).to_owned());
        if usage.is_known(&scope) {
            let (status, detail) = usage.describe(&scope);
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
    let suggestions = usage.suggestions(&if display || level == "full" {
        format!("{family}:{level}")
    } else {
        text.to_owned()
    });
    let mut unknown = finding(
        ScopeStatus::Unknown,
        Vec::new(),
        if suggestions.is_empty() {
            format!("no Klaviyo operation needs a scope `{given}`")
        } else if suggestions.contains(&text.to_ascii_lowercase()) {
            format!(
                "`{given}` is not a scope: scope names are lowercase; did you mean `{}`?",
                text.to_ascii_lowercase()
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

/// Private-key operations whose scopes the given ones cover.
fn allowed(catalog: &Catalog, normalized: &[String]) -> Vec<AllowedOperation> {
    let mut covered: BTreeSet<&str> = normalized.iter().map(String::as_str).collect();
    let reads: Vec<String> = normalized
        .iter()
        .filter_map(|scope| scope.strip_suffix(":write"))
        .map(|family| format!("{family}:read"))
        .collect();
    covered.extend(reads.iter().map(String::as_str));
    catalog
        .operations()
        .iter()
        .filter(|op| !op.client && op.scopes.iter().all(|s| covered.contains(s.as_str())))
        .map(|op| AllowedOperation {
            operation_id: op.operation_id.clone(),
            method: op.method,
            path: op.path.clone(),
            beta: op.is_beta(),
        })
        .collect()
}

/// The given scopes against the link the builder makes for the operations.
fn compare(report: LinkReport, normalized: &[String]) -> IntendedCheck {
    let given: BTreeSet<&String> = normalized.iter().collect();
    let needed: BTreeSet<&String> = report.scopes.iter().collect();
    let missing: Vec<String> = needed.difference(&given).map(|s| (*s).clone()).collect();
    let excess: Vec<String> = given.difference(&needed).map(|s| (*s).clone()).collect();
    let explanations = report
        .explanations
        .into_iter()
        .filter(|explanation| missing.contains(&explanation.scope))
        .collect();
    IntendedCheck {
        needed: report.scopes,
        missing,
        excess,
        corrected_url: report.url,
        explanations,
        warnings: report.warnings,
        errors: report.errors,
    }
}

fn quoted(scopes: &[String]) -> String {
    scopes
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_on_commas_and_spaces_but_keep_display_strings() {
        assert_eq!(
            tokens("lists:read, profiles:read  events:write"),
            ["lists:read", "profiles:read", "events:write"]
        );
        assert_eq!(
            tokens("Catalogs Read List Write,Coupon Codes Read"),
            ["Catalogs Read", "List Write", "Coupon Codes Read"]
        );
        assert_eq!(tokens("bogus lists:read"), ["bogus", "lists:read"]);
        assert!(tokens(" , ").is_empty());
    }

    #[test]
    fn links_elsewhere_are_refused_with_their_host() {
        let base = LinkBase::default();
        assert_eq!(
            link_scopes(
                "https://evil.com/create-private-api-key?scopes=a:read",
                &base
            ),
            Err(AuditError::WrongHost {
                host: "evil.com".into()
            })
        );
        assert!(matches!(
            link_scopes("https://www.klaviyo.com/account?scopes=a:read", &base),
            Err(AuditError::NotCreateKeyPage { .. })
        ));
        assert!(matches!(
            link_scopes("https://www.klaviyo.com?scopes=a:read", &base),
            Err(AuditError::NotCreateKeyPage { .. })
        ));
        assert_eq!(
            link_scopes("https://www.klaviyo.com/create-private-api-key", &base),
            Err(AuditError::NoScopesParameter)
        );
        assert_eq!(
            link_scopes(
                "www.klaviyo.com/create-private-api-key/?scopes=a:read,b:write",
                &base
            ),
            Ok(vec!["a:read".to_owned(), "b:write".to_owned()])
        );
    }
}
