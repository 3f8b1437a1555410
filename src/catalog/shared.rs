//! Catalog texts and lists shared between every answer that holds them: a
//! clone costs a reference count, not an allocation.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

/// Catalog text shared between every answer that holds it: cloning it costs
/// a reference count, not an allocation. It dereferences to, compares with
/// and serialises as its text, so it stands where a `String` was.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SharedStr(Arc<str>);

impl SharedStr {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SharedStr {
    fn from(text: &str) -> SharedStr {
        SharedStr(Arc::from(text))
    }
}

impl std::ops::Deref for SharedStr {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for SharedStr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<SharedStr> for str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == *other.0
    }
}

impl PartialEq<SharedStr> for &str {
    fn eq(&self, other: &SharedStr) -> bool {
        **self == *other.0
    }
}

impl PartialEq<SharedStr> for String {
    fn eq(&self, other: &SharedStr) -> bool {
        **self == *other.0
    }
}

impl From<SharedStr> for String {
    fn from(text: SharedStr) -> String {
        String::from(&*text.0)
    }
}

/// A list of catalog texts (or other catalog values) shared the same way as
/// [`SharedStr`]: it dereferences to and serialises as its items.
#[derive(Clone, PartialEq, Eq)]
pub struct SharedList<T = String>(Arc<[T]>);

impl<T> std::ops::Deref for SharedList<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T: fmt::Debug> fmt::Debug for SharedList<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl<T: Serialize> Serialize for SharedList<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<T: Clone> From<&[T]> for SharedList<T> {
    fn from(items: &[T]) -> SharedList<T> {
        SharedList(Arc::from(items))
    }
}

impl<T> From<Vec<T>> for SharedList<T> {
    fn from(items: Vec<T>) -> SharedList<T> {
        SharedList(Arc::from(items))
    }
}

impl<T: PartialEq<U>, U> PartialEq<Vec<U>> for SharedList<T> {
    fn eq(&self, other: &Vec<U>) -> bool {
        self.0[..] == other[..]
    }
}

impl<T: PartialEq<U>, U> PartialEq<[U]> for SharedList<T> {
    fn eq(&self, other: &[U]) -> bool {
        self.0[..] == *other
    }
}
