//! What a scan finds before the catalog judges it: calls decided in the
//! code (SDK methods, manifests), Klaviyo paths whose operation the catalog
//! settles (`PathCall`), wrappers that build Klaviyo URLs, calls that cannot
//! be read, retired calls, and the files read, skipped or not readable.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::language::Language;
use crate::catalog::Method;
use crate::retired::ReplacementBasis;
use crate::scope::Scope;

/// How a call was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallForm {
    /// A method of an official Klaviyo SDK client (`klaviyo.Profiles.get_profiles`).
    SdkMethod,
    /// An HTTP request to `https://a.klaviyo.com/api/...` (requests, fetch, Guzzle, own wrapper…).
    RawHttp,
    /// A path and method declared in a connector manifest.
    Manifest,
}

impl CallForm {
    pub fn as_str(self) -> &'static str {
        match self {
            CallForm::SdkMethod => "SDK method",
            CallForm::RawHttp => "raw request",
            CallForm::Manifest => "manifest",
        }
    }
}

/// Where something is in the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Site {
    pub file: String,
    /// From 1.
    pub line: usize,
    /// From 1, in characters.
    pub column: usize,
    pub language: Language,
    /// The code, one line, shortened, with anything key-like blanked out.
    pub excerpt: String,
}

/// A Klaviyo API call found in the code, as the text the resolver reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundCall {
    pub file: String,
    /// From 1.
    pub line: usize,
    /// From 1, in characters.
    pub column: usize,
    pub language: Language,
    pub form: CallForm,
    /// What the resolver reads: `PATCH /api/profiles/{id}`, `klaviyo.Profiles.get_profiles`.
    pub input: String,
    /// The code, one line, shortened, with anything key-like blanked out.
    pub excerpt: String,
    /// False for an SDK-shaped call on a client not traced to its constructor
    /// or type (`client.Profiles.get_profiles` with `client` passed in
    /// untyped): [`super::ScanReport::build`] keeps it only if it resolves.
    pub traced: bool,
    /// How the HTTP method was decided, for a raw request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method_from: Option<MethodSource>,
}

impl FoundCall {
    pub(crate) fn at(site: Site, form: CallForm, input: String) -> FoundCall {
        FoundCall {
            file: site.file,
            line: site.line,
            column: site.column,
            language: site.language,
            form,
            input: crate::secret::redact(&input).into_owned(),
            excerpt: site.excerpt,
            traced: true,
            method_from: None,
        }
    }
}

/// Where the HTTP method of a raw request was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MethodSource {
    /// The call: an argument, an option, a builder call or the callee's name.
    Call,
    /// The wrapper the call goes through fixes it (or takes it as an argument).
    Wrapper,
    /// The path has only one method in Klaviyo's API.
    Catalog,
}

/// Why a call could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnresolvedReason {
    /// The path is computed at run time.
    DynamicPath,
    /// The URL is a Klaviyo path but the HTTP method is computed at run time.
    DynamicMethod,
    /// A Klaviyo path with several methods, and nothing in the code says which.
    UnknownMethod,
    /// An `include=` value is computed at run time.
    DynamicInclude,
    /// The URL comes from a response's `links.related` (or `links.next`).
    RelatedLink,
    /// An SDK client's method is chosen at run time.
    DynamicSdkMethod,
}

impl UnresolvedReason {
    pub fn as_str(self) -> &'static str {
        match self {
            UnresolvedReason::DynamicPath => "dynamic_path",
            UnresolvedReason::DynamicMethod => "dynamic_method",
            UnresolvedReason::UnknownMethod => "unknown_method",
            UnresolvedReason::DynamicInclude => "dynamic_include",
            UnresolvedReason::RelatedLink => "related_link",
            UnresolvedReason::DynamicSdkMethod => "dynamic_sdk_method",
        }
    }
}

