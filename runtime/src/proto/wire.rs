//! The wire layer: a bounds-checked reader and a writer of protobuf fields, on `prost`'s varint
//! and key primitives. Input is untrusted: every length is checked against the bytes left,
//! nesting is bounded, and nothing here panics.

pub use prost::encoding::WireType;
use prost::encoding::{decode_key, decode_varint, encode_key, encode_varint};
use std::borrow::Cow;
use std::fmt;

/// Deepest nesting of messages a decode accepts (a CRD schema nests deepest; Go's JSON decoder
/// stops at 10,000 levels, far past any real object).
pub const MAX_DEPTH: usize = 100;

/// Why protobuf bytes could not be decoded, and where: the path of fields from the outermost
/// type (`Pod.spec.containers.image`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Field names, innermost first (pushed while the error travels up).
    path: Vec<Cow<'static, str>>,
    message: String,
}

impl DecodeError {
    /// An error with no location yet.
    pub fn new(message: impl Into<String>) -> Self {
        DecodeError {
            path: Vec::new(),
            message: message.into(),
        }
    }

    /// The same error, located inside `segment` (a field or type name).
    #[must_use]
    pub fn at(mut self, segment: impl Into<Cow<'static, str>>) -> Self {
        self.path.push(segment.into());
        self
    }

    /// `Pod.spec.containers`, outermost first; empty when the error is at the top.
    pub fn path(&self) -> String {
        let p: Vec<&str> = self.path.iter().rev().map(|s| s.as_ref()).collect();
        p.join(".")
    }

    /// What went wrong, without the location.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "protobuf: {}", self.message)
        } else {
            write!(f, "protobuf: {}: {}", self.path(), self.message)
        }
    }
}

impl std::error::Error for DecodeError {}

/// Why a value could not be encoded (a JSON-typed field whose value does not fit the message
/// Go defines for it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("protobuf: cannot encode {field}: {message}")]
pub struct EncodeError {
    /// Field number of the value that could not be written.
    pub field: u32,
    /// What was wrong with it.
    pub message: String,
}

/// Cursor over one message's bytes.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    depth: usize,
    /// Number of the field whose key was read last (see [`Reader::run_length`]).
    field: u32,
}

/// The wire type in a one-byte key, unless it is a group (never used by Kubernetes) or invalid:
/// those go the slow way, which reports them.
#[inline]
fn one_byte_wire_type(key: u8) -> Option<WireType> {
    match key & 7 {
        0 => Some(WireType::Varint),
        1 => Some(WireType::SixtyFourBit),
        2 => Some(WireType::LengthDelimited),
        5 => Some(WireType::ThirtyTwoBit),
        _ => None,
    }
}

fn wire_name(w: WireType) -> &'static str {
    match w {
        WireType::Varint => "varint",
        WireType::SixtyFourBit => "fixed64",
        WireType::LengthDelimited => "length-delimited",
        WireType::StartGroup => "start-group",
        WireType::EndGroup => "end-group",
        WireType::ThirtyTwoBit => "fixed32",
    }
}

