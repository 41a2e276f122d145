//! Compact serde support for generated types.
//!
//! serde's derive emits a field enum, a visitor and a seq visitor per struct; for ~700 Kubernetes
//! types that dominates the generated crate's compile time. Generated types instead implement
//! [`DeStruct`] (one `match` on the JSON key) and [`SerStruct`] (one line per field) and forward
//! `Deserialize`/`Serialize` to the generic drivers here. Everything stays generic over the
//! serializer, so nothing is instantiated until a user's crate decodes a concrete type.
//!
//! Decoding follows Go's `encoding/json`, which is what the API server and client-go speak:
//! unknown keys are skipped, a missing or `null` required field takes its zero value, and a
//! duplicate key keeps the last value.

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;

/// A struct decoded key by key. Implemented by generated code.
pub trait DeStruct: Default {
    /// Name used in error messages (the spec definition's short name).
    const NAME: &'static str;

    /// Decode the value for `key` into `self`. Returns `Ok(false)` for a key this type does not
    /// know; the driver then skips the value.
    fn de_field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error>;

    /// Called on the default value before the first key: types that record which keys were
    /// present (see [`crate::meta::TypeMetaPresence`]) reset that record here.
    #[inline]
    fn before_fields(&mut self) {}
}

/// A struct encoded field by field. Implemented by generated code.
pub trait SerStruct {
    /// Write every present field as a map entry.
    fn ser_fields<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>;
}

/// `Deserialize::deserialize` for a [`DeStruct`].
#[inline]
pub fn deserialize_struct<'de, D: Deserializer<'de>, T: DeStruct>(d: D) -> Result<T, D::Error> {
    d.deserialize_map(StructVisitor::<T>(PhantomData))
}

/// `Serialize::serialize` for a [`SerStruct`].
#[inline]
pub fn serialize_struct<S: Serializer, T: SerStruct + ?Sized>(
    value: &T,
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(None)?;
    value.ser_fields(&mut map)?;
    map.end()
}

/// `serde_json::from_slice`, faster: the body's UTF-8 is checked once up front (SIMD), then the
/// runtime's own JSON reader (`json_reader`) decodes it. Should that fail, serde_json decodes the
/// body again and its result (an error message with line and column, usually) is the answer. A
/// body that is not UTF-8 goes straight to `from_slice`.
pub fn from_json_bytes<'de, T: Deserialize<'de>>(body: &'de [u8]) -> serde_json::Result<T> {
    match simdutf8::basic::from_utf8(body) {
        Ok(text) => crate::json_reader::from_str(text).or_else(|_| serde_json::from_str(text)),
        Err(_) => serde_json::from_slice(body),
    }
}

/// The fast JSON reader alone, with no serde_json behind it: for tests that require it to read
/// a body by itself and to agree with serde_json.
#[doc(hidden)]
pub fn from_json_str_fast_only<'de, T: Deserialize<'de>>(text: &'de str) -> Result<T, String> {
    crate::json_reader::from_str(text).map_err(|e| e.to_string())
}

/// Decode a required field: `null` (which Go servers emit for nil slices and maps) becomes the
/// zero value instead of an error.
#[inline]
pub fn required<'de, A: MapAccess<'de>, T: Deserialize<'de> + Default>(
    map: &mut A,
) -> Result<T, A::Error> {
    Ok(map.next_value::<Option<T>>()?.unwrap_or_default())
}

/// Decode an `apiVersion` or `kind` key of a kind whose value is fixed. A different value is an
/// error naming both, so decoding a `Service` into a `Pod` fails instead of silently succeeding.
pub fn expect_str<'de, A: MapAccess<'de>>(
    map: &mut A,
    field: &'static str,
    expected: &'static str,
    type_name: &'static str,
) -> Result<(), A::Error> {
    let got: Option<Key<'de>> = map.next_value()?;
    match got {
        Some(v) if v.as_str() != expected => Err(de::Error::custom(format_args!(
            "{type_name}: {field} is {:?}, expected {expected:?}",
            v.as_str()
        ))),
        _ => Ok(()),
    }
}

/// Decode an optional field into `slot` (generated `de_field` arms are one call each, which keeps
/// the generated crate cheap to type- and borrow-check). Returns `Ok(true)`: the key was known.
#[inline]
pub fn opt_field<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
) -> Result<bool, A::Error> {
    *slot = map.next_value()?;
    Ok(true)
}

