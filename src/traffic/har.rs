//! Reads a HAR as a stream: only `log.entries[].request.method` and `.url`
//! are kept, each entry is classified as soon as it is read, and every other
//! member (headers, cookies, bodies, timings) is skipped unread.
//!
//! # Implementation notes
//! An entry and its request are derived structs: serde's derive skips
//! unknown members with `IgnoredAny`, which never holds them. The three
//! levels above them (`{…}`, `log`, `entries`) are seeds, because they hand
//! each entry to the aggregator while the array is still being read.

use std::cell::Cell;
use std::fmt;
use std::io::{BufReader, Read};
use std::rc::Rc;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::aggregate::{Aggregator, Place};
use super::limits::{JsonGuard, Stop};
use super::{TrafficError, MAX_MESSAGE_CHARS};
use crate::secret;

pub(super) fn read_har<R: Read>(
    input: R,
    calls: &mut Aggregator<'_>,
    stop: &Rc<Cell<Option<Stop>>>,
) -> Result<(), TrafficError> {
    let guarded = BufReader::with_capacity(64 * 1024, JsonGuard::new(input, stop.clone()));
    let mut deserializer = serde_json::Deserializer::from_reader(guarded);
    let result = HarSeed { calls: &mut *calls }
        .deserialize(&mut deserializer)
        .and_then(|found| deserializer.end().map(|()| found));
    match result {
        Ok(true) => Ok(()),
        Ok(false) => Err(TrafficError::NotHar(
            "the object has no `log` member".to_owned(),
        )),
        Err(error) => {
            if let Some(why) = stop.get() {
                return Err(why.into());
            }
            if let Some(stopped) = calls.stop.take() {
                return Err(stopped);
            }
            let message = parser_message(&error);
            Err(match error.classify() {
                serde_json::error::Category::Io => TrafficError::Io(message),
                serde_json::error::Category::Data => TrafficError::NotHar(message),
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                    TrafficError::MalformedJson(message)
                }
            })
        }
    }
}

/// A parser message, redacted and cut short: it may quote a whole string value.
fn parser_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let text = secret::redact(&text);
    if text.chars().count() <= MAX_MESSAGE_CHARS {
        return text.into_owned();
    }
    let cut: String = text.chars().take(MAX_MESSAGE_CHARS).collect();
    format!("{cut}…")
}

/// One entry: only `request` is looked into.
#[derive(Deserialize)]
struct Entry {
    request: Option<Request>,
}

/// `request`: `method` and `url`; headers, cookies and bodies are skipped unread.
#[derive(Deserialize)]
struct Request {
    method: Option<String>,
    url: Option<String>,
}

/// The whole HAR; its value says whether `log` was there.
struct HarSeed<'a, 'c> {
    calls: &'a mut Aggregator<'c>,
}

impl<'de> DeserializeSeed<'de> for HarSeed<'_, '_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for HarSeed<'_, '_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a HAR object with `log.entries`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut found = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "log" {
                map.next_value_seed(LogSeed {
                    calls: &mut *self.calls,
                })?;
                found = true;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// `log`: an object with `entries`.
struct LogSeed<'a, 'c> {
    calls: &'a mut Aggregator<'c>,
}

impl<'de> DeserializeSeed<'de> for LogSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for LogSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`log`, an object with `entries`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut found = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "entries" {
                map.next_value_seed(EntriesSeed {
                    calls: &mut *self.calls,
                })?;
                found = true;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if found {
            Ok(())
        } else {
            Err(de::Error::missing_field("entries"))
        }
    }
}

/// `log.entries`: each entry is classified as soon as it is read.
struct EntriesSeed<'a, 'c> {
    calls: &'a mut Aggregator<'c>,
}

impl<'de> DeserializeSeed<'de> for EntriesSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntriesSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`log.entries`, an array of requests")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut number = 0u64;
        while let Some(entry) = seq.next_element::<Entry>()? {
            number += 1;
            let place = Place::Entry(number);
            match entry.request {
                Some(Request {
                    method: Some(method),
                    url: Some(url),
                }) => self.calls.call(place, &method, &url),
                _ => self
                    .calls
                    .unreadable(place, "the entry has no `request.method` and `request.url`"),
            }
            if self.calls.stop.is_some() {
                return Err(de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}
