//! Who may talk to `/mcp`: the `Host` and `Origin` checks the MCP spec's
//! security notes ask of a streamable-HTTP server, so a web page cannot reach
//! a local Scopelink through DNS rebinding.
//!
//! A request without `Origin` (every non-browser client) passes the origin
//! check. A browser origin passes when it is on the configured allow-list, is
//! a loopback origin (`http://localhost:*`, `127.0.0.1`, `[::1]`), or is the
//! server's own origin (the same host and port as `Host`). `Host` itself must
//! be an allowed host, loopback names by default, so a rebound name such as
//! `evil.example` never passes as "same host".

use std::net::IpAddr;

use crate::config::DEFAULT_MCP_ALLOWED_HOSTS;

/// Why a request to `/mcp` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuardError {
    #[error("the Origin `{origin}` may not use this MCP server (a web page on another site cannot call it); allowed: requests without Origin, loopback and same-host origins{}", allowed_list(.allowed))]
    ForeignOrigin {
        origin: String,
        allowed: Vec<String>,
    },
    #[error("the Host `{host}` is not served here (DNS rebinding protection); allowed hosts: {}; set SCOPELINK_MCP_ALLOWED_HOSTS to the names clients use", .allowed.join(", "))]
    ForeignHost { host: String, allowed: Vec<String> },
    #[error("the request has no Host header; send the host the server is reached at")]
    NoHost,
}

impl GuardError {
    pub fn code(&self) -> &'static str {
        match self {
            GuardError::ForeignOrigin { .. } => "origin_refused",
            GuardError::ForeignHost { .. } | GuardError::NoHost => "host_refused",
        }
    }
}

fn allowed_list(allowed: &[String]) -> String {
    if allowed.is_empty() {
        String::new()
    } else {
        format!(", and {}", allowed.join(", "))
    }
}

/// The configured allow-lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    /// Browser origins allowed besides loopback and same-host ones
    /// (`https://app.example.com`, `http://tool.example:8080`; `*` for any).
    pub allowed_origins: Vec<String>,
    /// `Host` names (optionally `name:port`) served; `*` for any.
    pub allowed_hosts: Vec<String>,
}

impl Default for Guard {
    fn default() -> Guard {
        Guard {
            allowed_origins: Vec::new(),
            allowed_hosts: DEFAULT_MCP_ALLOWED_HOSTS
                .split(',')
                .map(str::to_owned)
                .collect(),
        }
    }
}

impl Guard {
    /// Checks one request's `Host` and `Origin` headers.
    pub fn check(&self, host: Option<&str>, origin: Option<&str>) -> Result<(), GuardError> {
        let host = host.map(str::trim).filter(|h| !h.is_empty());
        let host = host.ok_or(GuardError::NoHost)?;
        if !self.host_allowed(host) {
            return Err(GuardError::ForeignHost {
                host: crate::secret::redact(host).into_owned(),
                allowed: self.allowed_hosts.clone(),
            });
        }
        match origin.map(str::trim) {
            None => Ok(()),
            Some(origin) if self.origin_allowed(origin, host) => Ok(()),
            Some(origin) => Err(GuardError::ForeignOrigin {
                origin: crate::secret::redact(origin).into_owned(),
                allowed: self.allowed_origins.clone(),
            }),
        }
    }

    fn host_allowed(&self, host: &str) -> bool {
        let (name, port) = split_authority(host);
        self.allowed_hosts.iter().any(|allowed| {
            let allowed = allowed.trim();
            if allowed == "*" {
                return true;
            }
            let (allowed_name, allowed_port) = split_authority(allowed);
            allowed_name.eq_ignore_ascii_case(&name) && allowed_port.is_none_or(|p| Some(p) == port)
        })
    }

    fn origin_allowed(&self, origin: &str, host: &str) -> bool {
        let Some(parsed) = Origin::parse(origin) else {
            // `null` (sandboxed pages, file://) only when listed.
            return self.allowed_origins.iter().any(|a| a.trim() == origin);
        };
        if parsed.is_loopback() {
            return true;
        }
        let (host_name, host_port) = split_authority(host);
        if parsed.host.eq_ignore_ascii_case(&host_name)
            && host_port.unwrap_or(parsed.default_port()) == parsed.port
        {
            return true;
        }
        self.allowed_origins.iter().any(|allowed| {
            let allowed = allowed.trim();
            allowed == "*" || Origin::parse(allowed).is_some_and(|a| a.matches(&parsed))
        })
    }
}

