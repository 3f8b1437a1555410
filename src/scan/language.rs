//! Which language a file is in, by its extension: the nine languages the
//! scanner parses (plus connector manifests), and the code languages it does
//! not, so a file in one of those that names Klaviyo's API is reported as
//! unread instead of silently passed over.

use serde::Serialize;
use utoipa::ToSchema;

/// The language a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Python,
    // As `as_str` writes them, not `java_script`.
    #[serde(rename = "javascript")]
    JavaScript,
    #[serde(rename = "typescript")]
    TypeScript,
    Php,
    Ruby,
    Go,
    Java,
    Kotlin,
    #[serde(rename = "csharp")]
    CSharp,
    /// A YAML or JSON manifest of a declarative (low-code) client.
    Manifest,
}

/// Extensions and the language each is parsed as.
const SCANNED: &[(&str, Language)] = &[
    ("py", Language::Python),
    ("pyi", Language::Python),
    ("js", Language::JavaScript),
    ("mjs", Language::JavaScript),
    ("cjs", Language::JavaScript),
    ("jsx", Language::JavaScript),
    ("ts", Language::TypeScript),
    ("mts", Language::TypeScript),
    ("cts", Language::TypeScript),
    ("tsx", Language::TypeScript),
    ("php", Language::Php),
    ("rb", Language::Ruby),
    ("rake", Language::Ruby),
    ("go", Language::Go),
    ("java", Language::Java),
    ("kt", Language::Kotlin),
    ("kts", Language::Kotlin),
    ("cs", Language::CSharp),
    ("yaml", Language::Manifest),
    ("yml", Language::Manifest),
    ("json", Language::Manifest),
];

/// Code in languages the scanner does not parse: a Klaviyo URL in one of
/// these is reported with its line, as a call Scopelink could not read.
const NOT_SCANNED: &[(&str, &str)] = &[
    ("scala", "Scala"),
    ("sc", "Scala"),
    ("ex", "Elixir"),
    ("exs", "Elixir"),
    ("swift", "Swift"),
    ("dart", "Dart"),
    ("rs", "Rust"),
    ("c", "C"),
    ("h", "C"),
    ("cc", "C++"),
    ("cpp", "C++"),
    ("hpp", "C++"),
    ("m", "Objective-C"),
    ("mm", "Objective-C"),
    ("groovy", "Groovy"),
    ("clj", "Clojure"),
    ("erl", "Erlang"),
    ("hs", "Haskell"),
    ("fs", "F#"),
    ("vb", "Visual Basic"),
    ("lua", "Lua"),
    ("pl", "Perl"),
    ("pm", "Perl"),
    ("r", "R"),
    ("jl", "Julia"),
    ("cr", "Crystal"),
    ("sh", "shell"),
    ("bash", "shell"),
    ("zsh", "shell"),
    ("ps1", "PowerShell"),
    ("cls", "Apex"),
    ("trigger", "Apex"),
    ("vue", "Vue"),
    ("svelte", "Svelte"),
    ("astro", "Astro"),
    ("html", "HTML"),
    ("htm", "HTML"),
    ("liquid", "Liquid"),
    ("erb", "ERB"),
    ("twig", "Twig"),
    ("isml", "ISML"),
];

fn extension(path: &str) -> Option<String> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    Some(name.rsplit_once('.')?.1.to_ascii_lowercase())
}

impl Language {
    /// Every language parsed, in the order reports list them.
    pub const ALL: [Language; 10] = [
        Language::Python,
        Language::JavaScript,
        Language::TypeScript,
        Language::Php,
        Language::Ruby,
        Language::Go,
        Language::Java,
        Language::Kotlin,
        Language::CSharp,
        Language::Manifest,
    ];

    /// The extensions of the files scanned, as `.py`.
    pub fn extensions() -> impl Iterator<Item = String> {
        SCANNED.iter().map(|(extension, _)| format!(".{extension}"))
    }

    /// The language of a file, by its extension; `None` for files not scanned.
    pub fn of_path(path: &str) -> Option<Language> {
        let extension = extension(path)?;
        SCANNED
            .iter()
            .find(|(known, _)| *known == extension)
            .map(|(_, language)| *language)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::JavaScript => "javascript",
            Language::TypeScript => "typescript",
            Language::Php => "php",
            Language::Ruby => "ruby",
            Language::Go => "go",
            Language::Java => "java",
            Language::Kotlin => "kotlin",
            Language::CSharp => "csharp",
            Language::Manifest => "manifest",
        }
    }
}

/// The name of a code language Scopelink does not parse, for a file of it.
pub fn unscanned_language(path: &str) -> Option<&'static str> {
    let extension = extension(path)?;
    NOT_SCANNED
        .iter()
        .find(|(known, _)| *known == extension)
        .map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_by_extension() {
        assert_eq!(Language::of_path("a/b/c.py"), Some(Language::Python));
        assert_eq!(Language::of_path("x.TSX"), Some(Language::TypeScript));
        assert_eq!(Language::of_path("svc/Client.cs"), Some(Language::CSharp));
        assert_eq!(Language::of_path("a/b.kts"), Some(Language::Kotlin));
        assert_eq!(Language::of_path("main.go"), Some(Language::Go));
        assert_eq!(Language::of_path("A.java"), Some(Language::Java));
        assert_eq!(
            Language::of_path("conn/manifest.yaml"),
            Some(Language::Manifest)
        );
        assert_eq!(Language::of_path("Makefile"), None);
        assert_eq!(Language::of_path("README.md"), None);
        assert_eq!(unscanned_language("lib/klaviyo.ex"), Some("Elixir"));
        assert_eq!(unscanned_language("README.md"), None);
        assert_eq!(unscanned_language("a.py"), None);
        for language in Language::ALL {
            assert_eq!(
                serde_json::to_value(language).unwrap(),
                language.as_str(),
                "JSON writes a language as `as_str` does"
            );
            assert!(SCANNED.iter().any(|(_, l)| *l == language));
        }
        for extension in Language::extensions() {
            assert!(
                Language::of_path(&format!("a{extension}")).is_some(),
                "{extension}"
            );
        }
        for (extension, _) in NOT_SCANNED {
            assert!(Language::of_path(&format!("a.{extension}")).is_none());
        }
    }
}
