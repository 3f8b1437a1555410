//! The HTTP service: the JSON API, the `/go` redirect, catalog browsing, API
//! docs and operations endpoints, over the same core as the CLI.
//!
//! [`Application::build`] binds the listener and returns before serving, so
//! `main` and the tests start the server the same way (port 0 in tests).

mod answer_cache;
mod audit;
mod browse;
pub mod error;
mod health;
mod links;
mod mcp;
mod metrics;
mod middleware;
mod oauth;
pub mod openapi;
mod page;
mod rate_limit;
mod traffic;

use std::hash::{Hash, Hasher};
use std::net::TcpListener;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde::Serialize;

use crate::catalog::{CatalogSet, Selected};
use crate::config::{Limits, ServeConfig};
use crate::link::LinkBase;
use answer_cache::AnswerCache;
use browse::ScopesResponse;
use error::ApiError;
use metrics::Metrics;
use middleware::REQUEST_ID;
pub use page::page_html;
use rate_limit::RateLimiter;

/// What every request handler shares; built once, read-only but for counters.
#[derive(Debug)]
pub struct AppState {
    pub catalogs: CatalogSet,
    pub link_base: LinkBase,
    /// Klaviyo's OAuth authorize page.
    pub oauth_authorize_url: LinkBase,
    pub limits: Limits,
    pub metrics: Metrics,
    pub rate_limiter: RateLimiter,
    pub answers: AnswerCache,
    pub request_timeout: Duration,
    /// `GET /v1/scopes` of each catalog (in `catalogs` order), computed at start-up.
    scopes: Vec<ScopesResponse>,
    /// `GET /openapi.json`, rendered at start-up.
    openapi: String,
}

impl AppState {
    /// The catalog a request's `revision` names; `None` means the newest stable.
    pub fn catalog_for(&self, revision: Option<&str>) -> Result<Selected<'_>, ApiError> {
        Ok(self.catalogs.select(revision)?)
    }

    /// The precomputed scope list of a selected catalog.
    fn scopes_of(&self, selected: &Selected<'_>) -> &ScopesResponse {
        let position = self
            .catalogs
            .catalogs()
            .iter()
            .position(|c| std::ptr::eq(c, selected.catalog))
            .expect("a selected catalog is one of the set");
        &self.scopes[position]
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
            openapi: openapi::document_json(),
            catalogs,
            link_base,
            oauth_authorize_url: config.oauth_authorize_url.clone(),
            limits: config.limits.clone(),
            metrics: Metrics::default(),
            rate_limiter: RateLimiter::new(config.rate_limit_per_minute),
            answers: AnswerCache::new(config.answer_cache_bytes),
            request_timeout: config.request_timeout(),
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
                .wrap(actix_web::middleware::from_fn(middleware::observe))
                .configure(routes)
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

fn routes(config: &mut web::ServiceConfig) {
    config
        .service(
            web::resource("/v1/links")
                .route(web::post().to(links::create_link))
                .route(web::get().to(links::get_link))
                .default_service(only("GET, POST")),
        )
        .service(
            web::resource("/v1/links/from-har")
                .route(web::post().to(traffic::create_link_from_har))
                .default_service(only("POST")),
        )
        .service(
            web::resource("/v1/audit")
                .route(web::post().to(audit::audit_link))
                .default_service(only("POST")),
        )
        .service(
            web::resource("/v1/oauth/authorize-url")
                .route(web::post().to(oauth::create_authorize_url))
                .default_service(only("POST")),
        )
        .service(
            web::resource("/go")
                .route(web::get().to(links::redirect_to_link))
                .default_service(only("GET")),
        )
        .service(
            web::resource("/v1/operations")
                .route(web::get().to(browse::list_operations))
                .default_service(only("GET")),
        )
        .service(
            web::resource("/v1/operations/{operation_id}")
                .route(web::get().to(browse::get_operation))
                .default_service(only("GET")),
        )
        .service(
            web::resource("/v1/scopes")
                .route(web::get().to(browse::list_scopes))
                .default_service(only("GET")),
        )
        .service(
            web::resource("/healthz")
                .route(web::get().to(health::health_check))
                .default_service(only("GET")),
        )
        .service(
            web::resource("/readyz")
                .route(web::get().to(health::readiness_check))
                .default_service(only("GET")),
        )
        .service(
            web::resource("/metrics")
                .route(web::get().to(health::get_metrics))
                .default_service(only("GET")),
        )
        .service(
            web::resource("/openapi.json")
                .route(web::get().to(openapi_json))
                .default_service(only("GET")),
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
        .default_service(web::route().to(not_found));
}

/// A resource's answer to a method it does not have.
fn only(allowed: &'static str) -> actix_web::Route {
    web::route().to(move |request: HttpRequest| async move {
        Err::<HttpResponse, _>(ApiError::MethodNotAllowed {
            method: request.method().to_string(),
            allowed: allowed.to_owned(),
        })
    })
}

async fn not_found(request: HttpRequest) -> ApiError {
    ApiError::NotFound(format!(
        "{} {}",
        request.method(),
        crate::secret::redact(request.path())
    ))
}

impl actix_web::Responder for ApiError {
    type Body = actix_web::body::BoxBody;
    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        actix_web::ResponseError::error_response(&self)
    }
}

async fn openapi_json(request: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    cached_body(
        &request,
        "application/json",
        state.openapi.clone().into_bytes(),
    )
}

/// A cacheable JSON answer: it depends only on the input and the catalog.
pub fn cached_json(request: &HttpRequest, value: &impl Serialize) -> HttpResponse {
    match serde_json::to_vec(value) {
        Ok(body) => cached_body(request, "application/json", body),
        Err(_) => actix_web::ResponseError::error_response(&ApiError::Internal),
    }
}

/// Adds a strong `ETag` from the body and `Cache-Control`; answers 304 to a matching `If-None-Match`.
fn cached_body(request: &HttpRequest, content_type: &'static str, body: Vec<u8>) -> HttpResponse {
    let etag = etag_of(&body);
    let not_modified = if_none_match(request, &etag);
    let mut response = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((
            header::ETAG,
            HeaderValue::from_str(&etag).expect("hex is a valid header"),
        ))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"));
    if not_modified {
        response.finish()
    } else {
        response.content_type(content_type).body(body)
    }
}

/// A strong entity tag: a hash of the body and its length.
pub(crate) fn etag_of(body: &[u8]) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut hasher);
    format!("\"{:016x}{:08x}\"", hasher.finish(), body.len())
}

/// Whether the request's `If-None-Match` names this tag.
pub(crate) fn if_none_match(request: &HttpRequest, etag: &str) -> bool {
    request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        })
}
