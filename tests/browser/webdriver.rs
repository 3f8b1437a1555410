//! A small W3C WebDriver client over blocking HTTP: starts Debian's
//! `chromedriver` as a child process, opens one headless Chromium session,
//! and gives the commands the page test needs. Both are torn down on drop.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::Method;
use serde_json::{json, Value};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// How long any wait for the page may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(15);

/// The W3C name of an element reference in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Special keys, as WebDriver's "send keys" writes them.
pub mod keys {
    pub const ENTER: &str = "\u{E007}";
    pub const ARROW_DOWN: &str = "\u{E015}";
    pub const CONTROL: &str = "\u{E009}";
}

/// Fails the test, with what to do, unless Chromium and chromedriver are installed.
pub fn require_browser() {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|path| !Path::new(path).exists())
        .collect();
    assert!(
        missing.is_empty(),
        "the browser test needs Debian's `chromium` and `chromium-driver`, but {} {} missing: \
         run scripts/install-browser-deps.sh (or scripts/test.sh, which runs it)",
        missing.join(" and "),
        if missing.len() == 1 { "is" } else { "are" },
    );
}

/// An element reference in the current session.
#[derive(Debug, Clone)]
pub struct Element(String);

impl Element {
    /// The reference as a script argument.
    pub fn to_json(&self) -> Value {
        json!({ ELEMENT_KEY: self.0 })
    }
}

/// `chromedriver` on a free local port; killed on drop.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One headless Chromium session.
pub struct Browser {
    http: Client,
    session_url: String,
    profile_dir: PathBuf,
    // Dropped last: the session is deleted before the driver is killed.
    _driver: Driver,
}

