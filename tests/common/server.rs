//! Starts the real server on a free port in a thread of its own and gives
//! tests a blocking HTTP client for it.

use std::sync::mpsc;

use reqwest::blocking::{Client, Response};
use scopelink::catalog::CatalogSet;
use scopelink::config::ServeConfig;
use scopelink::http::Application;
use scopelink::link::LinkBase;
use serde_json::Value;

pub struct TestApp {
    pub address: String,
    pub client: Client,
}

pub fn test_config() -> ServeConfig {
    ServeConfig {
        bind: "127.0.0.1:0".to_owned(),
        workers: Some(1),
        ..ServeConfig::default()
    }
}

pub fn spawn_app() -> TestApp {
    spawn_app_with(test_config(), LinkBase::default())
}

pub fn spawn_app_with(config: ServeConfig, link_base: LinkBase) -> TestApp {
    spawn_app_with_catalogs(config, CatalogSet::embedded(), link_base)
}

/// The real server with the given catalogs (e.g. several revisions).
pub fn spawn_app_with_catalogs(
    config: ServeConfig,
    catalogs: CatalogSet,
    link_base: LinkBase,
) -> TestApp {
    super::init_test_log();
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let application =
                Application::build(&config, catalogs, link_base).expect("the server binds");
            sender.send(application.port()).unwrap();
            application.run_until_stopped().await
        })
    });
    let port = receiver.recv().expect("the server started");
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    }
}

impl TestApp {
    pub fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .unwrap()
    }

    pub fn post_links(&self, body: &Value) -> Response {
        self.client
            .post(format!("{}/v1/links", self.address))
            .json(body)
            .send()
            .unwrap()
    }
}

pub fn content_type(response: &Response) -> String {
    response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// Checks a problem+json answer and returns its body.
pub fn problem(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(
        response.status().as_u16(),
        status,
        "expected {status} {code}"
    );
    assert_eq!(content_type(&response), "application/problem+json");
    let body: Value = response.json().unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    assert_eq!(body["type"], format!("urn:scopelink:problem:{code}"));
    assert!(body["title"].is_string() && body["detail"].is_string());
    body
}

/// `?op=a&op=b`, encoded.
pub fn ops_query(ops: &[&str]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for op in ops {
        query.append_pair("op", op);
    }
    query.finish()
}