/// Decode an optional list field into `slot`, allocated to exactly its length (see
/// [`ExactVec`]). Returns `Ok(true)`: the key was known.
#[inline]
pub fn opt_seq<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<Vec<T>>,
) -> Result<bool, A::Error> {
    *slot = map.next_value::<Option<ExactVec<T>>>()?.map(|v| v.0);
    Ok(true)
}

/// Decode a required list field into `slot`, `null` as empty, allocated to exactly its length
/// (see [`ExactVec`]).
#[inline]
pub fn req_seq<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Vec<T>,
) -> Result<bool, A::Error> {
    *slot = map
        .next_value::<Option<ExactVec<T>>>()?
        .map_or_else(Vec::new, |v| v.0);
    Ok(true)
}

/// `#[serde(deserialize_with)]` for an optional list of a handwritten type: as [`opt_seq`].
#[inline]
pub fn de_opt_seq<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    Ok(Option::<ExactVec<T>>::deserialize(d)?.map(|v| v.0))
}

/// A JSON array decoded into a `Vec` whose capacity is its length.
///
/// serde's own `Vec` impl grows by doubling (JSON gives no length up front) and keeps the slack:
/// six env vars hold room for eight, a 10,000-item list room for 16,384. Here small elements
/// (strings, env vars, ports, conditions: up to [`STACK_ELEMENT`] bytes) are gathered on the
/// stack, eight at a time, and moved into one allocation of the final size; larger ones (a
/// `Container`, a whole object) are pushed and the list is shrunk in place when it ends, which
/// hands the tail back to the allocator. A one-element array, the most common length in
/// Kubernetes objects, is always a single allocation of one element.
pub struct ExactVec<T>(pub Vec<T>);

/// Largest element [`ExactVec`] gathers on the stack before allocating.
pub const STACK_ELEMENT: usize = 256;

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ExactVec<T> {
    #[inline]
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(ExactVecVisitor(PhantomData))
    }
}

struct ExactVecVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ExactVecVisitor<T> {
    type Value = ExactVec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }

    #[inline]
    fn visit_seq<S: de::SeqAccess<'de>>(self, mut seq: S) -> Result<ExactVec<T>, S::Error> {
        gather_exact(|| seq.next_element()).map(ExactVec)
    }
}

/// Collect the items `next` yields until `None` into a `Vec` whose capacity is their number
/// (see [`ExactVec`]): small items gathered on the stack first, large ones pushed and shrunk.
#[inline]
pub(crate) fn gather_exact<T, E>(next: impl FnMut() -> Result<Option<T>, E>) -> Result<Vec<T>, E> {
    if std::mem::size_of::<T>() <= STACK_ELEMENT {
        gather_on_stack(next)
    } else {
        push_and_shrink(next)
    }
}

/// Up to eight elements on the stack, then one allocation of the exact size; longer arrays
/// continue on the heap and are shrunk at the end.
#[inline(never)]
fn gather_on_stack<T, E>(mut next: impl FnMut() -> Result<Option<T>, E>) -> Result<Vec<T>, E> {
    const N: usize = 8;
    let mut buf: [Option<T>; N] = Default::default();
    let mut n = 0;
    while n < N {
        match next()? {
            Some(x) => {
                if let Some(slot) = buf.get_mut(n) {
                    *slot = Some(x);
                }
                n += 1;
            }
            None => {
                let mut v = Vec::with_capacity(n);
                v.extend(buf.into_iter().take(n).flatten());
                return Ok(v);
            }
        }
    }
    let mut v = Vec::with_capacity(2 * N);
    v.extend(buf.into_iter().flatten());
    while let Some(x) = next()? {
        v.push(x);
    }
    v.shrink_to_fit();
    Ok(v)
}

/// Large elements are not moved twice: pushed, then the list is shrunk in place. Lists of one
/// or two (a pod's containers and volumes, mostly) are allocated at their length outright, with
/// no shrink that would leave a freed tail behind.
#[inline(never)]
fn push_and_shrink<T, E>(mut next: impl FnMut() -> Result<Option<T>, E>) -> Result<Vec<T>, E> {
    let Some(first) = next()? else {
        return Ok(Vec::new());
    };
    let Some(second) = next()? else {
        return Ok(vec![first]);
    };
    let Some(third) = next()? else {
        return Ok(vec![first, second]);
    };
    let mut v = Vec::with_capacity(4);
    v.extend([first, second, third]);
    while let Some(x) = next()? {
        v.push(x);
    }
    v.shrink_to_fit();
    Ok(v)
}

