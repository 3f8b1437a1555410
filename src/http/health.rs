//! Operations endpoints: liveness, readiness and Prometheus metrics.

use actix_web::http::header::{self, ContentType};
use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    #[schema(example = "ready")]
    pub status: &'static str,
    /// Operations in the default (newest stable) catalog.
    pub operations: usize,
    /// Revisions of the loaded specs.
    pub revisions: Vec<String>,
}

/// Liveness: the process answers.
#[utoipa::path(tag = "operations", operation_id = "health_check",
    responses((status = 200, description = "Alive", body = Health)))]
#[get("/healthz")]
pub async fn health_check() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type(ContentType::json())
        .body(HEALTHY)
}

/// `Health { status: "ok" }` as JSON, written once (a test compares it with serde_json).
const HEALTHY: &str = r#"{"status":"ok"}"#;

/// Readiness: the catalog is loaded and links can be built.
#[utoipa::path(tag = "operations", operation_id = "readiness_check",
    responses((status = 200, description = "Ready to serve", body = Readiness)))]
#[get("/readyz")]
pub async fn readiness_check(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Readiness {
            status: "ready",
            operations: state.catalogs.default_catalog().operations().len(),
            revisions: state.catalogs.revisions(),
        })
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(tag = "operations", operation_id = "get_metrics",
    responses((status = 200, description = "Metrics", content_type = "text/plain", body = String)))]
#[get("/metrics")]
pub async fn get_metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(state.metrics.render())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_liveness_body_is_what_serde_json_writes_for_health() {
        assert_eq!(
            HEALTHY,
            serde_json::to_string(&Health { status: "ok" }).unwrap()
        );
    }
}
