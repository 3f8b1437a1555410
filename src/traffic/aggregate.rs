//! Classifies each recorded call (Klaviyo's API, another host, a preflight,
//! OAuth, unreadable), resolves each distinct Klaviyo call once, and keeps
//! bounded counts of everything else.

use std::collections::HashMap;

use super::{
    CallCounts, Format, OperationCalls, Traffic, TrafficError, TrafficOptions, UnreadableCall,
    UnrecognizedCall, MAX_TRACKED_HOSTS, MAX_UNREADABLE_EXAMPLES, MAX_UNRECOGNIZED,
    RESOLVE_CACHE_ENTRIES,
};
use crate::catalog::Catalog;
use crate::resolve::{resolve_one, InputItem, ItemError, ResolvedItem, API_HOST};
use crate::secret;

/// Where a call was read.
#[derive(Debug, Clone, Copy)]
pub(super) enum Place {
    Line(u64),
    Entry(u64),
}

/// What a call text resolved to.
#[derive(Debug, Clone, Copy)]
enum Cached {
    Operation(usize),
    Unrecognized,
}

/// The calls read so far: counted, and each distinct call resolved once.
pub(super) struct Aggregator<'c> {
    catalog: &'c Catalog,
    options: TrafficOptions,
    pub(super) counts: CallCounts,
    hosts: HashMap<String, u64>,
    hosts_untracked: u64,
    cache: HashMap<String, Cached>,
    /// Each distinct (operation, includes) called, with its one resolution.
    operations: Vec<(OperationCalls, ResolvedItem)>,
    operation_index: HashMap<(String, Vec<String>), usize>,
    /// Each listed unrecognised call, with the resolver's error for it.
    unrecognized: Vec<(UnrecognizedCall, ItemError)>,
    unrecognized_index: HashMap<String, usize>,
    unrecognized_more: u64,
    unreadable: Vec<UnreadableCall>,
    /// Why reading stopped early, if it did.
    pub(super) stop: Option<TrafficError>,
}

