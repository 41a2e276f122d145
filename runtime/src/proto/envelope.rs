//! The envelope of every protobuf body: the four bytes `k8s\0`, then a `runtime.Unknown`
//! message `{ TypeMeta typeMeta = 1; bytes raw = 2; string contentEncoding = 3;
//! string contentType = 4; }` whose `raw` is the object's own message. Watch streams carry
//! `WatchEvent` messages without the envelope, each behind a 4-byte big-endian length; the
//! object inside an event has the envelope again.

use super::value::{decode, read_str, Message, Value};
use super::wire::{DecodeError, EncodeError, Reader, WireType, Writer};

/// Media type of Kubernetes' protobuf encoding.
pub const CONTENT_TYPE: &str = "application/vnd.kubernetes.protobuf";

/// First bytes of every enveloped protobuf body.
pub const MAGIC: &[u8; 4] = b"k8s\0";

/// `runtime.Unknown`: an object's type and its encoded bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unknown {
    /// `apiVersion` of the object (`apps/v1`).
    pub api_version: String,
    /// `kind` of the object (`Deployment`).
    pub kind: String,
    /// The object's message.
    pub raw: Vec<u8>,
    /// Content encoding of `raw`; empty (none) in everything Kubernetes writes.
    pub content_encoding: String,
    /// Content type of `raw`; empty means protobuf.
    pub content_type: String,
}

impl Message for Unknown {
    fn encode_fields(&self, w: &mut Writer) {
        w.nested(1, |w| {
            self.api_version.encode_value(1, w);
            self.kind.encode_value(2, w);
        });
        w.bytes_field(2, &self.raw);
        self.content_encoding.encode_value(3, w);
        self.content_type.encode_value(4, w);
    }
    fn merge_field(
        &mut self,
        number: u32,
        wire: WireType,
        r: &mut Reader<'_>,
    ) -> Result<(), DecodeError> {
        match number {
            1 => {
                r.expect(wire, WireType::LengthDelimited)?;
                let mut meta = r.nested()?;
                while !meta.is_empty() {
                    match meta.key()? {
                        (1, wire) => self.api_version.merge_value(wire, &mut meta)?,
                        (2, wire) => self.kind.merge_value(wire, &mut meta)?,
                        (_, wire) => meta.skip(wire)?,
                    }
                }
                Ok(())
            }
            2 => {
                r.expect(wire, WireType::LengthDelimited)?;
                self.raw = r.bytes()?.to_vec();
                Ok(())
            }
            3 => self.content_encoding.merge_value(wire, r),
            4 => self.content_type.merge_value(wire, r),
            _ => r.skip(wire),
        }
    }
}

/// An envelope read in place: the strings and `raw` borrow from the body, so decoding an
/// object does not first copy its whole message out of the envelope.
struct UnknownRef<'a> {
    api_version: &'a str,
    kind: &'a str,
    raw: &'a [u8],
}

