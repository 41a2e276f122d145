//! Schema-driven round trip of every type of the selected Kubernetes version: synthesize a JSON
//! value that fills every property the schema declares, decode it into the Rust type, encode it
//! back and require the same JSON. A dropped, renamed or mistyped field fails here, for generated
//! types and for the runtime's handwritten apimachinery types alike.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient_codegen::spec::{ref_target, AdditionalProperties, Schema, Swagger};
use kubeclient_tests::json_diff::first_difference;
use serde_json::{json, Map, Value};

type RoundTrip = fn(&[u8]) -> Result<Value, String>;

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(
    bytes: &[u8],
) -> Result<Value, String> {
    let decoded: T = serde_json::from_slice(bytes).map_err(|e| format!("decode: {e}"))?;
    let value = serde_json::to_value(&decoded).map_err(|e| format!("encode: {e}"))?;
    // The client's own reader must read it too, by itself, to the same value.
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let fast: T = kubeclient_runtime::codec::from_json_str_fast_only(text)
        .map_err(|e| format!("the fast JSON reader fails where serde_json reads it: {e}"))?;
    let fast = serde_json::to_value(&fast).map_err(|e| format!("encode: {e}"))?;
    if let Some(d) = first_difference(&value, &fast, "fast JSON reader") {
        return Err(format!("the fast JSON reader and serde_json differ: {d}"));
    }
    Ok(value)
}

include!(concat!(env!("OUT_DIR"), "/roundtrip_registry.rs"));

/// JSON -> T -> protobuf -> T -> JSON.
fn proto_round_trip<T>(bytes: &[u8]) -> Result<Value, String>
where
    T: serde::de::DeserializeOwned + serde::Serialize + kubeclient_runtime::proto::Message,
{
    let decoded: T = serde_json::from_slice(bytes).map_err(|e| format!("decode JSON: {e}"))?;
    let pb = kubeclient_runtime::proto::encode(&decoded).map_err(|e| e.to_string())?;
    let back: T = kubeclient_runtime::proto::decode(&pb).map_err(|e| e.to_string())?;
    serde_json::to_value(&back).map_err(|e| format!("encode JSON: {e}"))
}

include!(concat!(env!("OUT_DIR"), "/proto_roundtrip_registry.rs"));

/// Past this depth optional properties are left out, so recursive schemas terminate.
const MAX_DEPTH: usize = 4;

struct Synth<'a> {
    spec: &'a Swagger,
}

impl Synth<'_> {
    fn definition(&self, name: &str, depth: usize) -> Value {
        match name {
            "io.k8s.apimachinery.pkg.apis.meta.v1.Time" => return json!("2024-01-02T03:04:05Z"),
            "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime" => {
                return json!("2024-01-02T03:04:05.123456Z")
            }
            "io.k8s.apimachinery.pkg.api.resource.Quantity" => return json!("250m"),
            "io.k8s.apimachinery.pkg.util.intstr.IntOrString" => return json!(8080),
            "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1" => {
                return json!({"f:metadata": {"f:labels": {}}})
            }
            "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent" => {
                return json!({"type": "ADDED", "object": {"kind": "Anything", "x": 1}})
            }
            _ => {}
        }
        let Some(schema) = self.spec.definitions.get(name) else {
            return Value::Null;
        };
        if schema.type_.is_none() && schema.properties.is_empty()
            || schema.preserve_unknown_fields == Some(true)
        {
            return json!({"free": ["form", 1]});
        }
        if schema.type_.as_deref() == Some("object")
            && schema.properties.is_empty()
            && schema.additional_properties.is_none()
        {
            // RawExtension holds anything; other property-less objects are empty structs.
            return if name.ends_with("RawExtension") {
                json!({"kind": "Raw", "n": 1})
            } else {
                json!({})
            };
        }
        if schema.type_.as_deref() == Some("string") {
            return self.schema(schema, depth);
        }
        let mut obj = Map::new();
        let single_gvk = match schema.gvk.as_slice() {
            [g] => Some(g),
            _ => None,
        };
        for (prop, p) in &schema.properties {
            // Kinds with one GVK always encode apiVersion/kind (constants) and, when served,
            // metadata (required), so the input always carries them too.
            // So do the `spec` and `status` of Kubernetes' kinds, which Go holds by value.
            let fixed = single_gvk.is_some()
                && (prop == "apiVersion"
                    || prop == "kind"
                    || prop == "metadata"
                    || (matches!(prop.as_str(), "spec" | "status") && p.ref_.is_some()));
            let required = schema.required.contains(prop) || fixed;
            if depth > MAX_DEPTH && !required {
                continue;
            }
            let value = match (prop.as_str(), single_gvk) {
                ("apiVersion", Some(g)) if g.group.is_empty() => json!(g.version),
                ("apiVersion", Some(g)) => json!(format!("{}/{}", g.group, g.version)),
                ("kind", Some(g)) => json!(g.kind),
                _ => self.schema(p, depth + 1),
            };
            obj.insert(prop.clone(), value);
        }
        Value::Object(obj)
    }

    fn schema(&self, s: &Schema, depth: usize) -> Value {
        if let Some(target) = s.ref_.as_deref().and_then(ref_target) {
            return self.definition(target, depth);
        }
        if let [only] = s.all_of.as_slice() {
            return self.schema(only, depth);
        }
        if s.int_or_string == Some(true) || s.format.as_deref() == Some("int-or-string") {
            return json!("25%");
        }
        if s.preserve_unknown_fields == Some(true) {
            return json!({"free": ["form", 1]});
        }
        match s.type_.as_deref() {
            Some("boolean") => json!(true),
            Some("integer") if s.format.as_deref() == Some("int32") => json!(7),
            Some("integer") => json!(1_234_567_890_123_i64),
            Some("number") => json!(1.5),
            Some("string") => match s.format.as_deref() {
                Some("byte") => json!("aGVsbG8gd29ybGQ="),
                Some("date-time") => json!("2024-01-02T03:04:05Z"),
                _ => json!("text"),
            },
            Some("array") => match &s.items {
                Some(items) if depth <= MAX_DEPTH + 2 => json!([self.schema(items, depth + 1)]),
                Some(_) => json!([]),
                None => json!([{"any": 1}]),
            },
            _ => match &s.additional_properties {
                Some(AdditionalProperties::Schema(v)) if depth <= MAX_DEPTH + 2 => {
                    json!({"some-key": self.schema(v, depth + 1)})
                }
                Some(AdditionalProperties::Schema(_)) => json!({}),
                _ => json!({"free": ["form", 1]}),
            },
        }
    }
}