/// Decode a required field into `slot`, `null` as the zero value (see [`required`]).
#[inline]
pub fn req_field<'de, A: MapAccess<'de>, T: Deserialize<'de> + Default>(
    map: &mut A,
    slot: &mut T,
) -> Result<bool, A::Error> {
    *slot = required(map)?;
    Ok(true)
}

/// Check a fixed `apiVersion`/`kind` value (see [`expect_str`]); returns `Ok(true)`.
#[inline]
pub fn const_field<'de, A: MapAccess<'de>>(
    map: &mut A,
    field: &'static str,
    expected: &'static str,
    type_name: &'static str,
) -> Result<bool, A::Error> {
    expect_str(map, field, expected, type_name).map(|()| true)
}

/// Keep a key the type does not name (types whose schema preserves unknown fields); returns
/// `Ok(true)`: nothing is dropped.
#[inline]
pub fn unknown_field<'de, A: MapAccess<'de>>(
    map: &mut A,
    key: &str,
    extra: &mut std::collections::BTreeMap<String, serde_json::Value>,
) -> Result<bool, A::Error> {
    extra.insert(key.to_owned(), map.next_value()?);
    Ok(true)
}

/// Writes the fields of one struct; after the first error every further call is a no-op and
/// [`FieldWriter::finish`] returns that error. Generated `ser_fields` bodies are then one plain
/// call per field.
pub struct FieldWriter<'a, M: SerializeMap> {
    map: &'a mut M,
    error: Option<M::Error>,
}

impl<'a, M: SerializeMap> FieldWriter<'a, M> {
    /// Start writing into `map`.
    #[inline]
    pub fn new(map: &'a mut M) -> Self {
        FieldWriter { map, error: None }
    }

    /// Write `key: value`.
    #[inline]
    pub fn req<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        if self.error.is_none() {
            if let Err(e) = self.map.serialize_entry(key, value) {
                self.error = Some(e);
            }
        }
    }

    /// Write `key: value` when present.
    #[inline]
    pub fn opt<T: Serialize>(&mut self, key: &'static str, value: &Option<T>) {
        if let Some(v) = value {
            self.req(key, v);
        }
    }

    /// Write `key: value`, or `key: {}` when absent: a struct Go holds by value (a kind's
    /// `spec` or `status`) is always encoded.
    #[inline]
    pub fn opt_or_empty<T: Serialize>(&mut self, key: &'static str, value: &Option<T>) {
        match value {
            Some(v) => self.req(key, v),
            None => self.req(key, &EmptyObject),
        }
    }

    /// Write a required `format: byte` field: empty bytes as `null`, as Go writes the nil
    /// `[]byte` of an unset required field.
    #[inline]
    pub fn req_bytes(&mut self, key: &'static str, value: &crate::meta::ByteString) {
        if value.0.is_empty() {
            self.req(key, &());
        } else {
            self.req(key, value);
        }
    }

    /// Write the kept unknown fields (see [`unknown_field`]).
    #[inline]
    pub fn extra(&mut self, extra: &std::collections::BTreeMap<String, serde_json::Value>) {
        for (k, v) in extra {
            if self.error.is_none() {
                if let Err(e) = self.map.serialize_entry(k, v) {
                    self.error = Some(e);
                }
            }
        }
    }

    /// The first error, if any.
    #[inline]
    pub fn finish(self) -> Result<(), M::Error> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// `{}`.
struct EmptyObject;

impl Serialize for EmptyObject {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_map(Some(0))?.end()
    }
}

/// `Debug` for a generated struct, driven by its [`SerStruct`] impl: `Pod { metadata: {...}, spec: {...} }`
/// with each present field shown as compact JSON (pretty JSON under `{:#?}`).
///
/// Generated types call this from an `#[inline]` `Debug` impl instead of deriving `Debug`: a
/// derived `fmt` is compiled into the generated crate for every type whether or not anyone prints
/// it, while this generic function is only compiled where a program actually formats a value.
pub fn debug_struct<T: SerStruct + ?Sized>(
    value: &T,
    name: &str,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    let pretty = f.alternate();
    let mut out = f.debug_struct(name);
    let mut fields = DebugFields {
        out: &mut out,
        pretty,
        key: None,
    };
    value.ser_fields(&mut fields).map_err(|_| fmt::Error)?;
    out.finish()
}