impl<'a> Reader<'a> {
    /// A reader of a whole top-level message.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader {
            buf,
            depth: 0,
            field: 0,
        }
    }

    /// Whether every byte was read.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The next field's number and wire type.
    #[inline]
    pub fn key(&mut self) -> Result<(u32, WireType), DecodeError> {
        // Fields 1-15 have one-byte keys: nearly every key in a Kubernetes object.
        if let Some((&b, rest)) = self.buf.split_first() {
            let field = u32::from(b >> 3);
            if b < 0x80 && field != 0 {
                if let Some(wire) = one_byte_wire_type(b) {
                    self.buf = rest;
                    self.field = field;
                    return Ok((field, wire));
                }
            }
        }
        self.key_slow()
    }

    #[cold]
    fn key_slow(&mut self) -> Result<(u32, WireType), DecodeError> {
        let (field, wire) = decode_key(&mut self.buf)
            .map_err(|e| DecodeError::new(format!("bad field key: {e}")))?;
        self.field = field;
        Ok((field, wire))
    }

    /// How many occurrences of the field whose key was just read follow one another from here,
    /// this one included (Go writes the elements of a repeated field together), so a list can
    /// be allocated once at its size. Only looks ahead; malformed bytes end the count.
    pub fn run_length(&self, wire: WireType) -> usize {
        let mut ahead = Reader {
            buf: self.buf,
            depth: self.depth,
            field: self.field,
        };
        let mut n = 0;
        loop {
            if ahead.skip(wire).is_err() {
                return n.max(1);
            }
            n += 1;
            // The end of the message ends the run; asking `key` there would build (and drop)
            // an error message, one allocation per list decoded.
            if ahead.is_empty() {
                return n;
            }
            match ahead.key() {
                Ok((f, w)) if f == self.field && w == wire => {}
                _ => return n,
            }
        }
    }

    /// Fail unless the field has the wire type its Rust type needs.
    #[inline]
    pub fn expect(&self, got: WireType, want: WireType) -> Result<(), DecodeError> {
        if got == want {
            Ok(())
        } else {
            Err(DecodeError::new(format!(
                "wire type {} where {} was expected",
                wire_name(got),
                wire_name(want)
            )))
        }
    }

    /// A varint.
    #[inline]
    pub fn varint(&mut self) -> Result<u64, DecodeError> {
        // Most varints (lengths of short strings and small messages, bools, enums) are one byte.
        if let Some((&b, rest)) = self.buf.split_first() {
            if b < 0x80 {
                self.buf = rest;
                return Ok(u64::from(b));
            }
        }
        self.varint_slow()
    }

    fn varint_slow(&mut self) -> Result<u64, DecodeError> {
        decode_varint(&mut self.buf).map_err(|e| DecodeError::new(format!("bad varint: {e}")))
    }

    /// Eight little-endian bytes.
    pub fn fixed64(&mut self) -> Result<u64, DecodeError> {
        let (head, rest) = self
            .buf
            .split_first_chunk::<8>()
            .ok_or_else(|| DecodeError::new("truncated fixed64"))?;
        self.buf = rest;
        Ok(u64::from_le_bytes(*head))
    }

    fn fixed32(&mut self) -> Result<u32, DecodeError> {
        let (head, rest) = self
            .buf
            .split_first_chunk::<4>()
            .ok_or_else(|| DecodeError::new("truncated fixed32"))?;
        self.buf = rest;
        Ok(u32::from_le_bytes(*head))
    }

    /// The payload of a length-delimited field, checked against the bytes left.
    #[inline]
    pub fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = self.varint()?;
        let len = usize::try_from(len)
            .ok()
            .filter(|l| *l <= self.buf.len())
            .ok_or_else(|| {
                DecodeError::new(format!(
                    "length {len} exceeds the {} bytes left",
                    self.buf.len()
                ))
            })?;
        let (head, rest) = self.buf.split_at(len);
        self.buf = rest;
        Ok(head)
    }

    /// A reader of the nested message in the next length-delimited field, one level deeper.
    pub fn nested(&mut self) -> Result<Reader<'a>, DecodeError> {
        let depth = self.depth + 1;
        if depth > MAX_DEPTH {
            return Err(DecodeError::new(format!(
                "messages nested deeper than {MAX_DEPTH} levels"
            )));
        }
        Ok(Reader {
            buf: self.bytes()?,
            depth,
            field: 0,
        })
    }

    /// Skip a field this type does not know, as Go does.
    pub fn skip(&mut self, wire: WireType) -> Result<(), DecodeError> {
        match wire {
            WireType::Varint => self.varint().map(drop),
            WireType::SixtyFourBit => self.fixed64().map(drop),
            WireType::ThirtyTwoBit => self.fixed32().map(drop),
            WireType::LengthDelimited => self.bytes().map(drop),
            // Kubernetes' messages never use groups (deprecated since proto2).
            WireType::StartGroup | WireType::EndGroup => {
                Err(DecodeError::new("groups are not supported"))
            }
        }
    }
}

