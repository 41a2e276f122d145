//! Kubernetes' protobuf wire format (`application/vnd.kubernetes.protobuf`), as client-go's
//! typed clients speak it since 1.32.
//!
//! - [`wire`]: a bounds-checked [`Reader`] and a [`Writer`] on `prost`'s varint primitives.
//! - [`Message`] and [`Value`]: what generated types implement (one call per field), with
//!   impls for scalars, `Option`, `Box`, `Vec`, maps and the handwritten apimachinery types.
//! - [`codec`]: the few fields whose Rust type differs from Go's message (JSON-typed fields,
//!   wrapped lists such as `ExtraValue`).
//! - [`ProtobufCodec`]: what a typed client uses for one kind (`Resource::protobuf`).
//! - [`envelope`]: the `k8s\0` magic and `runtime.Unknown` wrapper of every body, and the
//!   length-prefixed frames of a protobuf watch.
//!
//! Decoding is for hostile input: lengths are checked, nesting is bounded ([`MAX_DEPTH`]),
//! unknown field numbers are skipped as Go does, and errors name the path of fields.

pub mod codec;
pub mod envelope;
mod kind;
mod meta;
mod value;
pub mod wire;

pub use envelope::{decode_object, encode_object, Unknown, CONTENT_TYPE, MAGIC};
pub use kind::{decode_status, ProtobufCodec};
pub use meta::HANDWRITTEN_FIELDS;
pub use value::{
    by_value, decode, embedded, encode, encode_message, field, field_go_value, merge,
    merge_message, Message, Value,
};
pub use wire::{DecodeError, EncodeError, Reader, WireType, Writer, MAX_DEPTH};
