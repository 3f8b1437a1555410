//! The real `scopelink` binary: JSON logs, no keys in logs, graceful stop,
//! the health check subcommand and config validation.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use crate::common::{scopelink, spec, SPEC_OPERATIONS};

struct Served {
    child: Child,
    port: u16,
    lines: mpsc::Receiver<String>,
}

fn serve(extra_env: &[(&str, &str)]) -> Served {
    let mut command = scopelink();
    command
        .args(["serve", "--bind", "127.0.0.1:0", "--workers", "1"])
        .env("SCOPELINK_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in extra_env {
        command.env(key, value);
    }
    let mut child = command.spawn().unwrap();
    let (sender, lines) = mpsc::channel();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let sender = sender.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
    }
    let port = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(20))
            .expect("the server logs that it listens");
        let event: Value = serde_json::from_str(&line).unwrap_or_default();
        if event["message"] == "scopelink is listening" {
            break event["port"].as_u64().unwrap() as u16;
        }
    };
    Served { child, port, lines }
}

fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn json_logs_one_line_per_request_and_never_a_key() {
    let mut served = serve(&[]);
    let base = format!("http://127.0.0.1:{}", served.port);
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let key = "pk_9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e";
    client
        .get(format!("{base}/go?op=get_lists&key={key}"))
        .send()
        .unwrap();
    client
        .get(format!("{base}/v1/links?op=GET%20/api/profiles/{key}"))
        .send()
        .unwrap();
    client.get(format!("{base}/{key}")).send().unwrap();
    client
        .post(format!("{base}/v1/links"))
        .json(&serde_json::json!({"operations": [key]}))
        .send()
        .unwrap();
    client
        .post(format!("{base}/v1/links"))
        .header("content-type", "application/json")
        .body(format!("{{\"{key}\": 1"))
        .send()
        .unwrap();
    client
        .get(format!("{base}/v1/scopes"))
        .header("x-request-id", key)
        .send()
        .unwrap();
    let last = client
        .get(format!("{base}/v1/catalog"))
        .header("x-request-id", "the-last-one")
        .send()
        .unwrap();
    assert_eq!(last.status(), 200);

    let mut requests = Vec::new();
    let mut all = String::new();
    while let Ok(line) = served.lines.recv_timeout(Duration::from_secs(5)) {
        all.push_str(&line);
        all.push('\n');
        let event: Value =
            serde_json::from_str(&line).unwrap_or_else(|_| panic!("not a JSON log line: {line}"));
        if event["message"] == "request" {
            let done = event["request_id"] == "the-last-one";
            requests.push(event);
            if done {
                break;
            }
        }
    }
    assert_eq!(requests.len(), 7, "{all}");
    for event in &requests {
        for field in [
            "request_id",
            "method",
            "route",
            "status",
            "latency_ms",
            "level",
            "timestamp",
        ] {
            assert!(!event[field].is_null(), "{field} missing in {event}");
        }
    }
    assert_eq!(requests[0]["route"], "/go");
    assert_eq!(requests[2]["route"], "unmatched");
    assert!(!all.contains(&key[3..]), "a key reached the log:\n{all}");

    sigterm(&served.child);
    let status = served.child.wait().unwrap();
    assert!(status.success(), "graceful stop exits 0: {status:?}");
}

/// The `request` lines of a served process up to the one whose id is `last`.
fn request_lines_until(served: &Served, last: &str) -> Vec<Value> {
    let mut requests = Vec::new();
    while let Ok(line) = served.lines.recv_timeout(Duration::from_secs(5)) {
        let event: Value = serde_json::from_str(&line).unwrap_or_default();
        if event["message"] == "request" {
            let done = event["request_id"] == last;
            requests.push(event);
            if done {
                return requests;
            }
        }
    }
    panic!("no request line with id {last}; got {requests:?}");
}

#[test]
fn probes_that_succeed_are_logged_only_with_log_probes_and_always_counted() {
    for (env, logged) in [
        (None, vec![("/healthz", 405), ("/v1/scopes", 200)]),
        (Some("false"), vec![("/healthz", 405), ("/v1/scopes", 200)]),
        (
            Some("true"),
            vec![
                ("/healthz", 200),
                ("/readyz", 200),
                ("/metrics", 200),
                ("/healthz", 405),
                ("/v1/scopes", 200),
            ],
        ),
    ] {
        let extra: Vec<(&str, &str)> = env
            .map(|v| ("SCOPELINK_LOG_PROBES", v))
            .into_iter()
            .collect();
        let mut served = serve(&extra);
        let base = format!("http://127.0.0.1:{}", served.port);
        let client = reqwest::blocking::Client::new();
        for path in ["/healthz", "/readyz", "/metrics"] {
            let answer = client.get(format!("{base}{path}")).send().unwrap();
            assert_eq!(answer.status(), 200, "{path}");
        }
        let refused = client.post(format!("{base}/healthz")).send().unwrap();
        assert_eq!(refused.status(), 405);
        client
            .get(format!("{base}/v1/scopes"))
            .header("x-request-id", "the-last-one")
            .send()
            .unwrap();
        let lines = request_lines_until(&served, "the-last-one");
        let routes: Vec<(&str, u64)> = lines
            .iter()
            .map(|l| (l["route"].as_str().unwrap(), l["status"].as_u64().unwrap()))
            .collect();
        assert_eq!(routes, logged, "SCOPELINK_LOG_PROBES={env:?}");
        let metrics = client
            .get(format!("{base}/metrics"))
            .send()
            .unwrap()
            .text()
            .unwrap();
        assert!(
            metrics.contains(
                "scopelink_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1\n"
            ),
            "{metrics}"
        );
        sigterm(&served.child);
        served.child.wait().unwrap();
    }
}

