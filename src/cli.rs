//! The command line: `link`, `scopes`, `operations` and `catalog import`
//! print what the library resolves; flags have `SCOPELINK_*` env twins.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::catalog::{
    import_specs, Catalog, CatalogError, CatalogSet, CatalogTable, OperationFilter, Selected,
    SpecFile,
};
use crate::config::ServeConfig;
use crate::link::{LinkBase, LinkReport, KLAVIYO_CREATE_KEY_PAGE};
use crate::resolve::{InputItem, ItemError, Reason, ResolveOptions, Suggestion};

/// Least-privilege Klaviyo private API key links from the operations an integration calls.
#[derive(Debug, Parser)]
#[command(name = "scopelink", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub catalog: CatalogArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API, the page and the redirect (the default command).
    Serve(ServeConfig),
    /// Print the create-key link for the operations (exit 2 if any input fails).
    Link(LinkArgs),
    /// Print each needed scope with what needs it.
    Scopes(LinkArgs),
    /// List the operations in the catalog.
    Operations(OperationsArgs),
    /// Work with the derived catalog table.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Print a Klaviyo OAuth authorize URL with the least scopes for the operations.
    OauthUrl(OauthUrlArgs),
    /// Audit a create-key link or scope list: renamed, beta-only and unknown
    /// scopes, what they allow, and with --op what is missing or excess (exit 0
    /// when clean, 2 when something should be fixed, 1 on bad input).
    Audit(AuditArgs),
    /// Find the Klaviyo API calls in source code and print the link they need;
    /// with --check or --check-docs, exit 1 when a link lacks a needed scope.
    Scan(crate::cli_scan::ScanArgs),
    /// Print this service's OpenAPI document.
    Openapi,
    /// Exit 0 if the server at --url answers /healthz with 200 (for container health checks).
    Healthcheck(HealthcheckArgs),
    /// Serve the MCP tools over stdio, for coding assistants (`scopelink serve` has them at /mcp).
    Mcp(crate::cli_mcp::McpArgs),
}

#[derive(Debug, Args)]
pub struct OauthUrlArgs {
    /// Your OAuth app's client id.
    #[arg(long)]
    pub client_id: String,
    /// Where Klaviyo sends the user back (https; http only for localhost).
    #[arg(long)]
    pub redirect_uri: String,
    /// An unguessable value your app checks on the way back.
    #[arg(long)]
    pub state: String,
    /// base64url(SHA-256(code_verifier)), unpadded; keep the verifier to yourself.
    #[arg(long)]
    pub code_challenge: String,
    /// Klaviyo's OAuth authorize page (https on klaviyo.com).
    #[arg(long, env = "SCOPELINK_OAUTH_AUTHORIZE_URL", default_value = crate::oauth::KLAVIYO_AUTHORIZE_URL, value_parser = LinkBase::parse)]
    pub authorize_url: LinkBase,
    #[command(flatten)]
    pub link: LinkArgs,
}

#[derive(Debug, Args)]
pub struct HealthcheckArgs {
    /// The health URL; by default /healthz on the port of SCOPELINK_BIND, on 127.0.0.1.
    #[arg(long)]
    pub url: Option<String>,
    #[arg(
        long,
        env = "SCOPELINK_BIND",
        default_value = "127.0.0.1:8080",
        hide = true
    )]
    pub bind: String,
}

