//! How each Rust field type is written as a protobuf field: the [`Value`] trait, its impls for
//! scalars and containers, and [`Message`], which generated structs implement field by field.

use super::wire::{DecodeError, Reader, WireType, Writer};
use crate::meta::ByteString;
use crate::Map;

/// A struct encoded as a protobuf message (Kubernetes' `generated.proto`). Generated types
/// implement it with one call per field into this module.
pub trait Message: Default {
    /// Write every field, in ascending field-number order as Go does.
    fn encode_fields(&self, w: &mut Writer);
    /// Merge one field read from the wire; unknown numbers are skipped.
    fn merge_field(
        &mut self,
        field: u32,
        wire: WireType,
        r: &mut Reader<'_>,
    ) -> Result<(), DecodeError>;
    /// Take `apiVersion` and `kind` from the envelope, for types that hold them as fields
    /// (`Status`, `DeleteOptions`); protobuf messages never carry them.
    fn set_type_meta(&mut self, api_version: &str, kind: &str) {
        let _ = (api_version, kind);
    }
    /// Called before the message is merged as a field of another: types that hold `apiVersion`
    /// and `kind` record that they were left out, as Go leaves them empty in nested objects.
    #[inline]
    fn mark_nested(&mut self) {}
}

/// Every message is a value: a length-delimited field. One blanket impl rather than one per
/// generated type keeps the generated crate smaller to compile.
impl<M: Message> Value for M {
    #[inline]
    fn encode_value(&self, field: u32, w: &mut Writer) {
        encode_message(self, field, w);
    }
    #[inline]
    fn merge_value(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        self.mark_nested();
        merge_message(self, wire, r)
    }
}

/// A Rust value that is one protobuf field (or, for `Vec`/maps, a repeated one).
pub trait Value {
    /// Write the value as field `field` (nothing for an absent `Option` or an empty `Vec`).
    fn encode_value(&self, field: u32, w: &mut Writer);
    /// Merge one occurrence of the field.
    fn merge_value(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError>;
    /// Wire type of each element when a repeated field of this type arrives packed.
    const PACKED: Option<WireType> = None;
}

/// Decode a whole message.
pub fn decode<M: Message>(bytes: &[u8]) -> Result<M, DecodeError> {
    let mut m = M::default();
    merge(&mut m, &mut Reader::new(bytes))?;
    Ok(m)
}

/// Encode a whole message.
pub fn encode<M: Message>(m: &M) -> Result<Vec<u8>, super::EncodeError> {
    let mut w = Writer::new();
    m.encode_fields(&mut w);
    w.finish()
}

/// Merge every field left in `r` into `m`.
#[inline]
pub fn merge<M: Message>(m: &mut M, r: &mut Reader<'_>) -> Result<(), DecodeError> {
    while !r.is_empty() {
        let (field, wire) = r.key()?;
        m.merge_field(field, wire, r)?;
    }
    Ok(())
}

/// [`Value::encode_value`] of a message type: a length-delimited field.
#[inline]
pub fn encode_message<M: Message>(m: &M, field: u32, w: &mut Writer) {
    w.nested(field, |w| m.encode_fields(w));
}

/// [`Value::merge_value`] of a message type.
#[inline]
pub fn merge_message<M: Message>(
    m: &mut M,
    wire: WireType,
    r: &mut Reader<'_>,
) -> Result<(), DecodeError> {
    r.expect(wire, WireType::LengthDelimited)?;
    merge(m, &mut r.nested()?)
}

/// Merge field `name` (for the error path) of a generated struct.
#[inline]
pub fn field<V: Value>(
    v: &mut V,
    wire: WireType,
    r: &mut Reader<'_>,
    name: &'static str,
) -> Result<(), DecodeError> {
    v.merge_value(wire, r).map_err(|e| e.at(name))
}

/// Merge the message of a Go struct embedded in a generated one: its fields are the outer
/// struct's own in JSON, and `merge` dispatches them by number.
#[inline]
pub fn embedded(
    wire: WireType,
    r: &mut Reader<'_>,
    mut merge: impl FnMut(u32, WireType, &mut Reader<'_>) -> Result<(), DecodeError>,
) -> Result<(), DecodeError> {
    r.expect(wire, WireType::LengthDelimited)?;
    let mut inner = r.nested()?;
    while !inner.is_empty() {
        let (field, wire) = inner.key()?;
        merge(field, wire, &mut inner)?;
    }
    Ok(())
}

/// Merge a field Go holds by value (not behind a pointer) into an `Option`: Go writes it even
/// when zero, and its JSON form leaves a zero out, so a zero read is `None`, as from JSON.
#[inline]
pub fn field_go_value<V: Value + Default + PartialEq>(
    v: &mut Option<V>,
    wire: WireType,
    r: &mut Reader<'_>,
    name: &'static str,
) -> Result<(), DecodeError> {
    field(v, wire, r, name)?;
    if v.as_ref().is_some_and(|x| *x == V::default()) {
        *v = None;
    }
    Ok(())
}

/// Write a field Go holds by value (`spec`, `status`): an absent one is written empty.
#[inline]
pub fn by_value<V: Value + Default>(v: &Option<V>, field: u32, w: &mut Writer) {
    match v {
        Some(v) => v.encode_value(field, w),
        None => V::default().encode_value(field, w),
    }
}

/// Both owned string types: written as their bytes, read as checked UTF-8.
macro_rules! string_value {
    ($($t:ty),*) => {$(
        impl Value for $t {
            #[inline]
            fn encode_value(&self, field: u32, w: &mut Writer) {
                w.bytes_field(field, self.as_bytes());
            }
            #[inline]
            fn merge_value(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
                *self = read_text(wire, r)?;
                Ok(())
            }
        }
    )*};
}
string_value!(String, crate::Str);

/// A length-delimited field as text.
#[inline]
pub(crate) fn read_str<'a>(wire: WireType, r: &mut Reader<'a>) -> Result<&'a str, DecodeError> {
    r.expect(wire, WireType::LengthDelimited)?;
    utf8(r.bytes()?, "string")
}

