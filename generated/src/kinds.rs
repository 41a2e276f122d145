//! Built-in kinds by `apiVersion` and `kind`, for code that meets an object whose type is known
//! only at run time and must move it between JSON and protobuf: a server answering in the
//! format a client asked for, a converter reading a payload. The table is a `match` generated
//! by `build.rs` (one arm per kind with a protobuf message, lists included), so nothing is
//! looked up by reflection and only the API groups compiled in are listed.

use kubeclient_runtime::meta::v1::{List, Status};
use kubeclient_runtime::proto::{self, Message, Value};
use kubeclient_runtime::Resource;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Why an object could not be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertError(String);

impl std::fmt::Display for ConvertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConvertError {}

fn err(e: impl std::fmt::Display) -> ConvertError {
    ConvertError(e.to_string())
}

/// How one kind moves between JSON and protobuf.
#[derive(Debug, Clone, Copy)]
pub struct KindCodec {
    /// `apiVersion` of the kind (`apps/v1`).
    pub api_version: &'static str,
    /// The kind (`Deployment`, `DeploymentList`).
    pub kind: &'static str,
    /// JSON object -> protobuf body with its `k8s\0` envelope.
    pub json_to_protobuf: fn(&[u8]) -> Result<Vec<u8>, ConvertError>,
    /// The object's own message (an envelope's `raw`) -> JSON object, with `apiVersion` and
    /// `kind` set.
    pub protobuf_to_json: fn(&[u8]) -> Result<Vec<u8>, ConvertError>,
}

fn to_protobuf<T: DeserializeOwned + Message>(
    json: &[u8],
    api_version: &str,
    kind: &str,
) -> Result<Vec<u8>, ConvertError> {
    let obj: T = serde_json::from_slice(json).map_err(err)?;
    proto::encode_object(&obj, api_version, kind).map_err(err)
}

fn to_json<T: Message + Serialize>(
    raw: &[u8],
    api_version: &str,
    kind: &str,
) -> Result<Vec<u8>, ConvertError> {
    let mut obj: T = proto::decode(raw).map_err(err)?;
    obj.set_type_meta(api_version, kind);
    let json = serde_json::to_vec(&obj).map_err(err)?;
    // Kinds also embedded in others (PVC templates) write no type when decoded from protobuf,
    // which never carries it; a top-level object always names its type.
    if json.starts_with(b"{\"apiVersion\"") || json.starts_with(b"{\"kind\"") {
        return Ok(json);
    }
    let mut out = serde_json::to_vec(&serde_json::json!({"apiVersion": api_version, "kind": kind}))
        .map_err(err)?;
    out.pop();
    if json.len() > 2 {
        out.push(b',');
        out.extend_from_slice(&json[1..]);
    } else {
        out.push(b'}');
    }
    Ok(out)
}

// The list helpers are named only by table arms, which features may leave out.
#[allow(dead_code)]
fn list_to_protobuf<K: Resource + DeserializeOwned + Value + Default>(
    json: &[u8],
    api_version: &str,
    kind: &str,
) -> Result<Vec<u8>, ConvertError> {
    to_protobuf::<List<K>>(json, api_version, kind)
}

#[allow(dead_code)]
fn list_to_json<K: Resource + Serialize + Value + Default>(
    raw: &[u8],
    api_version: &str,
    kind: &str,
) -> Result<Vec<u8>, ConvertError> {
    to_json::<List<K>>(raw, api_version, kind)
}

include!(concat!(env!("OUT_DIR"), "/kinds_table.rs"));

/// The codec of `kind` in `api_version`, or `None` for kinds with no protobuf form here
/// (custom resources, groups left out by features). `Status` is always known.
pub fn protobuf_codec(api_version: &str, kind: &str) -> Option<KindCodec> {
    if (api_version, kind) == ("v1", "Status") {
        return Some(KindCodec {
            api_version: "v1",
            kind: "Status",
            json_to_protobuf: |j| to_protobuf::<Status>(j, "v1", "Status"),
            protobuf_to_json: |r| to_json::<Status>(r, "v1", "Status"),
        });
    }
    table(api_version, kind)
}

/// JSON object -> protobuf body, the kind read from the object's `apiVersion` and `kind`;
/// `None` when it has no protobuf form here.
pub fn json_to_protobuf(json: &[u8]) -> Option<Result<Vec<u8>, ConvertError>> {
    #[derive(serde::Deserialize)]
    struct TypeMeta {
        #[serde(rename = "apiVersion", default)]
        api_version: String,
        #[serde(default)]
        kind: String,
    }
    let meta: TypeMeta = match serde_json::from_slice(json) {
        Ok(m) => m,
        Err(e) => return Some(Err(err(e))),
    };
    protobuf_codec(&meta.api_version, &meta.kind).map(|c| (c.json_to_protobuf)(json))
}

/// Protobuf body (`k8s\0` envelope) -> JSON object, the kind read from the envelope;
/// `None` when it has no protobuf form here.
pub fn protobuf_to_json(body: &[u8]) -> Option<Result<Vec<u8>, ConvertError>> {
    let envelope = match proto::Unknown::from_bytes(body) {
        Ok(u) => u,
        Err(e) => return Some(Err(err(e))),
    };
    protobuf_codec(&envelope.api_version, &envelope.kind)
        .map(|c| (c.protobuf_to_json)(&envelope.raw))
}