#[derive(Debug, Args)]
pub struct LinkArgs {
    /// Exactly the scopes the spec lists: no `x:read` added for each `x:write`.
    #[arg(long)]
    pub minimal: bool,
    /// Print the whole result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Operations in any accepted form; `-` reads them one per line from stdin.
    #[arg(value_name = "OP", required_unless_present = "har")]
    pub operations: Vec<String>,
    /// Read the calls an integration made from a HAR file or a request log
    /// (one `METHOD URL` a line) instead; `-` reads stdin.
    #[arg(long, value_name = "FILE", conflicts_with = "operations")]
    pub har: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct OperationsArgs {
    /// Only operations whose name, alias, path, tag or summary contains this text.
    #[arg(long)]
    pub search: Option<String>,
    /// Only operations that need this scope (themselves or through an include).
    #[arg(long)]
    pub scope: Option<String>,
    /// Only operations with this tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Derive the catalog table from Klaviyo OpenAPI files.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The stable (GA) spec.
    #[arg(long)]
    pub stable: PathBuf,
    /// The beta (`.pre`) spec.
    #[arg(long)]
    pub beta: Option<PathBuf>,
    /// Where to write the table.
    #[arg(long)]
    pub out: PathBuf,
    /// Do not write: exit 1 if the table at --out differs from the derived one.
    #[arg(long)]
    pub check: bool,
}

/// Parses the command line and runs it.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Link(args)) => with_catalog(&cli.catalog, |catalog| {
            link(catalog, &cli.catalog.link_base, &args)
        }),
        Some(Command::Scopes(args)) => with_catalog(&cli.catalog, |catalog| {
            scopes(catalog, &cli.catalog.link_base, &args)
        }),
        Some(Command::Operations(args)) => {
            with_catalog(&cli.catalog, |catalog| operations(catalog, &args))
        }
        Some(Command::Catalog(CatalogCommand::Import(args))) => import(&args),
        Some(Command::Serve(config)) => serve(&cli.catalog, &config),
        Some(Command::OauthUrl(args)) => with_catalog(&cli.catalog, |selected| {
            oauth_url(selected, &cli.catalog.link_base, &args)
        }),
        Some(Command::Audit(args)) => with_catalog(&cli.catalog, |selected| {
            audit_link(selected, &cli.catalog.link_base, &args)
        }),
        Some(Command::Scan(args)) => crate::cli_scan::run(&cli.catalog, &args),
        Some(Command::Openapi) => {
            print!("{}", crate::http::openapi::document_json());
            ExitCode::SUCCESS
        }
        Some(Command::Healthcheck(args)) => {
            crate::healthcheck::run(args.url.as_deref(), &args.bind)
        }
        Some(Command::Mcp(args)) => crate::cli_mcp::run(&cli.catalog, &args),
        None => {
            // No command: serve, with settings from the SCOPELINK_* environment.
            let ServeOnly { config } = ServeOnly::parse_from(["scopelink"]);
            serve(&cli.catalog, &config)
        }
    }
}

/// Reads the serve settings from the environment alone.
#[derive(Debug, Parser)]
struct ServeOnly {
    #[command(flatten)]
    config: ServeConfig,
}

fn serve(catalog_args: &CatalogArgs, config: &ServeConfig) -> ExitCode {
    crate::telemetry::init(config.log_format);
    let catalogs = match catalog_args.load() {
        Ok(catalogs) => catalogs,
        Err(error) => {
            tracing::error!(%error, "cannot load the catalog");
            return ExitCode::FAILURE;
        }
    };
    let operations = catalogs.default_catalog().operations().len();
    let revisions = catalogs.revisions();
    let result = actix_web::rt::System::new().block_on(async {
        let application =
            crate::http::Application::build(config, catalogs, catalog_args.link_base.clone())?;
        tracing::info!(
            bind = %config.bind,
            port = application.port(),
            operations,
            revisions = %revisions.join(", "),
            "scopelink is listening"
        );
        application.run_until_stopped().await
    });
    match result {
        Ok(()) => {
            tracing::info!("scopelink stopped");
            ExitCode::SUCCESS
        }
        Err(error) => {
            tracing::error!(%error, bind = %config.bind, "the server failed");
            ExitCode::FAILURE
        }
    }
}

