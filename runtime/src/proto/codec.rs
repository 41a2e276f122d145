//! Field codecs for the few fields whose Rust type is not their protobuf shape: JSON-typed
//! fields (`JSONSchemaProps.default` is `serde_json::Value` in Rust and a message holding raw
//! JSON bytes in Go) and lists Go wraps in a message (`map<string, ExtraValue>` where the
//! OpenAPI spec has `map<string, []string>`). Generated code names a codec per such field
//! (`Opt<Entries<Wrapped<Plain<Vec<String>>>>>`); every other field goes through [`Value`].

use super::value::{encode_entries, encode_message, merge_entry, merge_message, Message, Value};
use super::wire::{DecodeError, Reader, WireType, Writer};
use serde::{de::DeserializeOwned, Serialize};
use std::marker::PhantomData;

/// How one field of a given Rust type is written and read.
pub trait Codec {
    /// The Rust type of the field.
    type Target: Default;
    /// Write `v` as field `field`.
    fn encode(v: &Self::Target, field: u32, w: &mut Writer);
    /// Merge one occurrence of the field.
    fn merge(v: &mut Self::Target, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError>;
}

/// Write field `field` with codec `C`.
#[inline]
pub fn encode_with<C: Codec>(v: &C::Target, field: u32, w: &mut Writer) {
    C::encode(v, field, w);
}

/// Merge field `name` with codec `C`.
#[inline]
pub fn merge_with<C: Codec>(
    v: &mut C::Target,
    wire: WireType,
    r: &mut Reader<'_>,
    name: &'static str,
) -> Result<(), DecodeError> {
    C::merge(v, wire, r).map_err(|e| e.at(name))
}

/// A type that is its own protobuf shape.
pub struct Plain<T>(PhantomData<T>);

impl<T: Value + Default> Codec for Plain<T> {
    type Target = T;
    fn encode(v: &T, field: u32, w: &mut Writer) {
        v.encode_value(field, w);
    }
    fn merge(v: &mut T, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        v.merge_value(wire, r)
    }
}

/// An optional field.
pub struct Opt<C>(PhantomData<C>);

impl<C: Codec> Codec for Opt<C> {
    type Target = Option<C::Target>;
    fn encode(v: &Self::Target, field: u32, w: &mut Writer) {
        if let Some(v) = v {
            C::encode(v, field, w);
        }
    }
    fn merge(v: &mut Self::Target, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        C::merge(v.get_or_insert_with(Default::default), wire, r)
    }
}

/// A repeated field of elements written by `C`.
pub struct Rep<C>(PhantomData<C>);

impl<C: Codec> Codec for Rep<C> {
    type Target = Vec<C::Target>;
    fn encode(v: &Self::Target, field: u32, w: &mut Writer) {
        for e in v {
            C::encode(e, field, w);
        }
    }
    fn merge(v: &mut Self::Target, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        let mut e = C::Target::default();
        C::merge(&mut e, wire, r)?;
        v.push(e);
        Ok(())
    }
}

/// A `map<string, V>` whose values are written by `C`.
pub struct Entries<C>(PhantomData<C>);

impl<C: Codec> Codec for Entries<C> {
    type Target = crate::Map<crate::Str, C::Target>;
    fn encode(v: &Self::Target, field: u32, w: &mut Writer) {
        encode_entries(v, field, w, |e, w| C::encode(e, 2, w));
    }
    fn merge(v: &mut Self::Target, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        merge_entry(v, wire, r, C::merge)
    }
}

/// A value Go wraps in a one-field message (`ExtraValue { repeated string items = 1; }`).
pub struct Wrapped<C>(PhantomData<C>);

impl<C: Codec> Codec for Wrapped<C> {
    type Target = C::Target;
    fn encode(v: &Self::Target, field: u32, w: &mut Writer) {
        w.nested(field, |w| C::encode(v, 1, w));
    }
    fn merge(v: &mut Self::Target, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        r.expect(wire, WireType::LengthDelimited)?;
        let mut inner = r.nested()?;
        while !inner.is_empty() {
            match inner.key()? {
                (1, wire) => C::merge(v, wire, &mut inner)?,
                (_, wire) => inner.skip(wire)?,
            }
        }
        Ok(())
    }
}

/// Any JSON as a message holding its text in field 1 (`apiextensions` `JSON { bytes raw = 1; }`,
/// `runtime.RawExtension`). Absent or empty text is JSON `null`.
pub struct RawJson;

/// Write `v` as a message whose field 1 is its JSON text.
pub(super) fn encode_raw_json(v: &serde_json::Value, field: u32, w: &mut Writer) {
    match serde_json::to_vec(v) {
        Ok(text) => w.nested(field, |w| {
            if !v.is_null() {
                w.bytes_field(1, &text);
            }
        }),
        Err(e) => w.fail(field, e.to_string()),
    }
}

/// Read a message whose field 1 is JSON text.
pub(super) fn merge_raw_json(
    v: &mut serde_json::Value,
    wire: WireType,
    r: &mut Reader<'_>,
) -> Result<(), DecodeError> {
    r.expect(wire, WireType::LengthDelimited)?;
    let mut inner = r.nested()?;
    while !inner.is_empty() {
        match inner.key()? {
            (1, WireType::LengthDelimited) => {
                let text = inner.bytes()?;
                *v = if text.is_empty() {
                    serde_json::Value::Null
                } else {
                    serde_json::from_slice(text)
                        .map_err(|e| DecodeError::new(format!("raw is not JSON: {e}")))?
                };
            }
            (_, wire) => inner.skip(wire)?,
        }
    }
    Ok(())
}

impl Codec for RawJson {
    type Target = serde_json::Value;
    fn encode(v: &Self::Target, field: u32, w: &mut Writer) {
        encode_raw_json(v, field, w);
    }
    fn merge(v: &mut Self::Target, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        merge_raw_json(v, wire, r)
    }
}

/// Convert a JSON value to the typed message `P` (for the JSON-or-X unions below).
fn typed<P: DeserializeOwned>(v: &serde_json::Value, field: u32, w: &mut Writer) -> Option<P> {
    match P::deserialize(v) {
        Ok(p) => Some(p),
        Err(e) => {
            w.fail(field, e.to_string());
            None
        }
    }
}

fn untyped<P: Serialize>(p: &P) -> Result<serde_json::Value, DecodeError> {
    serde_json::to_value(p).map_err(|e| DecodeError::new(e.to_string()))
}

/// Read a nested message of type `P`, as JSON.
fn merge_typed<P: Message + Serialize>(
    wire: WireType,
    r: &mut Reader<'_>,
) -> Result<serde_json::Value, DecodeError> {
    let mut p = P::default();
    merge_message(&mut p, wire, r)?;
    untyped(&p)
}

/// `JSONSchemaPropsOrBool`: JSON `true`/`false` or a schema; Go's message is
/// `{ bool allows = 1; JSONSchemaProps schema = 2; }`.
pub struct OrBool<P>(PhantomData<P>);

impl<P: Message + Serialize + DeserializeOwned> Codec for OrBool<P> {
    type Target = serde_json::Value;
    fn encode(v: &Self::Target, field: u32, w: &mut Writer) {
        match v {
            serde_json::Value::Bool(b) => w.nested(field, |w| b.encode_value(1, w)),
            other => {
                if let Some(p) = typed::<P>(other, field, w) {
                    w.nested(field, |w| {
                        true.encode_value(1, w);
                        encode_message(&p, 2, w);
                    });
                }
            }
        }
    }
    fn merge(v: &mut Self::Target, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        r.expect(wire, WireType::LengthDelimited)?;
        let mut inner = r.nested()?;
        let (mut allows, mut schema) = (false, None);
        while !inner.is_empty() {
            match inner.key()? {
                (1, wire) => allows.merge_value(wire, &mut inner)?,
                (2, wire) => schema = Some(merge_typed::<P>(wire, &mut inner)?),
                (_, wire) => inner.skip(wire)?,
            }
        }
        *v = schema.unwrap_or(serde_json::Value::Bool(allows));
        Ok(())
    }
}

/// `JSONSchemaPropsOrArray`: a schema or an array of schemas;
/// `{ JSONSchemaProps schema = 1; repeated JSONSchemaProps jSONSchemas = 2; }`.
pub struct OrArray<P>(PhantomData<P>);

impl<P: Message + Serialize + DeserializeOwned> Codec for OrArray<P> {
    type Target = serde_json::Value;
    fn encode(v: &Self::Target, field: u32, w: &mut Writer) {
        match v {
            serde_json::Value::Array(items) => {
                let typed: Option<Vec<P>> = items.iter().map(|i| typed::<P>(i, field, w)).collect();
                if let Some(items) = typed {
                    w.nested(field, |w| {
                        for i in &items {
                            encode_message(i, 2, w);
                        }
                    });
                }
            }
            other => {
                if let Some(p) = typed::<P>(other, field, w) {
                    w.nested(field, |w| encode_message(&p, 1, w));
                }
            }
        }
    }
    fn merge(v: &mut Self::Target, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        r.expect(wire, WireType::LengthDelimited)?;
        let mut inner = r.nested()?;
        let (mut schema, mut list) = (serde_json::Value::Null, Vec::new());
        while !inner.is_empty() {
            match inner.key()? {
                (1, wire) => schema = merge_typed::<P>(wire, &mut inner)?,
                (2, wire) => list.push(merge_typed::<P>(wire, &mut inner)?),
                (_, wire) => inner.skip(wire)?,
            }
        }
        // Go's JSON form: the array when it has items, else the schema.
        *v = if list.is_empty() {
            schema
        } else {
            serde_json::Value::Array(list)
        };
        Ok(())
    }
}

/// `JSONSchemaPropsOrStringArray`: a schema or a list of property names;
/// `{ JSONSchemaProps schema = 1; repeated string property = 2; }`.
pub struct OrStringArray<P>(PhantomData<P>);

impl<P: Message + Serialize + DeserializeOwned> Codec for OrStringArray<P> {
    type Target = serde_json::Value;
    fn encode(v: &Self::Target, field: u32, w: &mut Writer) {
        match v {
            serde_json::Value::Array(items) => {
                let names: Option<Vec<&str>> = items.iter().map(|i| i.as_str()).collect();
                match names {
                    Some(names) => w.nested(field, |w| {
                        for n in names {
                            w.bytes_field(2, n.as_bytes());
                        }
                    }),
                    None => w.fail(field, "an array here must hold strings"),
                }
            }
            other => {
                if let Some(p) = typed::<P>(other, field, w) {
                    w.nested(field, |w| encode_message(&p, 1, w));
                }
            }
        }
    }
    fn merge(v: &mut Self::Target, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        r.expect(wire, WireType::LengthDelimited)?;
        let mut inner = r.nested()?;
        let (mut schema, mut names) = (serde_json::Value::Null, Vec::new());
        while !inner.is_empty() {
            match inner.key()? {
                (1, wire) => schema = merge_typed::<P>(wire, &mut inner)?,
                (2, wire) => {
                    let mut s = String::new();
                    s.merge_value(wire, &mut inner)?;
                    names.push(serde_json::Value::String(s));
                }
                (_, wire) => inner.skip(wire)?,
            }
        }
        *v = if names.is_empty() {
            schema
        } else {
            serde_json::Value::Array(names)
        };
        Ok(())
    }
}