/// An operation an unresolved call may be, and the scopes it would add to the link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Candidate {
    pub operation_id: String,
    pub method: Method,
    pub path: String,
    #[schema(value_type = Vec<String>)]
    pub scopes: Vec<Scope>,
    /// The scopes the link would gain if the call is this operation.
    #[schema(value_type = Vec<String>)]
    pub adds: Vec<Scope>,
}

/// A call that reaches Klaviyo's API but whose operation cannot be read from the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct UnresolvedCall {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub language: Language,
    pub reason: UnresolvedReason,
    /// What was seen and what would make it readable.
    pub detail: String,
    pub excerpt: String,
    /// The operations it may be, when the path is known but the method is not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<Candidate>,
}

impl UnresolvedCall {
    pub(crate) fn at(site: Site, reason: UnresolvedReason, detail: String) -> UnresolvedCall {
        UnresolvedCall {
            file: site.file,
            line: site.line,
            column: site.column,
            language: site.language,
            reason,
            detail: crate::secret::redact(&detail).into_owned(),
            excerpt: site.excerpt,
            candidates: Vec::new(),
        }
    }
}

/// A current operation that does a retired call's job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Replacement {
    pub operation_id: String,
    pub method: Method,
    pub path: String,
    /// What a private key needs for it (none for a `/client` operation).
    #[schema(value_type = Vec<String>)]
    pub scopes: Vec<Scope>,
}

/// `add_profiles_to_list (POST /api/lists/{id}/relationships/profiles)`: how
/// every report names a replacement.
impl std::fmt::Display for Replacement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({} {})", self.operation_id, self.method, self.path)
    }
}

/// A call to Klaviyo's retired v1/v2 API (or through an old SDK), which
/// answers 410 Gone since 2024-06-30.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RetiredCall {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub language: Language,
    /// The retired endpoint, `POST /api/v2/list/{list_id}/members`.
    pub endpoint: String,
    /// The old SDK method, when the call goes through one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sdk_method: Option<String>,
    pub excerpt: String,
    /// The current operations that do the job.
    pub replaced_by: Vec<Replacement>,
    /// `stated` by Klaviyo's migration pages, `suggested` (matched by
    /// resource; confirm it), or `none` (no current operation does this).
    pub basis: ReplacementBasis,
    /// What a new key needs for the replacements.
    #[schema(value_type = Vec<String>)]
    pub scopes: Vec<Scope>,
    pub note: String,
}

/// A file that was not scanned, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SkippedFile {
    pub file: String,
    pub reason: String,
    /// The file names Klaviyo, so calls in it may be missing from the link.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub names_klaviyo: bool,
}

/// A file in a language Scopelink does not parse that holds a Klaviyo API URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct UnscannedFile {
    pub file: String,
    /// The language, by extension (`Elixir`, `Vue`).
    pub language: String,
    /// The first line holding `a.klaviyo.com/api`.
    pub line: usize,
    pub excerpt: String,
}

/// A function that builds a Klaviyo URL from one of its parameters: each
/// of its call sites with a literal path is a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wrapper {
    pub file: String,
    pub line: usize,
    pub name: String,
    /// The parameter that holds the path, from 0.
    pub path_param: usize,
    /// The method the wrapper sends, when it fixes one.
    pub method: Option<Method>,
    /// The parameter that holds the method, when the caller gives it.
    pub method_param: Option<usize>,
    /// The method sent when the caller gives none (`init.method ?? 'GET'`).
    pub default_method: Option<Method>,
    /// The URL it builds is on Klaviyo's host, or its file names Klaviyo.
    pub klaviyo: bool,
}

/// What the code says of a call's HTTP method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum MethodHint {
    Known(Method),
    /// An expression computed at run time, and the method it falls back to
    /// (`init.method ?? 'GET'`), if any.
    Dynamic {
        expression: String,
        default: Option<Method>,
    },
    Absent,
}

