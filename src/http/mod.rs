//! The HTTP service: the JSON API, the `/go` redirect, catalog browsing, API
//! docs and operations endpoints, over the same core as the CLI.
//!
//! [`Application::build`] binds the listener and returns before serving, so
//! `main` and the tests start the server the same way (port 0 in tests).
//!
//! The API routes are listed once, in [`api_routes`]: the server registers
//! them and `utoipa-actix-web` collects the OpenAPI document from the same
//! list, so a route cannot be served undocumented or documented unserved.

mod answer_cache;
mod audit;
mod browse;
pub mod error;
pub mod extract;
mod health;
mod link_answer;
mod link_request;
mod links;
mod mcp;
mod metrics;
mod middleware;
mod oauth;
pub mod openapi;
mod page;
mod rate_limit;
mod request_log;
mod respond;
mod source;
mod traffic;

use std::net::TcpListener;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::dev::{ResourceDef, Server};
use actix_web::http::header;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use utoipa_actix_web::AppExt;

use crate::catalog::{CatalogSet, Selected};
use crate::config::{Limits, ServeConfig};
use crate::link::LinkBase;
use crate::resolve::ExactInputs;
use answer_cache::AnswerCache;
use browse::{CatalogResponse, ScopesResponse};
use error::ApiError;
use metrics::Metrics;
use rate_limit::RateLimiter;
use request_log::REQUEST_ID;

/// What every request handler shares; built once, read-only but for counters.
#[derive(Debug)]
pub struct AppState {
    pub catalogs: CatalogSet,
    /// The resolver's memo of exact texts for each catalog (in `catalogs`
    /// order), made at start-up: the usual inputs cost one hash lookup.
    exact_inputs: Vec<ExactInputs>,
    pub link_base: LinkBase,
    /// Klaviyo's OAuth authorize page.
    pub oauth_authorize_url: LinkBase,
    pub limits: Limits,
    pub metrics: Metrics,
    pub rate_limiter: RateLimiter,
    pub answers: AnswerCache,
    pub request_timeout: Duration,
    /// Whether probes and scrapes that succeed get a `request` log line.
    pub log_probes: bool,
    /// `GET /v1/catalog`, computed at start-up.
    catalog: CatalogResponse,
    /// `GET /v1/scopes` of each catalog (in `catalogs` order), computed at start-up.
    scopes: Vec<ScopesResponse>,
    /// `GET /openapi.json`, rendered at start-up.
    openapi: String,
    /// Each API path and the methods it has, for 405 answers.
    routes: Vec<(ResourceDef, String)>,
}