#[test]
fn healthcheck_subcommand_reports_the_server_state() {
    let mut served = serve(&[]);
    let url = format!("http://127.0.0.1:{}/healthz", served.port);
    let ok = scopelink()
        .args(["healthcheck", "--url", &url])
        .status()
        .unwrap();
    assert!(ok.success());
    let by_bind = scopelink()
        .arg("healthcheck")
        .env("SCOPELINK_BIND", format!("0.0.0.0:{}", served.port))
        .status()
        .unwrap();
    assert!(by_bind.success(), "the port comes from SCOPELINK_BIND");
    sigterm(&served.child);
    served.child.wait().unwrap();
    let down = scopelink()
        .args(["healthcheck", "--url", &url])
        .output()
        .unwrap();
    assert_eq!(down.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&down.stderr).contains("unhealthy"));
}

#[test]
fn the_link_base_must_be_https_on_klaviyo() {
    for base in [
        "https://evil.example/create",
        "http://www.klaviyo.com/create-private-api-key",
    ] {
        let out = scopelink()
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("SCOPELINK_LINK_BASE", base)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{base}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("link-base")
                && (stderr.contains("klaviyo.com") || stderr.contains("https")),
            "{stderr}"
        );
    }
}

#[test]
fn a_spec_dir_is_loaded_and_a_missing_one_means_the_embedded_catalog() {
    let dir = std::env::temp_dir().join(format!("scopelink-specdir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(spec("stable-2024-10-15.json"), dir.join("stable.json")).unwrap();
    std::fs::write(dir.join(".hidden.json"), "not json").unwrap();
    let mut served = serve(&[("SCOPELINK_SPEC_DIR", dir.to_str().unwrap())]);
    let ready: Value = reqwest::blocking::get(format!("http://127.0.0.1:{}/readyz", served.port))
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(ready["revisions"], serde_json::json!(["2024-10-15"]));
    sigterm(&served.child);
    served.child.wait().unwrap();
    let mut served = serve(&[("SCOPELINK_SPEC_DIR", "/nonexistent/scopelink")]);
    let ready: Value = reqwest::blocking::get(format!("http://127.0.0.1:{}/readyz", served.port))
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(ready["operations"], SPEC_OPERATIONS.len());
    sigterm(&served.child);
    served.child.wait().unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_request_in_flight_at_sigterm_still_gets_its_answer() {
    use std::io::{Read, Write};

    let mut served = serve(&[]);
    // A request log uploaded in chunks: the request is in flight while the server is told to stop.
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", served.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "POST /v1/links/from-har HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let chunk = |text: &str| format!("{:x}\r\n{text}\r\n", text.len());
    stream
        .write_all(chunk("GET https://a.klaviyo.com/api/profiles\n").as_bytes())
        .unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));

    sigterm(&served.child);
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        served.child.try_wait().unwrap().is_none(),
        "the server waits for the request in flight"
    );
    stream
        .write_all(chunk("POST https://a.klaviyo.com/api/lists\n").as_bytes())
        .unwrap();
    stream.write_all(b"0\r\n\r\n").unwrap();

    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("lists:write") && answer.contains("profiles:read"),
        "{answer}"
    );
    let status = served.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_request_that_times_out_is_logged_in_its_span_without_its_inputs() {
    use std::io::{Read, Write};

    let mut served = serve(&[("SCOPELINK_REQUEST_TIMEOUT_SECS", "1")]);
    let key = "pk_0f1e2d3c4b5a69788796a5b4c3d2e1f0aa";
    // A request log whose body stops coming: the server answers when its time is up.
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", served.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "POST /v1/links/from-har?minimal=false HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nAuthorization: Klaviyo-API-Key {key}\r\nx-request-id: stalled-upload\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let line = format!("GET https://a.klaviyo.com/api/profiles?api_key={key}\n");
    write!(stream, "{:x}\r\n{line}\r\n", line.len()).unwrap();
    stream.flush().unwrap();
    // The answer comes while the body is unfinished, so the connection stays
    // open: read the head and `content-length` bytes, not to the end.
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    let complete = |answer: &[u8]| {
        let text = String::from_utf8_lossy(answer);
        let (head, body) = text.split_once("\r\n\r\n")?;
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))?
            .parse()
            .ok()?;
        (body.len() >= length).then(|| text.to_string())
    };
    let answer = loop {
        let read = stream.read(&mut buffer).unwrap();
        assert!(read > 0, "the connection closed before an answer");
        answer.extend_from_slice(&buffer[..read]);
        if let Some(text) = complete(&answer) {
            break text;
        }
    };
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("\"timeout\""), "{answer}");

    let mut all = String::new();
    let failed = loop {
        let line = served
            .lines
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("no log line for the timeout in:\n{all}"));
        all.push_str(&line);
        all.push('\n');
        let event: Value = serde_json::from_str(&line).unwrap();
        if event["message"] == "request failed before an answer" {
            break event;
        }
    };
    assert_eq!(failed["status"], 503, "{failed}");
    assert_eq!(failed["request_id"], "stalled-upload", "{failed}");
    assert_eq!(failed["route"], "/v1/links/from-har", "{failed}");
    assert!(!failed["latency_ms"].is_null(), "{failed}");
    // The line is logged inside the request's root span, which names the same request.
    assert_eq!(failed["span"]["name"], "request", "{failed}");
    assert_eq!(failed["span"]["request_id"], "stalled-upload", "{failed}");
    assert_eq!(failed["span"]["route"], "/v1/links/from-har", "{failed}");
    assert_eq!(failed["span"]["method"], "POST", "{failed}");

    // The server still answers, and never logged the key or the raw query.
    let base = format!("http://127.0.0.1:{}", served.port);
    let health = reqwest::blocking::get(format!("{base}/healthz")).unwrap();
    assert_eq!(health.status(), 200);
    while let Ok(line) = served.lines.recv_timeout(Duration::from_secs(2)) {
        all.push_str(&line);
        all.push('\n');
    }
    assert!(!all.contains(&key[3..]), "a key reached the log:\n{all}");
    assert!(
        !all.contains("minimal=false"),
        "the raw query reached the log:\n{all}"
    );
    sigterm(&served.child);
    assert!(served.child.wait().unwrap().success());
}