/// Texts shorter than this are checked in a zero-padded copy (see [`read_text`]).
const SHORT_TEXT: usize = 64;

/// A length-delimited field as an owned text. String validation is a large share of a
/// protobuf decode, and most strings are short (names, label values, UIDs): simdutf8 hands
/// anything under 64 bytes to the standard library's byte-at-a-time check, so a short text is
/// checked as one SIMD block of itself followed by zeros. Zeros are ASCII, so the block is
/// valid exactly when the text is (a text cut inside a character leaves a lead byte before a
/// zero, which is invalid), and `get(..len)` only checks the one boundary.
#[inline]
fn read_text<T: for<'s> From<&'s str>>(
    wire: WireType,
    r: &mut Reader<'_>,
) -> Result<T, DecodeError> {
    r.expect(wire, WireType::LengthDelimited)?;
    let bytes = r.bytes()?;
    if bytes.len() < SHORT_TEXT {
        let mut block = [0u8; SHORT_TEXT];
        block[..bytes.len()].copy_from_slice(bytes);
        let text = simdutf8::basic::from_utf8(&block)
            .ok()
            .and_then(|s| s.get(..bytes.len()));
        if let Some(text) = text {
            return Ok(T::from(text));
        }
    }
    utf8(bytes, "string").map(T::from)
}

/// `bytes` as text, or an error naming `what` and where the bytes stop being UTF-8.
#[inline]
pub(crate) fn utf8<'a>(bytes: &'a [u8], what: &str) -> Result<&'a str, DecodeError> {
    simdutf8::basic::from_utf8(bytes).map_err(|_| {
        // The slow check again, only to say where.
        let why = std::str::from_utf8(bytes)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        DecodeError::new(format!("{what} is not UTF-8: {why}"))
    })
}

impl Value for ByteString {
    fn encode_value(&self, field: u32, w: &mut Writer) {
        w.bytes_field(field, &self.0);
    }
    fn merge_value(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        r.expect(wire, WireType::LengthDelimited)?;
        self.0 = r.bytes()?.to_vec();
        Ok(())
    }
}

