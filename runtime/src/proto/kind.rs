//! [`ProtobufCodec`]: how a typed client encodes and decodes one kind in protobuf. Kubernetes'
//! built-in kinds have one (generated `Resource::protobuf`); CRDs and dynamic objects do not
//! and stay JSON, as in client-go.

use super::envelope::{decode_object, encode_object};
use super::value::{Message, Value};
use super::wire::{DecodeError, EncodeError};
use crate::meta::v1::{List, Status};
use crate::resource::Resource;

/// Protobuf encode and decode of a kind `K`, its list, and the `Status` a server may answer.
pub struct ProtobufCodec<K> {
    /// Encode `K` with its envelope.
    pub encode: fn(&K) -> Result<Vec<u8>, EncodeError>,
    /// Decode an enveloped `K`.
    pub decode: fn(&[u8]) -> Result<K, DecodeError>,
    /// Decode an enveloped `FooList`.
    pub decode_list: fn(&[u8]) -> Result<List<K>, DecodeError>,
}

impl<K> Clone for ProtobufCodec<K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K> Copy for ProtobufCodec<K> {}

impl<K> std::fmt::Debug for ProtobufCodec<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProtobufCodec")
    }
}

fn encode_kind<K: Resource + Message>(obj: &K) -> Result<Vec<u8>, EncodeError> {
    encode_object(obj, K::API_VERSION, K::KIND)
}

fn decode_kind<K: Resource + Message>(body: &[u8]) -> Result<K, DecodeError> {
    decode_object(body, K::KIND)
}

fn decode_list<K: Resource + Message + Value>(body: &[u8]) -> Result<List<K>, DecodeError> {
    decode_object(body, &format!("{}List", K::KIND))
}

impl<K: Resource + Message + Value> ProtobufCodec<K> {
    /// The codec of a kind with generated protobuf impls.
    pub fn of() -> Self {
        ProtobufCodec {
            encode: encode_kind::<K>,
            decode: decode_kind::<K>,
            decode_list: decode_list::<K>,
        }
    }
}

/// Decode an enveloped `Status` (error bodies, watch `ERROR` events).
pub fn decode_status(body: &[u8]) -> Result<Status, DecodeError> {
    decode_object(body, "Status")
}