#[test]
fn source_limits_have_env_twins_and_file_contents_never_reach_the_log() {
    let mut served = serve(&[
        ("SCOPELINK_MAX_SOURCE_FILES", "2"),
        ("SCOPELINK_MAX_SOURCE_FILE_BYTES", "4096"),
    ]);
    let base = format!("http://127.0.0.1:{}", served.port);
    let client = reqwest::blocking::Client::new();
    let key = "pk_0f1e2d3c4b5a69788796a5b4c3d2e1f0ab";
    let content = format!(
        "import requests\nSECRET_MARKER = \"{key}\"\nrequests.get(\"https://a.klaviyo.com/api/lists?k={key}\")\n"
    );
    let file = |path: &str| serde_json::json!({"path": path, "content": content});
    let post = |body: Value| {
        client
            .post(format!("{base}/v1/links/from-source"))
            .json(&body)
            .send()
            .unwrap()
    };
    let answer = post(serde_json::json!({"files": [file("a.py")]}));
    assert_eq!(answer.status(), 200);
    let answer: Value = answer.json().unwrap();
    assert_eq!(answer["scopes"], serde_json::json!(["lists:read"]));
    let over: Value =
        post(serde_json::json!({"files": [file("a.py"), file("b.py"), file("c.py")]}))
            .json()
            .unwrap();
    assert_eq!(over["code"], "too_many_source_files");
    assert_eq!(over["limit"], 2);
    let big = serde_json::json!({"files": [{"path": "big.py", "content": "x".repeat(4097)}]});
    let big: Value = post(big).json().unwrap();
    assert_eq!(
        (&big["code"], &big["limit"]),
        (&"source_file_too_large".into(), &4096.into())
    );
    // A content where a flag belongs: the shape error quotes neither it nor the key.
    let misplaced: Value = post(serde_json::json!({"files": [], "minimal": content}))
        .json()
        .unwrap();
    assert_eq!(misplaced["code"], "invalid_body");
    client
        .get(format!("{base}/healthz"))
        .header("x-request-id", "the-last-one")
        .send()
        .unwrap();

    let mut all = String::new();
    while let Ok(line) = served.lines.recv_timeout(Duration::from_secs(5)) {
        all.push_str(&line);
        all.push('\n');
        if line.contains("the-last-one") {
            break;
        }
    }
    assert!(all.contains("/v1/links/from-source"), "{all}");
    assert!(
        !all.contains("SECRET_MARKER") && !all.contains(&key[3..]),
        "{all}"
    );
    assert!(
        !misplaced.to_string().contains("SECRET_MARKER"),
        "{misplaced}"
    );

    sigterm(&served.child);
    served.child.wait().unwrap();
}