/// Output buffer of an encode.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
    error: Option<EncodeError>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Writer::default()
    }

    /// A writer that appends to `buf`.
    pub fn with_buffer(buf: Vec<u8>) -> Self {
        Writer { buf, error: None }
    }

    /// The bytes written, or the first error met.
    pub fn finish(self) -> Result<Vec<u8>, EncodeError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.buf),
        }
    }

    /// Record that a value could not be written (the first error is kept).
    pub fn fail(&mut self, field: u32, message: impl Into<String>) {
        if self.error.is_none() {
            self.error = Some(EncodeError {
                field,
                message: message.into(),
            });
        }
    }

    /// A field key.
    #[inline]
    pub fn key(&mut self, field: u32, wire: WireType) {
        encode_key(field, wire, &mut self.buf);
    }

    /// A bare varint.
    #[inline]
    pub fn varint(&mut self, v: u64) {
        encode_varint(v, &mut self.buf);
    }

    /// A bare fixed64.
    #[inline]
    pub fn fixed64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A length-delimited field holding `bytes`.
    #[inline]
    pub fn bytes_field(&mut self, field: u32, bytes: &[u8]) {
        self.key(field, WireType::LengthDelimited);
        encode_varint(bytes.len() as u64, &mut self.buf);
        self.buf.extend_from_slice(bytes);
    }

    /// A length-delimited field whose content `body` writes: one byte is reserved for the
    /// length and widened afterwards when the content is 128 bytes or more.
    #[inline]
    pub fn nested(&mut self, field: u32, body: impl FnOnce(&mut Writer)) {
        self.key(field, WireType::LengthDelimited);
        let at = self.buf.len();
        self.buf.push(0);
        body(self);
        let len = self.buf.len() - at - 1;
        if len < 0x80 {
            if let Some(b) = self.buf.get_mut(at) {
                *b = len as u8;
            }
        } else {
            let mut prefix = Vec::with_capacity(10);
            encode_varint(len as u64, &mut prefix);
            self.buf.splice(at..at + 1, prefix);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_past_the_end_are_errors_not_panics() {
        // Field 1, length-delimited, claims 200 bytes; 2 follow.
        let mut r = Reader::new(&[0x0a, 0xc8, 0x01, 1, 2]);
        let (f, w) = r.key().unwrap();
        assert_eq!((f, w), (1, WireType::LengthDelimited));
        let err = r.bytes().unwrap_err().to_string();
        assert!(err.contains("200") && err.contains("2 bytes left"), "{err}");
        assert!(Reader::new(&[0xff; 11]).varint().is_err());
        assert!(Reader::new(&[0x80]).varint().is_err());
        // One, two and three bytes, and the two-byte form of a one-byte value (still valid).
        for (bytes, v) in [
            (&[0x05][..], 5),
            (&[0xac, 0x02], 300),
            (&[0x80, 0x80, 0x01], 16384),
        ] {
            assert_eq!(Reader::new(bytes).varint().unwrap(), v);
        }
        assert_eq!(Reader::new(&[0x85, 0x00]).varint().unwrap(), 5);
        assert!(Reader::new(&[1, 2, 3]).fixed64().is_err());
    }

    #[test]
    fn nested_lengths_widen_past_127_bytes() {
        let mut w = Writer::new();
        w.nested(1, |w| w.bytes_field(2, &[7; 200]));
        let out = w.finish().unwrap();
        // 1 key + 2 length bytes + (1 key + 2 length bytes + 200)
        assert_eq!(out.len(), 3 + 203);
        let mut r = Reader::new(&out);
        r.key().unwrap();
        let mut inner = r.nested().unwrap();
        assert_eq!(inner.key().unwrap().0, 2);
        assert_eq!(inner.bytes().unwrap().len(), 200);
        assert!(r.is_empty() && inner.is_empty());
    }

    #[test]
    fn run_length_counts_adjacent_occurrences() {
        // Field 2 three times (strings), then field 3, then field 2 again.
        let mut w = Writer::new();
        for s in ["a", "bb", "ccc"] {
            w.bytes_field(2, s.as_bytes());
        }
        w.key(3, WireType::Varint);
        w.varint(7);
        w.bytes_field(2, b"d");
        let out = w.finish().unwrap();
        let mut r = Reader::new(&out);
        assert_eq!(r.key().unwrap(), (2, WireType::LengthDelimited));
        assert_eq!(r.run_length(WireType::LengthDelimited), 3);
        // Looking ahead does not move the reader.
        assert_eq!(r.bytes().unwrap(), b"a");
        assert_eq!(r.key().unwrap().0, 2);
        assert_eq!(r.run_length(WireType::LengthDelimited), 2);
        // Truncated input ends the count without an error.
        let mut r = Reader::new(&out[..out.len() - 1]);
        r.key().unwrap();
        assert_eq!(r.run_length(WireType::LengthDelimited), 3);
    }

    #[test]
    fn nesting_is_bounded() {
        // MAX_DEPTH + 1 messages, each the single field 1 of the one outside it.
        let mut bytes = Vec::new();
        for _ in 0..=MAX_DEPTH {
            let mut outer = vec![0x0a];
            encode_varint(bytes.len() as u64, &mut outer);
            outer.extend_from_slice(&bytes);
            bytes = outer;
        }
        let mut r = Reader::new(&bytes);
        let mut result = Ok(());
        for _ in 0..=MAX_DEPTH {
            if let Err(e) = r.key() {
                result = Err(e);
                break;
            }
            match r.nested() {
                Ok(inner) => r = inner,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        assert!(result.unwrap_err().to_string().contains("deeper"));
    }
}