/// Loads the catalogs and runs a command on the one `--revision` selects.
fn with_catalog(args: &CatalogArgs, run: impl FnOnce(Selected<'_>) -> ExitCode) -> ExitCode {
    let catalogs = match args.load() {
        Ok(catalogs) => catalogs,
        Err(error) => {
            eprintln!("scopelink: {error}");
            return ExitCode::FAILURE;
        }
    };
    match catalogs.select(args.revision.as_deref()) {
        Ok(selected) => run(selected),
        Err(error) => {
            eprintln!("scopelink: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The inputs from the arguments, with `-` replaced by the lines of stdin.
fn read_inputs(arguments: &[String]) -> Vec<InputItem> {
    let mut items = Vec::new();
    for argument in arguments {
        if argument == "-" {
            for line in std::io::stdin().lock().lines().map_while(Result::ok) {
                let line = line.trim();
                if !line.is_empty() && !line.starts_with('#') {
                    items.push(InputItem::Text(line.to_owned()));
                }
            }
        } else {
            items.push(InputItem::Text(argument.clone()));
        }
    }
    items
}

/// Builds the report, or prints one line per failed input and returns exit code 2.
fn report(
    selected: Selected<'_>,
    base: &LinkBase,
    args: &LinkArgs,
) -> Result<LinkReport, ExitCode> {
    if let Some(path) = &args.har {
        return har_report(selected, base, path, args.minimal).map(|traffic| {
            print_traffic_summary(&traffic);
            traffic.link
        });
    }
    let items = read_inputs(&args.operations);
    let options = ResolveOptions {
        minimal: args.minimal,
        prefer_beta: selected.prefer_beta,
        ..ResolveOptions::default()
    };
    let report = LinkReport::build(selected.catalog, base, &items, options);
    if report.is_complete() {
        return Ok(report);
    }
    let mut stderr = std::io::stderr().lock();
    for error in &report.errors {
        let _ = writeln!(stderr, "{}", describe_error(error));
    }
    Err(ExitCode::from(2))
}

/// One line for a failed input: which, why, and what would work.
pub fn describe_error(error: &ItemError) -> String {
    let input = match &error.input {
        InputItem::Text(text) => text.clone(),
        structured => serde_json::to_string(structured).unwrap_or_default(),
    };
    let mut line = format!(
        "error: input {} `{input}`: {} ({})",
        error.index + 1,
        error.detail,
        error.code.as_str()
    );
    line.push_str(&did_you_mean(&error.suggestions));
    line
}

/// `; did you mean `a` or `b`?`, or nothing when there are no suggestions.
fn did_you_mean(suggestions: &[Suggestion]) -> String {
    if suggestions.is_empty() {
        return String::new();
    }
    let fixes: Vec<String> = suggestions
        .iter()
        .map(|s| match &s.replacement {
            InputItem::Text(text) => format!("`{text}`"),
            other => serde_json::to_string(other).unwrap_or_default(),
        })
        .collect();
    format!("; did you mean {}?", fixes.join(" or "))
}

fn link(selected: Selected<'_>, base: &LinkBase, args: &LinkArgs) -> ExitCode {
    if let Some(path) = args.har.as_deref().filter(|_| args.json) {
        return match har_report(selected, base, path, args.minimal) {
            Ok(traffic) => print_json(&traffic),
            Err(code) => code,
        };
    }
    match report(selected, base, args) {
        Ok(report) if args.json => print_json(&report),
        Ok(report) => {
            println!("{}", report.url);
            for warning in &report.warnings {
                eprintln!("warning: {}", warning.message);
            }
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

fn oauth_url(selected: Selected<'_>, base: &LinkBase, args: &OauthUrlArgs) -> ExitCode {
    let report = match report(selected, base, &args.link) {
        Ok(report) => report,
        Err(code) => return code,
    };
    let params = crate::oauth::AuthorizeParams {
        client_id: args.client_id.clone(),
        redirect_uri: args.redirect_uri.clone(),
        state: args.state.clone(),
        code_challenge: args.code_challenge.clone(),
    };
    match crate::oauth::authorize_url(&args.authorize_url, &params, &report.scopes) {
        Ok(url) if args.link.json => print_json(&serde_json::json!({
            "url": url,
            "scope": report.oauth_scope,
            "scopes": report.scopes,
            "explanations": report.explanations,
        })),
        Ok(url) => {
            println!("{url}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("scopelink: {error}");
            ExitCode::FAILURE
        }
    }
}

fn scopes(selected: Selected<'_>, base: &LinkBase, args: &LinkArgs) -> ExitCode {
    let report = match report(selected, base, args) {
        Ok(report) if args.json => return print_json(&report.explanations),
        Ok(report) => report,
        Err(code) => return code,
    };
    let width = report.scopes.iter().map(String::len).max().unwrap_or(0);
    for explanation in &report.explanations {
        let reasons: Vec<String> = explanation
            .needed_by
            .iter()
            .map(|need| {
                let why = match &need.reason {
                    Reason::Operation => "the operation".to_owned(),
                    Reason::Include { value, .. } => format!("include={value}"),
                    Reason::WriteImpliesRead { write_scope } => {
                        format!("read paired with {write_scope}")
                    }
                };
                format!("#{} {} ({why})", need.index + 1, need.operation_id)
            })
            .collect();
        println!("{:width$}  {}", explanation.scope, reasons.join("; "));
    }
    for warning in &report.warnings {
        eprintln!("warning: {}", warning.message);
    }
    ExitCode::SUCCESS
}

fn operations(selected: Selected<'_>, args: &OperationsArgs) -> ExitCode {
    let catalog = selected.catalog;
    let filter = OperationFilter {
        text: args.search.clone(),
        scope: args.scope.clone(),
        tag: args.tag.clone(),
        beta: None,
    };
    let found: Vec<_> = catalog.filter(&filter).collect();
    if args.json {
        return print_json(&found);
    }
    let path_width = found.iter().map(|op| op.path.len()).max().unwrap_or(0);
    let id_width = found
        .iter()
        .map(|op| op.operation_id.len())
        .max()
        .unwrap_or(0);
    let mut stdout = std::io::stdout().lock();
    for op in &found {
        let mut flags = String::new();
        if let Some(revision) = &op.beta_revision {
            flags.push_str(&format!("  [beta {revision}]"));
        }
        if op.client {
            flags.push_str("  [client: public key]");
        }
        let _ = writeln!(
            stdout,
            "{:<6} {:<path_width$}  {:<id_width$}  {}{flags}",
            op.method,
            op.path,
            op.operation_id,
            op.scopes.join(",")
        );
    }
    if found.is_empty() {
        eprintln!("no operation matches");
    }
    ExitCode::SUCCESS
}

fn import(args: &ImportArgs) -> ExitCode {
    let table = match read_specs(args) {
        Ok(table) => table,
        Err(error) => {
            eprintln!("scopelink: {error}");
            return ExitCode::FAILURE;
        }
    };
    let text = table.to_json();
    if args.check {
        let current = std::fs::read_to_string(&args.out).unwrap_or_default();
        if current == text {
            println!("{} is up to date", args.out.display());
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "{} differs from the table derived from the specs; run without --check to rewrite it",
            args.out.display()
        );
        return ExitCode::FAILURE;
    }
    if let Err(error) = std::fs::write(&args.out, text) {
        eprintln!("scopelink: cannot write {}: {error}", args.out.display());
        return ExitCode::FAILURE;
    }
    let includes: usize = table.operations.iter().map(|op| op.includes.len()).sum();
    println!(
        "wrote {}: {} operations, {} include values, from {}",
        args.out.display(),
        table.operations.len(),
        includes,
        table
            .sources
            .iter()
            .map(|s| format!("{} ({})", s.file, s.revision))
            .collect::<Vec<_>>()
            .join(" and ")
    );
    ExitCode::SUCCESS
}

fn read_specs(args: &ImportArgs) -> Result<CatalogTable, crate::catalog::CatalogError> {
    let mut specs = vec![SpecFile::read(&args.stable)?];
    if let Some(beta) = &args.beta {
        specs.push(SpecFile::read(beta)?);
    }
    let table = import_specs(&specs)?;
    Catalog::from_table(table.clone(), crate::catalog::CatalogOrigin::Table)?;
    Ok(table)
}

fn print_json(value: &impl serde::Serialize) -> ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("scopelink: {error}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// An operation the key is meant for, in any accepted form; repeatable
    /// (`-` reads them one per line from stdin).
    #[arg(long = "op", value_name = "OP")]
    pub operations: Vec<String>,
    /// Compare with exactly the scopes the spec lists (no `x:read` for each `x:write`).
    #[arg(long)]
    pub minimal: bool,
    /// Print the whole report as JSON.
    #[arg(long)]
    pub json: bool,
    /// A create-key link, or scopes (comma- or space-separated, or one per argument).
    #[arg(value_name = "LINK_OR_SCOPES", required = true)]
    pub given: Vec<String>,
}

/// `scopelink audit`: the report from [`crate::audit::audit`], printed.
fn audit_link(selected: Selected<'_>, base: &LinkBase, args: &AuditArgs) -> ExitCode {
    use crate::audit::{audit, AuditOptions, AuditSource};
    let options = AuditOptions {
        minimal: args.minimal,
        prefer_beta: selected.prefer_beta,
        ..AuditOptions::default()
    };
    let operations = read_inputs(&args.operations);
    let report = match AuditSource::from_args(&args.given)
        .and_then(|source| audit(selected.catalog, base, &source, &operations, options))
    {
        Ok(report) => report,
        Err(error) => {
            eprintln!("scopelink: {error} ({})", error.code());
            return ExitCode::FAILURE;
        }
    };
    let errors = report
        .intended
        .as_ref()
        .map_or(&[][..], |check| &check.errors[..]);
    for error in errors {
        eprintln!("{}", describe_error(error));
    }
    if args.json {
        if print_json(&report) != ExitCode::SUCCESS {
            return ExitCode::FAILURE;
        }
    } else {
        print_audit(&report);
    }
    if !errors.is_empty() {
        ExitCode::FAILURE
    } else if report.clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

fn print_audit(report: &crate::audit::AuditReport) {
    let mut out = std::io::stdout().lock();
    let width = report
        .findings
        .iter()
        .map(|f| f.status.as_str().len())
        .max()
        .unwrap_or(0);
    for finding in &report.findings {
        let _ = writeln!(
            out,
            "{:width$}  {}",
            finding.status.as_str(),
            finding.message
        );
    }
    let beta = report
        .allowed_operations
        .iter()
        .filter(|op| op.beta)
        .count();
    let _ = writeln!(
        out,
        "allows {} private-key operations ({beta} of them beta)",
        report.allowed_operation_count
    );
    match &report.intended {
        None => {
            let _ = writeln!(out, "current names: {}", report.normalized_url);
        }
        Some(check) => {
            for explanation in &check.explanations {
                let by: Vec<String> = explanation
                    .needed_by
                    .iter()
                    .map(|need| format!("#{} {}", need.index + 1, need.operation_id))
                    .collect();
                let _ = writeln!(
                    out,
                    "missing: {} (needed by {})",
                    explanation.scope,
                    by.join(", ")
                );
            }
            if !check.excess.is_empty() {
                let _ = writeln!(out, "excess: {}", check.excess.join(", "));
            }
            let _ = writeln!(out, "corrected link: {}", check.corrected_url);
        }
    }
    let _ = writeln!(
        out,
        "{}",
        if report.clean {
            "clean: nothing to fix"
        } else {
            "not clean: fix the lines above"
        }
    );
}

/// `link --har FILE`: the calls in a HAR file or request log (`-`: stdin),
/// or one stderr line per unrecognised Klaviyo call and exit code 2.
fn har_report(
    selected: Selected<'_>,
    base: &LinkBase,
    path: &std::path::Path,
    minimal: bool,
) -> Result<crate::traffic::TrafficReport, ExitCode> {
    use crate::traffic::{read_calls, TrafficOptions};
    let options = TrafficOptions {
        resolve: ResolveOptions {
            minimal,
            prefer_beta: selected.prefer_beta,
            ..ResolveOptions::default()
        },
        // A local file: the distinct operations are bounded by the catalog.
        max_operations: usize::MAX,
        ..TrafficOptions::default()
    };
    let reader: Box<dyn std::io::Read> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(path) {
            Ok(file) => Box::new(file),
            Err(error) => {
                eprintln!("scopelink: cannot read {}: {error}", path.display());
                return Err(ExitCode::FAILURE);
            }
        }
    };
    let traffic = match read_calls(reader, selected.catalog, &options) {
        Ok(traffic) => traffic.into_report(selected.catalog, base),
        Err(error) => {
            eprintln!("scopelink: {}: {error}", path.display());
            return Err(ExitCode::FAILURE);
        }
    };
    if traffic.is_complete() {
        return Ok(traffic);
    }
    let mut stderr = std::io::stderr().lock();
    for call in &traffic.unrecognized {
        let mut line = format!(
            "error: {} {} ({} call{}): {} ({})",
            call.method,
            call.url,
            call.calls,
            if call.calls == 1 { "" } else { "s" },
            call.detail,
            call.code.as_str()
        );
        line.push_str(&did_you_mean(&call.suggestions));
        let _ = writeln!(stderr, "{line}");
    }
    if traffic.unrecognized_more > 0 {
        let _ = writeln!(
            stderr,
            "error: {} more unrecognised Klaviyo calls are not listed",
            traffic.unrecognized_more
        );
    }
    for error in &traffic.link.errors {
        let _ = writeln!(stderr, "{}", describe_error(error));
    }
    Err(ExitCode::from(2))
}

/// What `link --har` read and ignored, on stderr.
fn print_traffic_summary(traffic: &crate::traffic::TrafficReport) {
    let c = &traffic.calls;
    let mut stderr = std::io::stderr().lock();
    let mut parts = vec![format!(
        "{} to Klaviyo's API ({} distinct operations)",
        c.klaviyo,
        traffic.operations.len()
    )];
    for (count, what) in [
        (c.other_hosts, "to other hosts"),
        (c.preflight, "OPTIONS preflights"),
        (c.oauth, "OAuth calls"),
        (c.unreadable, "unreadable"),
    ] {
        if count > 0 {
            parts.push(format!("{count} {what}"));
        }
    }
    let _ = writeln!(stderr, "read {} calls: {}", c.total, parts.join(", "));
    if !traffic.other_hosts.is_empty() {
        let mut hosts: Vec<String> = traffic
            .other_hosts
            .iter()
            .map(|h| format!("{} ({})", h.host, h.calls))
            .collect();
        if traffic.other_hosts_more > 0 {
            hosts.push(format!("{} more calls", traffic.other_hosts_more));
        }
        let _ = writeln!(stderr, "ignored other hosts: {}", hosts.join(", "));
    }
    for unreadable in &traffic.unreadable {
        let place = match (unreadable.line, unreadable.entry) {
            (Some(line), _) => format!("line {line}"),
            (_, Some(entry)) => format!("entry {entry}"),
            _ => "input".to_owned(),
        };
        let _ = writeln!(stderr, "unreadable: {place}: {}", unreadable.reason);
    }
}
