//! `scopelink healthcheck`: a tiny HTTP/1.1 GET of /healthz, so a container
//! image needs no curl for its HEALTHCHECK.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(3);

/// Checks the URL (or /healthz on the port of `bind`); exit 0 on a 200.
pub fn run(url: Option<&str>, bind: &str) -> ExitCode {
    match check(url, bind) {
        Ok(()) => ExitCode::SUCCESS,
        Err(reason) => {
            eprintln!("unhealthy: {reason}");
            ExitCode::FAILURE
        }
    }
}

fn check(url: Option<&str>, bind: &str) -> Result<(), String> {
    let (address, host, path) = match url {
        Some(url) => {
            let url = url::Url::parse(url).map_err(|e| format!("bad --url: {e}"))?;
            if url.scheme() != "http" {
                return Err("only http:// URLs are checked".to_owned());
            }
            let host = url.host_str().unwrap_or("127.0.0.1").to_owned();
            let port = url.port_or_known_default().unwrap_or(80);
            let address = (host.as_str(), port)
                .to_socket_addrs()
                .map_err(|e| e.to_string())?
                .next()
                .ok_or("the host has no address")?;
            (address, host, url.path().to_owned())
        }
        None => {
            let port = bind
                .rsplit(':')
                .next()
                .and_then(|p| p.parse::<u16>().ok())
                .ok_or_else(|| format!("cannot read a port from SCOPELINK_BIND `{bind}`"))?;
            let address = SocketAddr::from(([127, 0, 0, 1], port));
            (address, "127.0.0.1".to_owned(), "/healthz".to_owned())
        }
    };
    let mut stream =
        TcpStream::connect_timeout(&address, TIMEOUT).map_err(|e| format!("{address}: {e}"))?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut head = [0u8; 64];
    let read = stream.read(&mut head).map_err(|e| e.to_string())?;
    let status_line = String::from_utf8_lossy(&head[..read]);
    if status_line.starts_with("HTTP/1.1 200") || status_line.starts_with("HTTP/1.0 200") {
        Ok(())
    } else {
        Err(format!(
            "{address}{path} answered `{}`",
            status_line.lines().next().unwrap_or("")
        ))
    }
}
