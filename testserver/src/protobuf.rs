//! Protobuf on the wire: kubectl 1.32+ and client-go send built-in kinds in protobuf (`k8s\0`
//! envelope) and ask for protobuf answers. The server keeps JSON inside, so a body is turned
//! into the JSON of its kind before anything else sees it, and an answer is turned into
//! protobuf last, both through `kubeclient::kinds`. Lists are the exception: each stored object
//! keeps its message once encoded, and a list is written from those (see [`list_body`]).

use crate::handler::accept::MediaRange;
use bytes::Bytes;
use kubeclient_runtime::meta::v1::ListMeta;
use kubeclient_runtime::proto::{
    encode_object, DecodeError, Message, Reader, Unknown, WireType, Writer, CONTENT_TYPE,
};
use serde::Deserialize;

/// The JSON bytes of a protobuf body, or why it cannot be read (`None`: not a kind with a
/// protobuf form, answered 415).
pub fn body_to_json(body: &[u8]) -> Option<Result<Vec<u8>, String>> {
    kubeclient::kinds::protobuf_to_json(body).map(|r| r.map_err(|e| e.to_string()))
}

/// The protobuf body of a JSON answer, when its kind has a protobuf form.
pub fn json_to_body(json: &[u8]) -> Option<Vec<u8>> {
    kubeclient::kinds::json_to_protobuf(json).and_then(Result::ok)
}

/// The object's own message (an envelope's `raw`, what a protobuf list holds per item) of a
/// JSON object, when its kind has a protobuf form.
pub fn json_to_message(json: &[u8]) -> Option<Bytes> {
    let body = json_to_body(json)?;
    Unknown::from_bytes(&body).ok().map(|u| Bytes::from(u.raw))
}

/// A list of already encoded items: `{ ListMeta metadata = 1; repeated <item> items = 2; }`,
/// the shape of every `FooList`. Lists are written from their items' kept messages, as the JSON
/// lists are copied from the items' kept bytes, rather than converted whole.
#[derive(Default)]
struct EncodedList {
    meta: ListMeta,
    items: Vec<Bytes>,
}

impl Message for EncodedList {
    fn encode_fields(&self, w: &mut Writer) {
        w.nested(1, |w| self.meta.encode_fields(w));
        for item in &self.items {
            w.bytes_field(2, item);
        }
    }
    fn merge_field(&mut self, _: u32, _: WireType, _: &mut Reader<'_>) -> Result<(), DecodeError> {
        Err(DecodeError::new("an encoded list is only written"))
    }
}

/// The protobuf body of a `kind` list (`PodList`) in `api_version` with list metadata `meta`
/// (JSON) and the items' messages.
pub fn list_body(
    api_version: &str,
    kind: &str,
    meta: &serde_json::Value,
    items: Vec<Bytes>,
) -> Result<Vec<u8>, String> {
    let meta = ListMeta::deserialize(meta).map_err(|e| format!("list metadata: {e}"))?;
    encode_object(&EncodedList { meta, items }, api_version, kind).map_err(|e| e.to_string())
}

/// The format an answer of a resource endpoint takes, negotiated from `Accept` as
/// kube-apiserver does (`negotiation.NegotiateMediaTypeOptions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (also a Table when asked for one).
    Json,
    /// `application/vnd.kubernetes.protobuf` (watches: `;stream=watch`).
    Protobuf,
}

/// The first `Accept` entry (by q, then order) the endpoint can serve: protobuf only for
/// built-in kinds and never as a transformation (`as=Table` is JSON-only, as upstream), JSON
/// for the JSON ranges. `Err` when protobuf was asked for and nothing else fits: the 406
/// kube-apiserver answers for custom resources asked for protobuf alone. Other unservable
/// headers get JSON, as this server always answered them.
pub fn negotiate(accept: &[MediaRange], builtin: bool) -> Result<Format, Vec<&'static str>> {
    let mut asked_protobuf = false;
    for range in accept {
        if range.essence == CONTENT_TYPE {
            asked_protobuf = true;
            if builtin && range.param("as").is_none() {
                return Ok(Format::Protobuf);
            }
        } else if range.admits_json() || range.essence == "application/json" {
            return Ok(Format::Json);
        }
    }
    if asked_protobuf {
        let mut types = vec!["application/json", "application/yaml"];
        if builtin {
            types.push(CONTENT_TYPE);
        }
        return Err(types);
    }
    Ok(Format::Json)
}