impl Value for bool {
    #[inline]
    fn encode_value(&self, field: u32, w: &mut Writer) {
        w.key(field, WireType::Varint);
        w.varint(u64::from(*self));
    }
    #[inline]
    fn merge_value(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        r.expect(wire, WireType::Varint)?;
        *self = r.varint()? != 0;
        Ok(())
    }
    const PACKED: Option<WireType> = Some(WireType::Varint);
}

impl Value for i32 {
    #[inline]
    fn encode_value(&self, field: u32, w: &mut Writer) {
        w.key(field, WireType::Varint);
        // Negative int32s are sign-extended to ten bytes, as protobuf specifies.
        w.varint(i64::from(*self) as u64);
    }
    #[inline]
    fn merge_value(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        r.expect(wire, WireType::Varint)?;
        // Truncation is protobuf's rule for int32 (an int64 writer's value keeps its low bits).
        *self = r.varint()? as i32;
        Ok(())
    }
    const PACKED: Option<WireType> = Some(WireType::Varint);
}

impl Value for i64 {
    #[inline]
    fn encode_value(&self, field: u32, w: &mut Writer) {
        w.key(field, WireType::Varint);
        w.varint(*self as u64);
    }
    #[inline]
    fn merge_value(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        r.expect(wire, WireType::Varint)?;
        *self = r.varint()? as i64;
        Ok(())
    }
    const PACKED: Option<WireType> = Some(WireType::Varint);
}

impl Value for f64 {
    fn encode_value(&self, field: u32, w: &mut Writer) {
        w.key(field, WireType::SixtyFourBit);
        w.fixed64(self.to_bits());
    }
    fn merge_value(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        r.expect(wire, WireType::SixtyFourBit)?;
        *self = f64::from_bits(r.fixed64()?);
        Ok(())
    }
    const PACKED: Option<WireType> = Some(WireType::SixtyFourBit);
}

impl<V: Value + Default> Value for Option<V> {
    #[inline]
    fn encode_value(&self, field: u32, w: &mut Writer) {
        if let Some(v) = self {
            v.encode_value(field, w);
        }
    }
    #[inline]
    fn merge_value(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        self.get_or_insert_with(V::default).merge_value(wire, r)
    }
}

/// A boxed message (recursive types such as `JSONSchemaProps`) is the message itself.
impl<M: Message> Message for Box<M> {
    #[inline]
    fn encode_fields(&self, w: &mut Writer) {
        (**self).encode_fields(w);
    }
    #[inline]
    fn merge_field(
        &mut self,
        field: u32,
        wire: WireType,
        r: &mut Reader<'_>,
    ) -> Result<(), DecodeError> {
        (**self).merge_field(field, wire, r)
    }
    fn set_type_meta(&mut self, api_version: &str, kind: &str) {
        (**self).set_type_meta(api_version, kind);
    }
    #[inline]
    fn mark_nested(&mut self) {
        (**self).mark_nested();
    }
}

impl<V: Value + Default> Value for Vec<V> {
    #[inline]
    fn encode_value(&self, field: u32, w: &mut Writer) {
        for v in self {
            v.encode_value(field, w);
        }
    }
    fn merge_value(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        if let (Some(element), WireType::LengthDelimited) = (V::PACKED, wire) {
            // A packed run of scalars (Go writes them unpacked, but accepts both).
            let mut inner = Reader::new(r.bytes()?);
            while !inner.is_empty() {
                let mut v = V::default();
                v.merge_value(element, &mut inner)?;
                self.push(v);
            }
            return Ok(());
        }
        if self.capacity() == 0 {
            // The first element: room for the whole run at once (no regrowth, no slack).
            self.reserve_exact(r.run_length(wire));
        }
        // Merged in place: a large element (a `Container` is 440 bytes) is not moved after.
        self.push(V::default());
        match self.last_mut() {
            Some(v) => v.merge_value(wire, r),
            None => Ok(()),
        }
    }
}