struct DebugFields<'a, 'b, 'c> {
    out: &'a mut fmt::DebugStruct<'b, 'c>,
    pretty: bool,
    key: Option<String>,
}

/// The only way [`debug_struct`] fails: a field that cannot be shown as JSON.
#[derive(Debug)]
struct DebugError;

impl fmt::Display for DebugError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field cannot be formatted")
    }
}

impl std::error::Error for DebugError {}

impl serde::ser::Error for DebugError {
    fn custom<T: fmt::Display>(_: T) -> Self {
        DebugError
    }
}

/// Shows already-encoded JSON text verbatim.
struct Verbatim(String);

impl fmt::Debug for Verbatim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl SerializeMap for DebugFields<'_, '_, '_> {
    type Ok = ();
    type Error = DebugError;

    fn serialize_key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<(), DebugError> {
        let key = serde_json::to_value(key).map_err(|_| DebugError)?;
        self.key = Some(
            key.as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| key.to_string()),
        );
        Ok(())
    }

    fn serialize_value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), DebugError> {
        let text = if self.pretty {
            serde_json::to_string_pretty(value)
        } else {
            serde_json::to_string(value)
        };
        let text = text.map_err(|_| DebugError)?;
        let key = self.key.take().unwrap_or_default();
        self.out.field(&key, &Verbatim(text));
        Ok(())
    }

    fn end(self) -> Result<(), DebugError> {
        Ok(())
    }
}

struct StructVisitor<T>(PhantomData<T>);

impl<'de, T: DeStruct> Visitor<'de> for StructVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} object", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut out = T::default();
        out.before_fields();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if !out.de_field(key.as_str(), &mut map)? {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(out)
    }
}

/// A map key that borrows from the input when it can and otherwise lives inline; keys longer than
/// the inline buffer (rare in Kubernetes objects) fall back to the heap.
pub enum Key<'de> {
    /// Borrowed straight from the input buffer.
    Borrowed(&'de str),
    /// Copied into a stack buffer.
    Inline {
        /// The key's bytes, valid UTF-8 up to `len`.
        buf: [u8; 64],
        /// How many bytes of `buf` hold the key.
        len: u8,
    },
    /// Too long for the stack buffer.
    Owned(String),
}

