//! Protobuf request bodies: kubectl 1.32+ and client-go send built-in kinds in protobuf
//! (`k8s\0` envelope). The server keeps JSON inside, so a body is turned into the JSON of its
//! kind (from the generated table of `build.rs`) before anything else sees it.

use kubeclient_runtime::proto::{self, Message, Unknown};

include!(concat!(env!("OUT_DIR"), "/proto_kinds.rs"));

fn to_json<T: Message + serde::Serialize>(raw: &[u8]) -> Result<serde_json::Value, String> {
    let obj: T = proto::decode(raw).map_err(|e| e.to_string())?;
    serde_json::to_value(&obj).map_err(|e| e.to_string())
}

/// The JSON bytes of a protobuf body, or why it cannot be read (`None`: not a kind with a
/// protobuf form, answered 415 as before).
pub fn body_to_json(body: &[u8]) -> Option<Result<Vec<u8>, String>> {
    let envelope = match Unknown::from_bytes(body) {
        Ok(u) => u,
        Err(e) => return Some(Err(e.to_string())),
    };
    let json = protobuf_to_json(&envelope.api_version, &envelope.kind, &envelope.raw)?;
    Some(json.and_then(|v| serde_json::to_vec(&v).map_err(|e| e.to_string())))
}