/// `map<string, V>`: one entry message per key, in key order as Go sorts them.
impl<K: Value + Default + Ord, V: Value + Default> Value for Map<K, V> {
    fn encode_value(&self, field: u32, w: &mut Writer) {
        encode_entries(self, field, w, |v, w| v.encode_value(2, w));
    }
    fn merge_value(&mut self, wire: WireType, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        merge_entry(self, wire, r, V::merge_value)
    }
}

/// Writes a map as protobuf does: one `{1: key, 2: value}` message per entry, the value written
/// by `encode_v` (so a codec other than the value's own can write it).
pub(crate) fn encode_entries<K: Value, V>(
    map: &Map<K, V>,
    field: u32,
    w: &mut Writer,
    mut encode_v: impl FnMut(&V, &mut Writer),
) {
    for (k, v) in map {
        w.nested(field, |w| {
            k.encode_value(1, w);
            encode_v(v, w);
        });
    }
}

/// Reads one map entry message and adds it, the value read by `merge_v`. The first entry
/// reserves room for the whole run at once, as lists do.
pub(crate) fn merge_entry<K: Value + Default + Ord, V: Default>(
    map: &mut Map<K, V>,
    wire: WireType,
    r: &mut Reader<'_>,
    merge_v: impl Fn(&mut V, WireType, &mut Reader<'_>) -> Result<(), DecodeError>,
) -> Result<(), DecodeError> {
    r.expect(wire, WireType::LengthDelimited)?;
    if map.is_empty() {
        map.reserve_exact(r.run_length(wire));
    }
    let mut entry = r.nested()?;
    let (mut k, mut v) = (K::default(), V::default());
    while !entry.is_empty() {
        match entry.key()? {
            (1, wire) => k.merge_value(wire, &mut entry)?,
            (2, wire) => merge_v(&mut v, wire, &mut entry).map_err(|e| e.at("<value>"))?,
            (_, wire) => entry.skip(wire)?,
        }
    }
    map.push_sorted(k, v);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_decodes_at_exactly_its_length_whatever_its_key_order() {
        let mut w = Writer::new();
        for k in ["b", "a", "c"] {
            w.nested(3, |w| {
                k.to_owned().encode_value(1, w);
                format!("v{k}").encode_value(2, w);
            });
        }
        let bytes = w.finish().unwrap();
        let mut r = Reader::new(&bytes);
        let mut m: Map<crate::Str, crate::Str> = Map::default();
        while !r.is_empty() {
            let (field, wire) = r.key().unwrap();
            assert_eq!(field, 3);
            m.merge_value(wire, &mut r).unwrap();
        }
        let keys: Vec<&str> = m.keys().map(|k| k.as_str()).collect();
        assert_eq!(keys, ["a", "b", "c"]);
        assert_eq!(m["a"], "va");
        assert_eq!(m.into_entries().capacity(), 3);
    }

    #[test]
    fn texts_are_checked_as_utf8_at_every_length() {
        let read = |bytes: &[u8]| {
            let mut w = Writer::new();
            w.bytes_field(1, bytes);
            let out = w.finish().unwrap();
            let mut r = Reader::new(&out);
            let (_, wire) = r.key().unwrap();
            let mut s = crate::Str::default();
            s.merge_value(wire, &mut r).map(|()| s)
        };
        for len in [0, 1, 7, 62, 63, 64, 65, 200] {
            // Valid: ASCII, and text ending in a two-byte character.
            let ascii = "a".repeat(len);
            assert_eq!(read(ascii.as_bytes()).unwrap(), ascii.as_str());
            let accented = format!("{}é", "a".repeat(len));
            assert_eq!(read(accented.as_bytes()).unwrap(), accented.as_str());
            // Invalid: cut inside that character, a lone continuation byte, a stray 0xff.
            let bytes = accented.as_bytes();
            let err = read(&bytes[..bytes.len() - 1]).unwrap_err().to_string();
            assert!(err.contains("not UTF-8"), "{len}: {err}");
            let mut stray = ascii.clone().into_bytes();
            stray.push(0x80);
            assert!(read(&stray).is_err(), "{len}");
            stray.insert(0, 0xff);
            assert!(read(&stray).is_err(), "{len}");
        }
    }
}