/// `scheme://host[:port]`, with the port made explicit.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
    /// An allow-list entry ending in `:*` matches any port.
    any_port: bool,
}

impl Origin {
    fn parse(text: &str) -> Option<Origin> {
        let (text, any_port) = match text.strip_suffix(":*") {
            Some(rest) => (rest, true),
            None => (text, false),
        };
        let url = url::Url::parse(text).ok()?;
        let scheme = url.scheme().to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return None;
        }
        let host = match url.host()? {
            url::Host::Ipv6(ip) => ip.to_string(),
            other => other.to_string().to_ascii_lowercase(),
        };
        let port = url.port_or_known_default()?;
        Some(Origin {
            scheme,
            host,
            port,
            any_port,
        })
    }

    fn default_port(&self) -> u16 {
        if self.scheme == "https" {
            443
        } else {
            80
        }
    }

    fn is_loopback(&self) -> bool {
        self.host == "localhost" || self.host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    fn matches(&self, other: &Origin) -> bool {
        self.scheme == other.scheme
            && self.host == other.host
            && (self.any_port || self.port == other.port)
    }
}

/// `name[:port]`, `[v6]:port` or a bare v6 address, as (name, port).
fn split_authority(authority: &str) -> (String, Option<u16>) {
    let authority = authority.trim();
    if let Some(rest) = authority.strip_prefix('[') {
        if let Some((name, tail)) = rest.split_once(']') {
            let port = tail.strip_prefix(':').and_then(|p| p.parse().ok());
            return (name.to_ascii_lowercase(), port);
        }
    }
    if authority.matches(':').count() > 1 {
        return (authority.to_ascii_lowercase(), None);
    }
    match authority.rsplit_once(':') {
        Some((name, port)) => match port.parse() {
            Ok(port) => (name.to_ascii_lowercase(), Some(port)),
            Err(_) => (authority.to_ascii_lowercase(), None),
        },
        None => (authority.to_ascii_lowercase(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_browser_clients_and_loopback_pages_pass() {
        let guard = Guard::default();
        assert_eq!(guard.check(Some("127.0.0.1:8080"), None), Ok(()));
        assert_eq!(
            guard.check(Some("localhost:8080"), Some("http://localhost:3000")),
            Ok(())
        );
        assert_eq!(
            guard.check(Some("[::1]:8080"), Some("http://[::1]:5173")),
            Ok(())
        );
        assert_eq!(
            guard.check(Some("127.0.0.1:8080"), Some("http://127.0.0.1:8080")),
            Ok(())
        );
    }

    #[test]
    fn foreign_origins_and_rebound_hosts_are_refused() {
        let guard = Guard::default();
        assert!(matches!(
            guard.check(Some("127.0.0.1:8080"), Some("https://evil.example")),
            Err(GuardError::ForeignOrigin { .. })
        ));
        // DNS rebinding: the page's own origin, but a Host that is not ours.
        assert!(matches!(
            guard.check(Some("evil.example:8080"), Some("http://evil.example:8080")),
            Err(GuardError::ForeignHost { .. })
        ));
        assert!(matches!(
            guard.check(Some("127.0.0.1:8080"), Some("null")),
            Err(GuardError::ForeignOrigin { .. })
        ));
        assert_eq!(guard.check(None, None), Err(GuardError::NoHost));
    }

    #[test]
    fn configured_hosts_and_origins_pass() {
        let guard = Guard {
            allowed_origins: vec![
                "https://app.example.com".into(),
                "http://tool.example:*".into(),
            ],
            allowed_hosts: vec!["scopelink.example.com".into(), "localhost".into()],
        };
        let host = Some("scopelink.example.com");
        assert_eq!(guard.check(host, Some("https://app.example.com")), Ok(()));
        assert_eq!(
            guard.check(host, Some("https://app.example.com:443")),
            Ok(())
        );
        assert_eq!(guard.check(host, Some("http://tool.example:9000")), Ok(()));
        assert_eq!(
            guard.check(host, Some("https://scopelink.example.com")),
            Ok(())
        );
        assert!(guard
            .check(host, Some("https://app.example.com:8443"))
            .is_err());
        assert!(guard.check(host, Some("http://app.example.com")).is_err());
        assert!(guard.check(Some("other.example.com"), None).is_err());
    }
}