impl Browser {
    /// Starts chromedriver and a fresh headless Chromium with a window of `width`×`height`.
    pub fn start(width: u32, height: u32) -> Browser {
        require_browser();
        let profile_dir = fresh_dir("profile");
        let port = free_port();
        let log = fs::File::create(profile_dir.with_extension("chromedriver.log"))
            .expect("the chromedriver log is writable");
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("the log file clones"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|error| panic!("could not start {CHROMEDRIVER}: {error}"));
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let http = Client::builder()
            .timeout(Duration::from_secs(60))
            .no_proxy()
            .build()
            .expect("an HTTP client");
        wait_for_driver(&http, &driver.url);

        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--no-default-browser-check".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-extensions".to_owned(),
            "--hide-scrollbars".to_owned(),
            "--lang=en-US".to_owned(),
            format!("--user-data-dir={}", profile_dir.display()),
            format!("--window-size={width},{height}"),
        ];
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "pageLoadStrategy": "normal",
                    "unhandledPromptBehavior": "dismiss",
                    "timeouts": { "script": 10_000, "pageLoad": 20_000, "implicit": 0 },
                    "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
                    "goog:loggingPrefs": { "browser": "ALL" }
                }
            }
        });
        let response = http
            .post(format!("{}/session", driver.url))
            .json(&capabilities)
            .send()
            .expect("chromedriver answers POST /session");
        let body: Value = response.json().expect("a JSON answer to POST /session");
        let session = body["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("Chromium did not start a session: {body}"))
            .to_owned();
        Browser {
            session_url: format!("{}/session/{session}", driver.url),
            http,
            profile_dir,
            _driver: driver,
        }
    }

    /// Sends one command and returns its `value`; a WebDriver error fails the test.
    fn command(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        self.try_command(method, path, body)
            .unwrap_or_else(|error| panic!("WebDriver {path}: {error}"))
    }

    fn try_command(&self, method: Method, path: &str, body: Option<Value>) -> Result<Value, Value> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.session_url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().expect("chromedriver answers");
        let ok = response.status().is_success();
        let body: Value = response.json().expect("chromedriver answers JSON");
        let value = body.get("value").cloned().unwrap_or(Value::Null);
        if ok {
            Ok(value)
        } else {
            Err(value)
        }
    }

    pub fn goto(&self, url: &str) {
        self.command(Method::POST, "/url", Some(json!({ "url": url })));
    }

    pub fn current_url(&self) -> String {
        self.command(Method::GET, "/url", None)
            .as_str()
            .expect("the URL is a string")
            .to_owned()
    }

    /// The first element matching a CSS selector, if there is one now.
    pub fn try_find(&self, css: &str) -> Option<Element> {
        self.try_command(
            Method::POST,
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        )
        .ok()
        .and_then(|value| value[ELEMENT_KEY].as_str().map(|id| Element(id.to_owned())))
    }

    /// Waits for an element matching a CSS selector.
    pub fn find(&self, css: &str) -> Element {
        self.wait_for(&format!("an element `{css}`"), || self.try_find(css))
    }

    pub fn click(&self, element: &Element) {
        self.command(
            Method::POST,
            &format!("/element/{}/click", element.0),
            Some(json!({})),
        );
    }

    /// Types into an element, as key presses (`keys::*` for special keys).
    pub fn send_keys(&self, element: &Element, text: &str) {
        self.command(
            Method::POST,
            &format!("/element/{}/value", element.0),
            Some(json!({ "text": text })),
        );
    }

    /// Empties a text field or file input, as the user would.
    pub fn clear(&self, element: &Element) {
        self.command(
            Method::POST,
            &format!("/element/{}/clear", element.0),
            Some(json!({})),
        );
    }

    pub fn text(&self, element: &Element) -> String {
        self.command(Method::GET, &format!("/element/{}/text", element.0), None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Runs a script (`arguments[i]` are `args`) and returns its result.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.command(
            Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Runs an asynchronous script: it calls `arguments[arguments.length - 1]` with its result.
    pub fn execute_async(&self, script: &str, args: Vec<Value>) -> Value {
        self.command(
            Method::POST,
            "/execute/async",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// A Chrome DevTools Protocol command, through chromedriver.
    pub fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.command(
            Method::POST,
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        )
    }

    /// The browser console since the last call.
    pub fn console_log(&self) -> Vec<Value> {
        self.try_command(Method::POST, "/se/log", Some(json!({ "type": "browser" })))
            .ok()
            .and_then(|value| value.as_array().cloned())
            .unwrap_or_default()
    }

    /// Writes a PNG of the viewport.
    pub fn screenshot(&self, path: &Path) {
        let data = self.command(Method::GET, "/screenshot", None);
        write_png(path, data.as_str().expect("base64 PNG"));
    }

    /// Writes a PNG of the whole page, below the fold too.
    pub fn full_page_screenshot(&self, path: &Path) {
        let metrics = self.cdp("Page.getLayoutMetrics", json!({}));
        let size = &metrics["cssContentSize"];
        let shot = self.cdp(
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": {
                    "x": 0, "y": 0,
                    "width": size["width"], "height": size["height"],
                    "scale": 1
                }
            }),
        );
        write_png(path, shot["data"].as_str().expect("base64 PNG"));
    }

    /// Polls `probe` until it gives a value; fails the test after [`WAIT`].
    pub fn wait_for<T>(&self, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(found) = probe() {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "timed out after {WAIT:?} waiting for {what}; page at {}",
                self.current_url()
            );
            std::thread::sleep(Duration::from_millis(40));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.http.delete(&self.session_url).send();
        let _ = fs::remove_dir_all(&self.profile_dir);
        let _ = fs::remove_file(self.profile_dir.with_extension("chromedriver.log"));
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free local port")
        .port()
}

fn wait_for_driver(http: &Client, url: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ready = http
            .get(format!("{url}/status"))
            .send()
            .ok()
            .and_then(|response| response.json::<Value>().ok())
            .is_some_and(|body| body["value"]["ready"] == true);
        if ready {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{CHROMEDRIVER} did not become ready on {url}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A new empty directory under the system temp dir.
fn fresh_dir(what: &str) -> PathBuf {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "scopelink-browser-{}-{}-{what}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

fn write_png(path: &Path, base64: &str) {
    let bytes = decode_base64(base64);
    assert!(bytes.starts_with(b"\x89PNG"), "the screenshot is a PNG");
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("the screenshot directory");
    }
    fs::write(path, bytes).expect("the screenshot is writable");
}

/// Standard base64 (WebDriver screenshots), ignoring padding and line breaks.
fn decode_base64(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b'\n' | b'\r' => continue,
            other => panic!("not base64: {other:#x}"),
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

#[test]
fn base64_decodes() {
    assert_eq!(decode_base64("aGVsbG8="), b"hello");
    assert_eq!(decode_base64("aGk="), b"hi");
    assert_eq!(decode_base64("YWJj"), b"abc");
}