impl<'c> Aggregator<'c> {
    pub(super) fn new(catalog: &'c Catalog, options: &TrafficOptions) -> Aggregator<'c> {
        Aggregator {
            catalog,
            options: *options,
            counts: CallCounts::default(),
            hosts: HashMap::new(),
            hosts_untracked: 0,
            cache: HashMap::new(),
            operations: Vec::new(),
            operation_index: HashMap::new(),
            unrecognized: Vec::new(),
            unrecognized_index: HashMap::new(),
            unrecognized_more: 0,
            unreadable: Vec::new(),
            stop: None,
        }
    }

    pub(super) fn unreadable(&mut self, place: Place, reason: &str) {
        self.counts.total += 1;
        self.counts.unreadable += 1;
        if self.unreadable.len() < MAX_UNREADABLE_EXAMPLES {
            let (line, entry) = match place {
                Place::Line(n) => (Some(n), None),
                Place::Entry(n) => (None, Some(n)),
            };
            self.unreadable.push(UnreadableCall {
                line,
                entry,
                reason: reason.to_owned(),
            });
        }
    }

    /// Classifies one call and counts it where it belongs.
    pub(super) fn call(&mut self, place: Place, method: &str, url: &str) {
        let method = method.trim();
        if method.is_empty()
            || method.len() > 16
            || !method.bytes().all(|b| b.is_ascii_alphabetic())
        {
            return self.unreadable(place, "the method is not an HTTP method");
        }
        let Ok(url) = url::Url::parse(url.trim()) else {
            return self.unreadable(place, "the URL is not an absolute URL");
        };
        let host = url.host_str().unwrap_or_default();
        let on_api_host = matches!(url.scheme(), "https" | "http")
            && host.eq_ignore_ascii_case(API_HOST)
            && url.port().is_none();
        if !on_api_host {
            let key = match (url.host_str(), url.port()) {
                (Some(host), Some(port)) => format!("{host}:{port}"),
                (Some(host), None) => host.to_owned(),
                (None, _) => format!("{}:", url.scheme()),
            };
            return self.other_host(key);
        }
        self.counts.total += 1;
        let method = method.to_ascii_uppercase();
        if method == "OPTIONS" {
            self.counts.preflight += 1;
            return;
        }
        if url.path().starts_with("/oauth/") {
            self.counts.oauth += 1;
            return;
        }
        self.counts.klaviyo += 1;
        let text = call_text(&method, &url);
        let cached = match self.cache.get(&text) {
            Some(&cached) => cached,
            None => {
                let Some(cached) = self.resolve(&method, &text) else {
                    return;
                };
                if self.cache.len() >= RESOLVE_CACHE_ENTRIES {
                    self.cache.clear();
                }
                self.cache.insert(text.clone(), cached);
                cached
            }
        };
        match cached {
            Cached::Operation(index) => self.operations[index].0.calls += 1,
            Cached::Unrecognized => match self.unrecognized_index.get(&text) {
                Some(&index) => self.unrecognized[index].0.calls += 1,
                None => self.unrecognized_more += 1,
            },
        }
    }

    fn other_host(&mut self, host: String) {
        self.counts.total += 1;
        self.counts.other_hosts += 1;
        let host = secret::redact(&host).into_owned();
        if let Some(calls) = self.hosts.get_mut(&host) {
            *calls += 1;
        } else if self.hosts.len() < MAX_TRACKED_HOSTS {
            self.hosts.insert(host, 1);
        } else {
            self.hosts_untracked += 1;
        }
    }

    /// Resolves a call text the first time it is seen (or again after the
    /// cache was emptied); counts are added by the caller. `None` when the
    /// operation limit stops the reading.
    fn resolve(&mut self, method: &str, text: &str) -> Option<Cached> {
        let item = InputItem::Text(text.to_owned());
        match resolve_one(self.catalog, 0, &item, self.options.resolve) {
            Ok(resolved) => {
                let mut includes = resolved.includes.clone();
                includes.sort();
                let key = (resolved.operation_id.to_string(), includes);
                if let Some(&index) = self.operation_index.get(&key) {
                    return Some(Cached::Operation(index));
                }
                if self.operations.len() >= self.options.max_operations {
                    self.stop = Some(TrafficError::TooManyOperations {
                        limit: self.options.max_operations,
                    });
                    return None;
                }
                let index = self.operations.len();
                let calls = OperationCalls {
                    operation_id: key.0.clone(),
                    method: resolved.method,
                    path: resolved.path.to_string(),
                    includes: key.1.clone(),
                    calls: 0,
                };
                self.operations.push((calls, resolved));
                self.operation_index.insert(key, index);
                Some(Cached::Operation(index))
            }
            Err(error) => {
                if !self.unrecognized_index.contains_key(text)
                    && self.unrecognized.len() < MAX_UNRECOGNIZED
                {
                    let shown = text.split_once(' ').map_or(text, |(_, url)| url);
                    self.unrecognized_index
                        .insert(text.to_owned(), self.unrecognized.len());
                    let call = UnrecognizedCall {
                        method: method.to_owned(),
                        url: secret::redact(shown).into_owned(),
                        calls: 0,
                        code: error.code,
                        detail: error.detail.clone(),
                        accepted: error.accepted.clone(),
                        suggestions: error.suggestions.clone(),
                    };
                    self.unrecognized.push((call, *error));
                }
                Some(Cached::Unrecognized)
            }
        }
    }

    /// One line on what was read, for an input without Klaviyo calls.
    pub(super) fn summary(&self) -> String {
        let mut hosts: Vec<(&String, &u64)> = self.hosts.iter().collect();
        hosts.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        let names: Vec<&str> = hosts.iter().take(3).map(|(h, _)| h.as_str()).collect();
        summary(&self.counts, self.operations.len(), &names, hosts.len() > 3)
    }

    pub(super) fn into_traffic(self, format: Format) -> Traffic {
        Traffic {
            format,
            options: self.options,
            counts: self.counts,
            hosts: self.hosts,
            hosts_untracked: self.hosts_untracked,
            operations: self.operations,
            unrecognized: self.unrecognized,
            unrecognized_more: self.unrecognized_more,
            unreadable: self.unreadable,
        }
    }
}

/// One line on what was read: the calls, and how many of each kind.
pub(super) fn summary(
    counts: &CallCounts,
    operations: usize,
    top_hosts: &[&str],
    more_hosts: bool,
) -> String {
    let c = counts;
    let mut parts = vec![format!("{} calls read", c.total)];
    if c.klaviyo > 0 {
        parts.push(format!(
            "{} to Klaviyo's API ({operations} distinct operations)",
            c.klaviyo
        ));
    }
    if c.other_hosts > 0 {
        parts.push(format!(
            "{} to other hosts ({}{})",
            c.other_hosts,
            top_hosts.join(", "),
            if more_hosts { ", …" } else { "" }
        ));
    }
    for (count, what) in [
        (c.preflight, "OPTIONS preflights"),
        (c.oauth, "OAuth calls"),
        (c.unreadable, "unreadable"),
    ] {
        if count > 0 {
            parts.push(format!("{count} {what}"));
        }
    }
    parts.join(", ")
}

/// The resolver input for a call: `METHOD https://a.klaviyo.com/path?include=…`.
/// Only `include` parameters are kept: they change the scopes, while the
/// others (filters with e-mail addresses, page cursors) would only leak data
/// and make every call text distinct.
fn call_text(method: &str, url: &url::Url) -> String {
    let mut text = format!("{method} https://{API_HOST}{}", url.path());
    let includes: Vec<&str> = url
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|pair| pair.split('=').next() == Some("include"))
        .collect();
    if !includes.is_empty() {
        text.push('?');
        text.push_str(&includes.join("&"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_text_keeps_only_includes() {
        let url = url::Url::parse(
            "https://a.klaviyo.com/api/profiles/01HX?fields[profile]=email&include=lists&page[cursor]=x&include=segments#top",
        )
        .unwrap();
        assert_eq!(
            call_text("GET", &url),
            "GET https://a.klaviyo.com/api/profiles/01HX?include=lists&include=segments"
        );
    }
}