impl AppState {
    /// The catalog a request's `revision` names; `None` means the newest stable.
    /// The API takes a revision exactly as `/openapi.json` lists it (no blank
    /// or padded value), so that every schema-valid request is answered.
    pub fn catalog_for(&self, revision: Option<&str>) -> Result<Selected<'_>, ApiError> {
        if let Some(given) = revision {
            let available = self.catalogs.revisions();
            if !available.iter().any(|r| r == given) {
                return Err(crate::catalog::UnknownRevision {
                    given: crate::secret::redact(given).into_owned(),
                    available,
                }
                .into());
            }
        }
        Ok(self.catalogs.select(revision)?)
    }

    /// The precomputed scope list of a selected catalog.
    fn scopes_of(&self, selected: &Selected<'_>) -> &ScopesResponse {
        &self.scopes[self.position_of(selected)]
    }

    /// The resolver's memo of exact texts for a selected catalog.
    pub fn exact_inputs_of(&self, selected: &Selected<'_>) -> &ExactInputs {
        &self.exact_inputs[self.position_of(selected)]
    }

    /// Where a selected catalog is in `catalogs`.
    fn position_of(&self, selected: &Selected<'_>) -> usize {
        self.catalogs
            .catalogs()
            .iter()
            .position(|c| std::ptr::eq(c, selected.catalog))
            .expect("a selected catalog is one of the set")
    }
}

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds `config.bind` and prepares the server.
    pub fn build(
        config: &ServeConfig,
        catalogs: CatalogSet,
        link_base: LinkBase,
    ) -> std::io::Result<Application> {
        let listener = TcpListener::bind(&config.bind)?;
        let port = listener.local_addr()?.port();
        let state = web::Data::new(AppState {
            scopes: catalogs.catalogs().iter().map(ScopesResponse::of).collect(),
            exact_inputs: catalogs.catalogs().iter().map(ExactInputs::of).collect(),
            catalog: CatalogResponse::of(&catalogs),
            openapi: openapi::document_json_for(&catalogs),
            routes: allowed_methods(),
            catalogs,
            link_base,
            oauth_authorize_url: config.oauth_authorize_url.clone(),
            limits: config.limits.clone(),
            metrics: Metrics::default(),
            rate_limiter: RateLimiter::new(config.rate_limit_per_minute),
            answers: AnswerCache::new(config.answer_cache_bytes),
            request_timeout: config.request_timeout(),
            log_probes: config.log_probes,
        });
        let mcp = mcp::McpEndpoint::new(state.clone().into_inner(), &config.mcp);
        let cors_origins = config.cors_origins.clone();
        let body_limit = config.limits.max_body_bytes;
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(mcp.clone())
                .app_data(
                    web::JsonConfig::default()
                        .limit(body_limit)
                        .error_handler(move |error, _| error::json_error(error, body_limit).into()),
                )
                .app_data(web::PayloadConfig::default().limit(body_limit))
                .wrap(cors(&cors_origins))
                .wrap(middleware::Observe)
                .into_utoipa_app()
                .configure(api_routes)
                .into_app()
                .configure(other_routes)
        })
        .listen(listener)?
        .client_request_timeout(config.request_timeout())
        .shutdown_timeout(config.shutdown_timeout_secs);
        if let Some(workers) = config.workers {
            server = server.workers(workers.max(1));
        }
        Ok(Application {
            port,
            server: server.run(),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT or SIGTERM, then lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

const MCP_SESSION_ID: header::HeaderName = header::HeaderName::from_static("mcp-session-id");

/// The JSON API answers any origin without credentials, or only the allow-list.
fn cors(origins: &[String]) -> Cors {
    let cors = if origins.is_empty() || origins.iter().any(|o| o == "*") {
        Cors::default().allow_any_origin().send_wildcard()
    } else {
        origins
            .iter()
            .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
    };
    cors.allowed_methods(["GET", "POST"])
        .allowed_headers([
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::IF_NONE_MATCH,
            REQUEST_ID,
            MCP_SESSION_ID,
            header::HeaderName::from_static("mcp-protocol-version"),
            header::HeaderName::from_static("last-event-id"),
        ])
        .expose_headers([REQUEST_ID, header::ETAG, header::LOCATION, MCP_SESSION_ID])
        .max_age(3600)
}

/// Every API route, listed once: registered by the server, and the source
/// of the OpenAPI document's paths (see [`openapi`]).
pub fn api_routes(config: &mut utoipa_actix_web::service_config::ServiceConfig<'_>) {
    // The router tries routes in this order, and a route with a parameter
    // costs a regex run to pass: the busiest static routes go first, the one
    // with a parameter last. (The document's paths are sorted either way.)
    config
        .service(links::create_link)
        .service(health::health_check)
        .service(links::redirect_to_link)
        .service(links::get_link)
        .service(health::readiness_check)
        .service(health::get_metrics)
        .service(traffic::create_link_from_har)
        .service(source::create_link_from_source)
        .service(audit::audit_link)
        .service(oauth::create_authorize_url)
        .service(browse::get_catalog)
        .service(browse::list_operations)
        .service(browse::list_scopes)
        .service(browse::get_operation);
}

/// One API route: a method and a path template, as in the OpenAPI document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRoute {
    /// Uppercase, e.g. `GET`.
    pub method: String,
    /// e.g. `/v1/operations/{operation_id}`.
    pub path: String,
}

/// The route table: every API route [`api_routes`] registers.
pub fn route_table() -> Vec<ApiRoute> {
    openapi::collected()
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            methods_of(item).into_iter().map(|method| ApiRoute {
                method: method.to_owned(),
                path: path.clone(),
            })
        })
        .collect()
}

/// The methods of a path item, in a fixed order.
fn methods_of(item: &utoipa::openapi::PathItem) -> Vec<&'static str> {
    [
        ("GET", &item.get),
        ("POST", &item.post),
        ("PUT", &item.put),
        ("PATCH", &item.patch),
        ("DELETE", &item.delete),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.as_ref().map(|_| method))
    .collect()
}

/// Each API path with its `Allow` value (`GET, POST`).
fn allowed_methods() -> Vec<(ResourceDef, String)> {
    openapi::collected()
        .paths
        .paths
        .iter()
        .map(|(path, item)| (ResourceDef::new(path.as_str()), methods_of(item).join(", ")))
        .collect()
}

/// What is not an API route: the docs UI, the page, and 404 or 405 for the rest.
fn other_routes(config: &mut web::ServiceConfig) {
    config
        .service(
            web::resource("/openapi.json")
                .route(web::get().to(openapi_json))
                .default_service(
                    web::route().to(|request: HttpRequest| async move {
                        method_not_allowed(&request, "GET")
                    }),
                ),
        )
        .route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header((header::LOCATION, "/docs/"))
                    .finish()
            }),
        )
        .service(
            utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}")
                .config(utoipa_swagger_ui::Config::from("/openapi.json")),
        )
        .configure(mcp::configure)
        .configure(page::configure)
        .default_service(web::route().to(unrouted));
}

fn method_not_allowed(request: &HttpRequest, allowed: &str) -> ApiError {
    ApiError::MethodNotAllowed {
        method: request.method().to_string(),
        allowed: allowed.to_owned(),
    }
}

/// No route took the request: 405 with `Allow` if an API path matches, else 404.
async fn unrouted(request: HttpRequest, state: web::Data<AppState>) -> ApiError {
    match state
        .routes
        .iter()
        .find(|(path, _)| path.is_match(request.path()))
    {
        Some((_, allowed)) => method_not_allowed(&request, allowed),
        None => ApiError::NotFound(format!(
            "{} {}",
            request.method(),
            crate::secret::redact(request.path())
        )),
    }
}

impl actix_web::Responder for ApiError {
    type Body = actix_web::body::BoxBody;
    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        actix_web::ResponseError::error_response(&self)
    }
}

async fn openapi_json(request: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    respond::cached_body(
        &request,
        "application/json",
        state.openapi.clone().into_bytes(),
    )
}