impl<'de> Key<'de> {
    /// The key text.
    #[inline]
    pub fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            // The buffer holds a copy of a `&str` cut at its own length, so it is valid UTF-8.
            Key::Inline { buf, len } => std::str::from_utf8(&buf[..*len as usize]).unwrap_or(""),
            Key::Owned(s) => s,
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    #[inline]
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        KeySeed.deserialize(d)
    }
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key<'de>, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    #[inline]
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key::Borrowed(v))
    }

    #[inline]
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
        if v.len() <= 64 {
            let mut buf = [0u8; 64];
            buf[..v.len()].copy_from_slice(v.as_bytes());
            Ok(Key::Inline {
                buf,
                len: v.len() as u8,
            })
        } else {
            Ok(Key::Owned(v.to_owned()))
        }
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
        Ok(Key::Owned(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_bytes_decode_as_from_slice_does_valid_or_not() {
        let good = r#"{"name":"grüße","items":[1]}"#.as_bytes();
        let a: serde_json::Value = from_json_bytes(good).unwrap();
        let b: serde_json::Value = serde_json::from_slice(good).unwrap();
        assert_eq!(a, b);
        // Not UTF-8 inside a string: the error is serde_json's own, position included.
        let bad = b"{\"name\":\"a\xff\"}";
        let ours = from_json_bytes::<serde_json::Value>(bad)
            .unwrap_err()
            .to_string();
        let theirs = serde_json::from_slice::<serde_json::Value>(bad)
            .unwrap_err()
            .to_string();
        assert_eq!(ours, theirs);
    }

    #[derive(Default, Debug, PartialEq)]
    struct Probe {
        name: Option<String>,
        items: Vec<i32>,
    }

    impl DeStruct for Probe {
        const NAME: &'static str = "Probe";
        fn de_field<'de, A: MapAccess<'de>>(
            &mut self,
            key: &str,
            map: &mut A,
        ) -> Result<bool, A::Error> {
            // The shape generated code emits: one helper call per arm.
            match key {
                "name" => opt_field(map, &mut self.name),
                "items" => req_seq(map, &mut self.items),
                "kind" => const_field(map, "kind", "Probe", Self::NAME),
                _ => Ok(false),
            }
        }
    }

    impl<'de> Deserialize<'de> for Probe {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            deserialize_struct(d)
        }
    }

    impl SerStruct for Probe {
        fn ser_fields<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
            // The shape generated code emits.
            let mut w = FieldWriter::new(map);
            w.req("kind", "Probe");
            w.opt("name", &self.name);
            w.req("items", &self.items);
            w.finish()
        }
    }

    impl Serialize for Probe {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            serialize_struct(self, s)
        }
    }

    #[test]
    fn decodes_like_go() {
        let p: Probe =
            serde_json::from_str(r#"{"name":"a","items":null,"unknown":{"x":[1]}}"#).unwrap();
        assert_eq!(
            p,
            Probe {
                name: Some("a".into()),
                items: vec![]
            }
        );
        let p: Probe = serde_json::from_str(r#"{"items":[1,2]}"#).unwrap();
        assert_eq!(p.items, vec![1, 2]);
    }

    #[test]
    fn lists_are_allocated_to_their_length() {
        for n in [0usize, 1, 2, 3, 5, 9, 100] {
            let items: Vec<i32> = (0..n as i32).collect();
            let json = format!(r#"{{"items":{}}}"#, serde_json::to_string(&items).unwrap());
            let p: Probe = serde_json::from_str(&json).unwrap();
            assert_eq!(p.items, items);
            assert_eq!(p.items.capacity(), n, "{n} items");
        }
        let v: Option<ExactVec<String>> = serde_json::from_str("null").unwrap();
        assert!(v.is_none());
        let v: ExactVec<String> = serde_json::from_str(r#"["a","b","c"]"#).unwrap();
        assert_eq!((v.0.len(), v.0.capacity()), (3, 3));
        let v: Option<Vec<u8>> =
            de_opt_seq(&mut serde_json::Deserializer::from_str("[1,2,3,4,5]")).unwrap();
        assert_eq!(v.map(|v| (v.len(), v.capacity())), Some((5, 5)));
        // Elements too large to gather on the stack take the push-and-shrink path.
        type Big = ([u64; 32], u64);
        assert!(std::mem::size_of::<Big>() > STACK_ELEMENT);
        for n in [0usize, 1, 2, 3, 4, 5, 9] {
            let items: Vec<Big> = (0..n as u64).map(|i| ([i; 32], i)).collect();
            let json = serde_json::to_string(&items).unwrap();
            let v: ExactVec<Big> = serde_json::from_str(&json).unwrap();
            assert_eq!(v.0, items);
            assert_eq!(v.0.capacity(), n, "{n} large items");
        }
    }

    #[test]
    fn escaped_and_long_keys_are_matched() {
        let long = "k".repeat(100);
        let json = format!(r#"{{"na\u006de":"x","{long}":1}}"#);
        let p: Probe = serde_json::from_reader(json.as_bytes()).unwrap();
        assert_eq!(p.name.as_deref(), Some("x"));
    }

    #[test]
    fn wrong_kind_is_an_error_naming_both() {
        let err = serde_json::from_str::<Probe>(r#"{"kind":"Service"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("Service") && err.contains("Probe"), "{err}");
    }

    #[test]
    fn debug_shows_fields_as_json() {
        let p = Probe {
            name: Some("a".into()),
            items: vec![1, 2],
        };
        struct D<'a>(&'a Probe);
        impl fmt::Debug for D<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                debug_struct(self.0, "Probe", f)
            }
        }
        assert_eq!(
            format!("{:?}", D(&p)),
            r#"Probe { kind: "Probe", name: "a", items: [1,2] }"#
        );
    }

    #[test]
    fn encodes_present_fields_only() {
        let p = Probe {
            name: None,
            items: vec![3],
        };
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"kind":"Probe","items":[3]}"#
        );
    }
}