/// A Klaviyo path found in the code: its operation is settled with the
/// catalog (the method, if the code does not say it; whether a relative
/// path is Klaviyo's at all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathCall {
    pub site: Site,
    pub form: CallForm,
    /// From `/api/` or `/client/` on, `{name}` where the code has a value.
    pub path: String,
    /// The code gave `profiles/{id}` (no host, no `/api/`): Klaviyo's only
    /// where the file names Klaviyo or the call goes through a Klaviyo wrapper.
    pub relative: bool,
    /// On `a.klaviyo.com` in the code itself.
    pub on_host: bool,
    /// The file names Klaviyo.
    pub tied: bool,
    /// Same-origin: a browser `fetch('/api/…')` with no host or base.
    pub same_origin: bool,
    /// A base computed at run time comes first (`${apiUrl}/v2/lists`).
    pub after_base: bool,
    /// That base's name (`getApiUrl`), to be matched with the project's Klaviyo bases.
    pub base: Option<String>,
    pub includes: Vec<String>,
    pub method: MethodHint,
    /// The called function's name, for wrapper look-up.
    pub callee: Option<String>,
    /// Each positional argument read as an HTTP method, where it is one.
    pub arg_methods: Vec<Option<Method>>,
    /// Which positional argument of the call the path is.
    pub arg_index: Option<usize>,
    /// A bare word passed without a method (`send("events")`): Klaviyo's
    /// only through a Klaviyo wrapper that takes its path there.
    pub weak: bool,
    /// No call takes it: a path standing alone (a constant, a table entry).
    pub standalone: bool,
    /// For a call whose URL is a constant of another file
    /// (`request(KLAVIYO_AUTH_ENDPOINT, HTTP_POST)`), the constant's name, its
    /// path to be read from [`Findings::path_constants`]; for a path standing
    /// alone as a constant's value, that constant's name.
    pub constant: Option<String>,
}

/// A name whose value is a Klaviyo path (`KLAVIYO_AUTH_ENDPOINT =
/// "https://a.klaviyo.com/api/lists/"`), for calls in other files that pass it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathConstant {
    pub name: String,
    pub file: String,
    /// From `/api/` on, without the query.
    pub path: String,
    pub includes: Vec<String>,
    pub on_host: bool,
}

/// Everything found in a set of files, before the catalog settles it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Findings {
    /// Files read in a scanned language.
    pub files_scanned: usize,
    /// How many files of each language were read.
    pub files_by_language: BTreeMap<Language, usize>,
    /// SDK and manifest calls, decided in the code; sorted by place.
    pub calls: Vec<FoundCall>,
    /// Klaviyo paths whose operation the catalog settles.
    pub path_calls: Vec<PathCall>,
    pub unresolved: Vec<UnresolvedCall>,
    /// Calls of old SDKs (retired paths come from `path_calls`).
    pub retired_sdk_calls: Vec<RetiredSdkCall>,
    pub wrappers: Vec<Wrapper>,
    /// Some file read names Klaviyo.
    pub names_klaviyo: bool,
    /// Names that hold or return a Klaviyo API base URL, across the project
    /// (`getApiUrl`, `BASE_URL`), so a path after one is Klaviyo's.
    pub klaviyo_bases: Vec<String>,
    /// Names whose value is a whole Klaviyo path, across the project.
    pub path_constants: Vec<PathConstant>,
    /// Files that could not be read (too large, not UTF-8, unreadable) and,
    /// for files given in memory, those with no path or of a language not scanned.
    pub skipped: Vec<SkippedFile>,
    /// Files in a language not scanned that hold a Klaviyo API URL.
    pub unscanned: Vec<UnscannedFile>,
}

/// A call of an old SDK's method, before the retired table is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetiredSdkCall {
    pub site: Site,
    /// The language's name in the retired table (`python`, `php`, …).
    pub sdk_language: String,
    pub namespace: String,
    pub method: String,
}