impl<'a> UnknownRef<'a> {
    /// Split an enveloped body (`k8s\0` + `Unknown`), checking that it holds protobuf.
    fn parse(body: &'a [u8]) -> Result<UnknownRef<'a>, DecodeError> {
        let rest = body.strip_prefix(MAGIC).ok_or_else(|| {
            DecodeError::new("body does not start with the protobuf magic `k8s\\0`")
        })?;
        Self::parse_message(rest).map_err(|e| e.at("Unknown"))
    }

    fn parse_message(rest: &'a [u8]) -> Result<UnknownRef<'a>, DecodeError> {
        let mut u = UnknownRef {
            api_version: "",
            kind: "",
            raw: &[],
        };
        let (mut content_encoding, mut content_type) = ("", "");
        let mut r = Reader::new(rest);
        while !r.is_empty() {
            match r.key()? {
                (1, wire) => {
                    r.expect(wire, WireType::LengthDelimited)?;
                    let mut meta = r.nested()?;
                    while !meta.is_empty() {
                        match meta.key()? {
                            (1, wire) => u.api_version = read_str(wire, &mut meta)?,
                            (2, wire) => u.kind = read_str(wire, &mut meta)?,
                            (_, wire) => meta.skip(wire)?,
                        }
                    }
                }
                (2, wire) => {
                    r.expect(wire, WireType::LengthDelimited)?;
                    u.raw = r.bytes()?;
                }
                (3, wire) => content_encoding = read_str(wire, &mut r)?,
                (4, wire) => content_type = read_str(wire, &mut r)?,
                (_, wire) => r.skip(wire)?,
            }
        }
        if !content_encoding.is_empty() {
            return Err(DecodeError::new(format!(
                "content encoding {content_encoding:?} is not supported"
            )));
        }
        if !content_type.is_empty() && content_type != CONTENT_TYPE {
            return Err(DecodeError::new(format!(
                "envelope holds {content_type:?}, not protobuf"
            )));
        }
        Ok(u)
    }
}

impl Unknown {
    /// Split an enveloped body (`k8s\0` + `Unknown`).
    pub fn from_bytes(body: &[u8]) -> Result<Unknown, DecodeError> {
        let u = UnknownRef::parse(body)?;
        Ok(Unknown {
            api_version: u.api_version.to_owned(),
            kind: u.kind.to_owned(),
            raw: u.raw.to_vec(),
            content_encoding: String::new(),
            content_type: String::new(),
        })
    }

    /// The enveloped body (`k8s\0` + this message), as Go writes it.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut w = Writer::with_buffer(MAGIC.to_vec());
        self.encode_fields(&mut w);
        w.finish()
    }
}

/// Encode `obj` with its envelope.
pub fn encode_object<M: Message>(
    obj: &M,
    api_version: &str,
    kind: &str,
) -> Result<Vec<u8>, EncodeError> {
    let mut w = Writer::with_buffer(MAGIC.to_vec());
    w.nested(1, |w| {
        w.bytes_field(1, api_version.as_bytes());
        w.bytes_field(2, kind.as_bytes());
    });
    // The object goes straight into the output, with no intermediate buffer.
    w.nested(2, |w| obj.encode_fields(w));
    w.bytes_field(3, b"");
    w.bytes_field(4, b"");
    w.finish()
}

/// Decode an enveloped body into `M`, requiring the envelope's kind to be `kind` when it names
/// one. Equal managedFields sets in it are kept once (see [`crate::sharing`]).
pub fn decode_object<M: Message>(body: &[u8], kind: &str) -> Result<M, DecodeError> {
    let u = UnknownRef::parse(body)?;
    if !u.kind.is_empty() && u.kind != kind {
        return Err(DecodeError::new(format!(
            "the body holds a {} ({}), not a {kind}",
            u.kind, u.api_version
        )));
    }
    let mut obj: M = crate::sharing::scope(|| decode(u.raw)).map_err(|e| e.at(kind.to_owned()))?;
    obj.set_type_meta(u.api_version, u.kind);
    Ok(obj)
}

/// Largest watch frame accepted, as client-go caps watch events (16 MiB).
pub const MAX_FRAME: usize = 16 * 1024 * 1024;

/// Take one length-prefixed frame (4-byte big-endian length) off the front of `buf`: `Ok(None)`
/// when more bytes are needed, an error when the frame is larger than [`MAX_FRAME`].
pub fn take_frame(buf: &mut bytes::BytesMut) -> Result<Option<bytes::Bytes>, DecodeError> {
    let Some(head) = buf.first_chunk::<4>() else {
        return Ok(None);
    };
    let len = u32::from_be_bytes(*head) as usize;
    if len > MAX_FRAME {
        return Err(DecodeError::new(format!(
            "watch frame of {len} bytes exceeds the {MAX_FRAME}-byte limit"
        )));
    }
    if buf.len() < 4 + len {
        return Ok(None);
    }
    let mut frame = buf.split_to(4 + len);
    Ok(Some(frame.split_off(4).freeze()))
}

/// A watch event frame: its `type` and the enveloped bytes of its object.
pub fn decode_watch_event(frame: &[u8]) -> Result<(String, Vec<u8>), DecodeError> {
    let mut r = Reader::new(frame);
    let (mut kind, mut raw) = (String::new(), Vec::new());
    while !r.is_empty() {
        match r.key()? {
            (1, wire) => kind.merge_value(wire, &mut r).map_err(|e| e.at("type"))?,
            (2, wire) => {
                r.expect(wire, WireType::LengthDelimited)?;
                let mut object = r.nested()?;
                while !object.is_empty() {
                    match object.key()? {
                        (1, WireType::LengthDelimited) => raw = object.bytes()?.to_vec(),
                        (_, wire) => object.skip(wire)?,
                    }
                }
            }
            (_, wire) => r.skip(wire)?,
        }
    }
    Ok((kind, raw))
}

/// Encode a watch event frame (length prefix included) whose object is `object` (enveloped).
pub fn encode_watch_event(kind: &str, object: &[u8]) -> Vec<u8> {
    let mut w = Writer::new();
    w.bytes_field(1, kind.as_bytes());
    w.nested(2, |w| w.bytes_field(1, object));
    let body = w.finish().unwrap_or_default();
    let mut out = Vec::with_capacity(4 + body.len());
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::v1::{ObjectMeta, Status};

    #[test]
    fn envelope_round_trips_and_checks_the_kind() {
        let status = Status {
            message: Some("gone".into()),
            code: Some(410),
            ..Default::default()
        };
        let bytes = encode_object(&status, "v1", "Status").unwrap();
        assert!(bytes.starts_with(MAGIC));
        assert!(bytes.ends_with(&[0x1a, 0, 0x22, 0]));
        let back: Status = decode_object(&bytes, "Status").unwrap();
        // The envelope's type lands in Status's own apiVersion/kind.
        let expected = Status {
            api_version: Some("v1".into()),
            kind: Some("Status".into()),
            ..status.clone()
        };
        assert_eq!(back, expected);
        let err = decode_object::<ObjectMeta>(&bytes, "Pod").unwrap_err();
        assert!(err.to_string().contains("Status"), "{err}");
        let u = Unknown::from_bytes(&bytes).unwrap();
        assert_eq!((u.api_version.as_str(), u.kind.as_str()), ("v1", "Status"));
        assert_eq!(u.to_bytes().unwrap(), bytes);
        assert!(Unknown::from_bytes(b"{\"kind\":\"Status\"}").is_err());
    }

    #[test]
    fn frames_are_bounded_and_split() {
        let event = encode_watch_event("ADDED", b"k8s\0xyz");
        let mut buf = bytes::BytesMut::from(&event[..event.len() - 1]);
        assert!(take_frame(&mut buf).unwrap().is_none());
        buf.extend_from_slice(&event[event.len() - 1..]);
        let frame = take_frame(&mut buf).unwrap().unwrap();
        assert!(buf.is_empty());
        let (kind, raw) = decode_watch_event(&frame).unwrap();
        assert_eq!((kind.as_str(), raw.as_slice()), ("ADDED", &b"k8s\0xyz"[..]));
        let mut huge = bytes::BytesMut::from(&[0x7f, 0xff, 0xff, 0xff][..]);
        assert!(take_frame(&mut huge).is_err());
    }
}
