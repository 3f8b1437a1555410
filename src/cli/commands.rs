//! What each command does: load the catalog, call the one core function the
//! HTTP API calls too, and hand the answer to [`super::print`].

use std::io::{BufRead, Write};
use std::process::ExitCode;

use super::args::{
    AuditArgs, ImportArgs, ImportRetiredArgs, LinkArgs, OauthUrlArgs, OperationsArgs,
};
use super::catalog_args::CatalogArgs;
use super::print;
use crate::catalog::{import_specs, Catalog, CatalogTable, OperationFilter, Selected, SpecFile};
use crate::config::ServeConfig;
use crate::link::{LinkBase, LinkReport};
use crate::resolve::{InputItem, ResolveOptions};

pub(super) fn serve(catalog_args: &CatalogArgs, config: &ServeConfig) -> ExitCode {
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
pub(super) fn with_catalog(
    args: &CatalogArgs,
    run: impl FnOnce(Selected<'_>) -> ExitCode,
) -> ExitCode {
    crate::telemetry::init_cli();
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
pub(super) fn read_inputs(arguments: &[String]) -> Vec<InputItem> {
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
pub(super) fn report(
    selected: Selected<'_>,
    base: &LinkBase,
    args: &LinkArgs,
) -> Result<LinkReport, ExitCode> {
    if let Some(path) = &args.har {
        return har_report(selected, base, path, args.minimal).map(|traffic| {
            print::traffic_summary(&traffic);
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
        let _ = writeln!(stderr, "{}", print::describe_error(error));
    }
    Err(ExitCode::from(2))
}

pub(super) fn link(selected: Selected<'_>, base: &LinkBase, args: &LinkArgs) -> ExitCode {
    if let Some(path) = args.har.as_deref().filter(|_| args.json) {
        return match har_report(selected, base, path, args.minimal) {
            Ok(traffic) => print::json(&traffic),
            Err(code) => code,
        };
    }
    match report(selected, base, args) {
        Ok(report) if args.json => print::json(&report),
        Ok(report) => {
            println!("{}", report.url);
            print::warnings(&report.warnings);
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

pub(super) fn oauth_url(selected: Selected<'_>, base: &LinkBase, args: &OauthUrlArgs) -> ExitCode {
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
        Ok(url) if args.link.json => print::json(&serde_json::json!({
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

pub(super) fn scopes(selected: Selected<'_>, base: &LinkBase, args: &LinkArgs) -> ExitCode {
    match report(selected, base, args) {
        Ok(report) if args.json => print::json(&report.explanations),
        Ok(report) => {
            print::explanations(&report);
            print::warnings(&report.warnings);
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

pub(super) fn operations(selected: Selected<'_>, args: &OperationsArgs) -> ExitCode {
    let catalog = selected.catalog;
    let filter = OperationFilter {
        text: args.search.clone(),
        scope: args.scope.clone(),
        tag: args.tag.clone(),
        beta: None,
    };
    let found: Vec<_> = catalog.filter(&filter).collect();
    if args.json {
        return print::json(&found);
    }
    print::operations(&found);
    if found.is_empty() {
        eprintln!("no operation matches");
    }
    ExitCode::SUCCESS
}

pub(super) fn import(args: &ImportArgs) -> ExitCode {
    crate::telemetry::init_cli();
    let table = match read_specs(args) {
        Ok(table) => table,
        Err(error) => {
            eprintln!("scopelink: {error}");
            return ExitCode::FAILURE;
        }
    };
    let includes: usize = table.operations.iter().map(|op| op.includes.len()).sum();
    let summary = format!(
        "{} operations, {} include values, from {}",
        table.operations.len(),
        includes,
        table
            .sources
            .iter()
            .map(|s| format!("{} ({})", s.file, s.revision))
            .collect::<Vec<_>>()
            .join(" and ")
    );
    write_or_check(&args.out, &table.to_json(), args.check, &summary)
}

/// `scopelink catalog import-retired`: the retired-endpoint table from the legacy mapping.
pub(super) fn import_retired(args: &ImportRetiredArgs) -> ExitCode {
    let text = match std::fs::read_to_string(&args.from) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("scopelink: cannot read {}: {error}", args.from.display());
            return ExitCode::FAILURE;
        }
    };
    let table = match crate::retired::import_legacy(&text) {
        Ok(table) => table,
        Err(error) => {
            eprintln!("scopelink: {}: {error}", args.from.display());
            return ExitCode::FAILURE;
        }
    };
    let methods: usize = table.sdks.iter().map(|sdk| sdk.methods.len()).sum();
    let summary = format!(
        "{} retired endpoints, {} methods of {} old SDKs",
        table.endpoints.len(),
        methods,
        table.sdks.len()
    );
    write_or_check(&args.out, &table.to_json(), args.check, &summary)
}

/// Writes a derived table, or with `check` exits 1 when the file differs from it.
fn write_or_check(out: &std::path::Path, text: &str, check: bool, summary: &str) -> ExitCode {
    if check {
        let current = std::fs::read_to_string(out).unwrap_or_default();
        if current == text {
            println!("{} is up to date", out.display());
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "{} differs from the table derived from the source; run without --check to rewrite it",
            out.display()
        );
        return ExitCode::FAILURE;
    }
    if let Err(error) = std::fs::write(out, text) {
        eprintln!("scopelink: cannot write {}: {error}", out.display());
        return ExitCode::FAILURE;
    }
    println!("wrote {}: {summary}", out.display());
    ExitCode::SUCCESS
}

pub(super) fn read_specs(args: &ImportArgs) -> Result<CatalogTable, crate::catalog::CatalogError> {
    let mut specs = vec![SpecFile::read(&args.stable)?];
    if let Some(beta) = &args.beta {
        specs.push(SpecFile::read(beta)?);
    }
    let table = import_specs(&specs)?;
    Catalog::from_table(table.clone(), crate::catalog::CatalogOrigin::Table)?;
    Ok(table)
}

/// `scopelink audit`: the report from [`crate::audit::audit`], printed.
pub(super) fn audit_link(selected: Selected<'_>, base: &LinkBase, args: &AuditArgs) -> ExitCode {
    use crate::audit::{audit, AuditOptions, AuditSource};
    let options = AuditOptions {
        minimal: args.minimal,
        prefer_beta: selected.prefer_beta,
        ..AuditOptions::default()
    };
    let operations = read_inputs(&args.operations);
    if let Some(docs) = &args.docs {
        return audit_docs(selected, base, docs, &operations, options, args.json);
    }
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
        eprintln!("{}", print::describe_error(error));
    }
    if args.json {
        if print::json(&report) != ExitCode::SUCCESS {
            return ExitCode::FAILURE;
        }
    } else {
        print::audit(&report);
    }
    if !errors.is_empty() {
        ExitCode::FAILURE
    } else if report.clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

/// `scopelink audit --docs FILE`: each link, scope list and key type in the
/// doc, audited; exit 0 when every one is clean, 2 when not, 1 on an error.
fn audit_docs(
    selected: Selected<'_>,
    base: &LinkBase,
    path: &std::path::Path,
    operations: &[crate::resolve::InputItem],
    options: crate::audit::AuditOptions,
    json: bool,
) -> ExitCode {
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map(|_| text)
    } else {
        std::fs::read_to_string(path)
    };
    let text = match text {
        Ok(text) => text,
        Err(error) => {
            eprintln!("scopelink: --docs: cannot read {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let report = match crate::audit::audit_docs(selected.catalog, base, &text, operations, options)
    {
        Ok(report) => report,
        Err(error) => {
            eprintln!("scopelink: {}: {error} ({})", path.display(), error.code());
            return ExitCode::FAILURE;
        }
    };
    if json {
        if print::json(&report) != ExitCode::SUCCESS {
            return ExitCode::FAILURE;
        }
    } else {
        print::docs_audit(&path.display().to_string(), &report);
    }
    if report.clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

/// `link --har FILE`: the calls in a HAR file or request log (`-`: stdin),
/// or one stderr line per unrecognised Klaviyo call and exit code 2.
pub(super) fn har_report(
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
    print::unrecognized_calls(&traffic);
    Err(ExitCode::from(2))
}
