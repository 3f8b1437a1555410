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
    let result = har_seed(&mut *calls)
        .deserialize(&mut deserializer)
        .and_then(|found| deserializer.end().map(|()| found.is_some()));
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

/// An object of which one member is read, with `value`; the others are
/// skipped unread. Its value is the member's, or `None` if it was absent
/// (an error when `required`). The HAR is `{"log": {"entries": [...]}}`.
struct Member<S> {
    name: &'static str,
    required: bool,
    expecting: &'static str,
    value: S,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Member<S> {
    type Value = Option<S::Value>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Member<S> {
    type Value = Option<S::Value>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut seed = Some(self.value);
        let mut found = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == self.name {
                if let Some(value) = seed.take() {
                    found = Some(map.next_value_seed(value)?);
                    continue;
                }
            }
            map.next_value::<IgnoredAny>()?;
        }
        if found.is_none() && self.required {
            return Err(de::Error::missing_field(self.name));
        }
        Ok(found)
    }
}

/// The whole HAR; its value says whether `log` was there.
fn har_seed<'a, 'c>(calls: &'a mut Aggregator<'c>) -> Member<Member<EntriesSeed<'a, 'c>>> {
    Member {
        name: "log",
        required: false,
        expecting: "a HAR object with `log.entries`",
        value: Member {
            name: "entries",
            required: true,
            expecting: "`log`, an object with `entries`",
            value: EntriesSeed { calls },
        },
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
