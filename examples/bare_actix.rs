//! The baseline for `scripts/cost.sh`: a bare actix-web 4 server doing the
//! least an HTTP JSON service can do, so Scopelink's per-request cost is read
//! as a ratio to HTTP itself. `GET /` answers a constant; `POST /` parses
//! `{"operations": [...]}` and echoes it back as JSON.
//!
//! Usage: `bare_actix [BIND]` (default 127.0.0.1:0); prints `listening on PORT`.

use actix_web::{web, App, HttpResponse, HttpServer};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize)]
struct Operations {
    operations: Vec<serde_json::Value>,
}

async fn constant() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

async fn echo(body: web::Json<Operations>) -> HttpResponse {
    HttpResponse::Ok().json(body.into_inner())
}

fn main() -> std::io::Result<()> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned());
    actix_web::rt::System::new().block_on(async move {
        let server = HttpServer::new(|| {
            App::new()
                .route("/", web::get().to(constant))
                .route("/", web::post().to(echo))
        })
        .workers(1)
        .bind(bind)?;
        let port = server.addrs()[0].port();
        println!("listening on {port}");
        server.run().await
    })
}