/// The spec the crate was generated from, with the proto-defined kinds it also holds, and its
/// path.
fn test_spec() -> (&'static str, Swagger) {
    let path = env!("KUBECLIENT_TEST_SPEC");
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut spec = Swagger::from_slice(&bytes, path).expect("spec parses");
    if let Some(dir) = option_env!("KUBECLIENT_TEST_PROTOS") {
        kubeclient_codegen::spec::proto::add_proto_kinds(&mut spec, dir.as_ref())
            .expect("proto kinds");
    }
    (path, spec)
}

#[test]
fn every_type_round_trips_without_losing_a_field() {
    let (path, spec) = test_spec();
    let synth = Synth { spec: &spec };
    let registry = registry();
    assert!(
        registry.len() >= spec.definitions.len(),
        "registry misses definitions"
    );
    let mut failures = Vec::new();
    for (name, rt) in &registry {
        let input = synth.definition(name, 0);
        let bytes = serde_json::to_vec(&input).expect("encode input");
        match rt(&bytes) {
            Ok(output) => {
                if let Some(d) = first_difference(&input, &output, name) {
                    failures.push(d);
                }
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} types do not round-trip:\n{}",
        failures.len(),
        registry.len(),
        failures.join("\n")
    );
    eprintln!("{} types round-tripped from {path}", registry.len());
}

/// JSON -> protobuf -> JSON is the identity on every struct with a message, filled as
/// [`every_type_round_trips_without_losing_a_field`] fills it. Protobuf has no place for the
/// apiVersion/kind of an embedded object (Go's neither), and a JSON-or-schema union filled with
/// free-form JSON is no schema; those two differences are expected and listed, nothing else.
#[test]
fn json_protobuf_json_is_the_identity() {
    let (_, spec) = test_spec();
    let synth = Synth { spec: &spec };
    let registry = proto_roundtrip_registry();
    let (mut failures, mut expected) = (Vec::new(), 0);
    for (name, rt) in &registry {
        let input = synth.definition(name, 0);
        let bytes = serde_json::to_vec(&input).expect("encode input");
        match rt(&bytes) {
            Ok(output) => match first_difference(&input, &output, name) {
                None => {}
                Some(d)
                    if d.ends_with(".apiVersion: only on the left")
                        || d.ends_with(".kind: only on the left")
                        || d.contains("JSONSchemaProps")
                        || d.ends_with(".free: only on the left") =>
                {
                    expected += 1
                }
                Some(d) => failures.push(d),
            },
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    eprintln!(
        "JSON -> protobuf -> JSON: {} of {} types identical, {expected} with the expected differences",
        registry.len() - failures.len() - expected,
        registry.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} types differ:\n{}",
        failures.len(),
        registry.len(),
        failures.join("\n")
    );
}

#[test]
fn a_kind_mismatch_is_rejected() {
    let err = serde_json::from_value::<kubeclient::api::core::v1::Pod>(
        json!({"apiVersion": "v1", "kind": "Service"}),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("Service") && err.contains("Pod"), "{err}");
}

#[test]
fn secrets_are_redacted_in_debug() {
    let s = kubeclient::api::core::v1::Secret {
        string_data: Some([("password".into(), "hunter2".into())].into()),
        ..Default::default()
    };
    let debug = format!("{s:?}");
    assert!(
        !debug.contains("hunter2") && debug.contains("<redacted>"),
        "{debug}"
    );
}

#[test]
fn secrets_nested_in_other_types_stay_redacted() {
    use kubeclient::api::authentication::v1::{TokenRequest, TokenRequestStatus};
    use kubeclient::api::core::v1::Secret;
    let request = TokenRequest {
        status: Some(TokenRequestStatus {
            token: "sa-token-hunter2".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let secret = Secret {
        string_data: Some([("password".into(), "hunter2".into())].into()),
        ..Default::default()
    };
    let list = kubeclient::meta::v1::List {
        items: vec![secret.clone()],
        ..Default::default()
    };
    let event = kubeclient::meta::v1::WatchEvent::Added(secret);
    for debug in [
        format!("{request:?}"),
        format!("{request:#?}"),
        format!("{list:?}"),
        format!("{event:?}"),
    ] {
        assert!(
            !debug.contains("hunter2") && debug.contains("<redacted>"),
            "{debug}"
        );
    }
}

/// Upstream's golden fixtures (`testdata/v1.35` of k8s.io/api): `HEAD/` as 1.35 writes each
/// kind, `v1.33.0/` and `v1.34.0/` as those releases wrote them.
fn testdata_dir() -> Option<std::path::PathBuf> {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    kubeclient_codegen::locate::SearchPath::new(&workspace)
        .dir("testdata")
        .ok()
        .map(|d| d.join("v1.35"))
        .filter(|d| d.is_dir())
}

/// `apps.v1.StatefulSet` -> (`apps`, `v1`, `StatefulSet`); `core` is the legacy group `""`.
fn fixture_gvk(stem: &str) -> Option<(String, String, String)> {
    let (rest, kind) = stem.rsplit_once('.')?;
    let (group, version) = rest.rsplit_once('.')?;
    let group = if group == "core" { "" } else { group };
    Some((group.to_owned(), version.to_owned(), kind.to_owned()))
}

/// Every `.json` fixture whose kind has a type is decoded into it and encoded again, and the
/// JSON must equal the fixture (or its `.after_roundtrip.json`, for older sets) exactly: what Go
/// writes, we write. Required for the 1.35 types; other versions only print their counts
/// (newer fields are unknown to older types).
#[test]
fn upstream_json_fixtures_round_trip_exactly() {
    let Some(dir) = testdata_dir() else {
        kubeclient_test_support::missing("testdata/v1.35 beside the specs");
        return;
    };
    let (_, spec) = test_spec();
    let mut by_gvk = std::collections::BTreeMap::new();
    for (name, d) in &spec.definitions {
        for g in &d.gvk {
            by_gvk.insert(
                (g.group.clone(), g.version.clone(), g.kind.clone()),
                name.clone(),
            );
        }
    }
    let registry: std::collections::BTreeMap<&str, RoundTrip> = registry().into_iter().collect();
    let mut failures = Vec::new();
    for set in ["HEAD", "v1.34.0", "v1.33.0"] {
        let set_dir = dir.join(set);
        let Ok(entries) = std::fs::read_dir(&set_dir) else {
            continue;
        };
        let mut files: Vec<std::path::PathBuf> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        let (mut exact, mut without_type, mut total) = (0, Vec::new(), 0);
        for file in files {
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let Some(stem) = name.strip_suffix(".json") else {
                continue;
            };
            if stem.ends_with(".after_roundtrip") {
                continue;
            }
            total += 1;
            let Some(gvk) = fixture_gvk(stem) else {
                without_type.push(stem.to_owned());
                continue;
            };
            let Some(rt) = by_gvk.get(&gvk).and_then(|d| registry.get(d.as_str())) else {
                without_type.push(stem.to_owned());
                continue;
            };
            let input = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let after = set_dir.join(format!("{stem}.after_roundtrip.json"));
            let expected_bytes = std::fs::read(&after).unwrap_or_else(|_| input.clone());
            let expected: Value = serde_json::from_slice(&expected_bytes).expect("fixture is JSON");
            match rt(&input) {
                Ok(got) => match first_difference(&expected, &got, stem) {
                    None => exact += 1,
                    Some(d) => failures.push(format!("{set}/{d}")),
                },
                Err(e) => failures.push(format!("{set}/{stem}: {e}")),
            }
        }
        eprintln!(
            "{set}: {exact} of {} kinds with a type round-trip exactly ({total} fixtures; no type: {})",
            total - without_type.len(),
            without_type.join(", ")
        );
    }
    let strict = kubeclient::KUBERNETES_VERSION == "v1.35";
    if !failures.is_empty() {
        eprintln!(
            "{} fixtures differ:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
    assert!(
        !strict || failures.is_empty(),
        "{} fixtures do not round-trip exactly:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
