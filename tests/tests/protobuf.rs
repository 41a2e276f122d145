#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails
//! Upstream's golden protobuf fixtures (`testdata/v1.35` of k8s.io/api): every `.pb` of a kind
//! with a type decodes to the value its `.json` twin decodes to, and encodes back to the same
//! bytes; the 1.33 and 1.34 sets decode.

use kubeclient_runtime::proto::{self, Message, Unknown};
use kubeclient_tests::json_diff::first_difference;

/// What one fixture showed.
pub struct Outcome {
    /// The `.json` twin decoded to the same value (`None`: no twin).
    same_as_json: Option<Result<(), String>>,
    /// Re-encoding gave the fixture's bytes.
    same_bytes: Result<(), String>,
}

type ProtoCheck = fn(&[u8], Option<&[u8]>) -> Result<Outcome, String>;
fn proto_check<T>(pb: &[u8], json: Option<&[u8]>) -> Result<Outcome, String>
where
    T: Message + serde::de::DeserializeOwned + serde::Serialize + PartialEq,
{
    let envelope = Unknown::from_bytes(pb).map_err(|e| e.to_string())?;
    let decoded: T = proto::decode_object(pb, &envelope.kind).map_err(|e| e.to_string())?;
    let same_as_json = json.map(|j| {
        let from_json: T = serde_json::from_slice(j).map_err(|e| format!("JSON twin: {e}"))?;
        if from_json == decoded {
            return Ok(());
        }
        let a = serde_json::to_value(&from_json).unwrap();
        let b = serde_json::to_value(&decoded).unwrap();
        Err(first_difference(&a, &b, "")
            .unwrap_or_else(|| "values differ but encode to the same JSON".into()))
    });
    let again = proto::encode_object(&decoded, &envelope.api_version, &envelope.kind)
        .map_err(|e| e.to_string())?;
    let same_bytes = if again == pb {
        Ok(())
    } else {
        let at = again.iter().zip(pb).position(|(a, b)| a != b);
        Err(format!(
            "re-encoded {} bytes, fixture has {}; first difference at byte {at:?}",
            again.len(),
            pb.len()
        ))
    };
    Ok(Outcome {
        same_as_json,
        same_bytes,
    })
}

include!(concat!(env!("OUT_DIR"), "/proto_registry.rs"));

/// Upstream's fixtures, found as `tests/roundtrip.rs` finds them.
fn testdata_dir() -> Option<std::path::PathBuf> {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut candidates = Vec::new();
    if let Some(dir) = std::env::var_os("KUBECLIENT_SPECS_DIR") {
        candidates.push(std::path::PathBuf::from(dir).join("testdata/v1.35"));
    }
    candidates.push(workspace.join("openapi-specs/testdata/v1.35"));
    candidates.push(workspace.join("../shared/openapi-specs/testdata/v1.35"));
    candidates.into_iter().find(|c| c.is_dir())
}

/// `apps.v1.StatefulSet` -> `io.k8s.api.apps.v1.StatefulSet` through the registry's names.
fn definition_of<'a>(
    stem: &str,
    registry: &'a [(&'static str, ProtoCheck)],
) -> Option<&'a ProtoCheck> {
    let (rest, kind) = stem.rsplit_once('.')?;
    let (group, version) = rest.rsplit_once('.')?;
    // Package segment of the definition: `core` for "", the group's first label otherwise
    // (`admissionregistration.k8s.io` -> `admissionregistration`).
    let package = group.split('.').next()?;
    let suffix = format!(".{package}.{version}.{kind}");
    registry
        .iter()
        .find(|(name, _)| name.ends_with(&suffix))
        .map(|(_, check)| check)
}

fn pb_fixtures(dir: &std::path::Path) -> Vec<(String, std::path::PathBuf)> {
    let mut files: Vec<(String, std::path::PathBuf)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    let p = e.path();
                    let stem = p.file_name()?.to_str()?.strip_suffix(".pb")?.to_owned();
                    Some((stem, p))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn upstream_protobuf_fixtures_decode_like_json_and_reencode_exactly() {
    let Some(dir) =
        kubeclient_test_support::require(testdata_dir(), "testdata/v1.35 beside the specs")
    else {
        return;
    };
    let mut registry = proto_registry();
    // The handwritten apimachinery kinds with a message.
    registry.push((
        "io.k8s.api.core.v1.Status",
        proto_check::<kubeclient::meta::v1::Status>,
    ));
    registry.push((
        "io.k8s.api.core.v1.DeleteOptions",
        proto_check::<kubeclient::meta::v1::DeleteOptions>,
    ));
    registry.push((
        "io.k8s.api.core.v1.WatchEvent",
        proto_check::<kubeclient::meta::v1::RawWatchEvent>,
    ));
    let strict = kubeclient::KUBERNETES_VERSION == "v1.35";
    let mut failures = Vec::new();
    let (mut total, mut identical, mut like_json, mut without_type) = (0, 0, 0, Vec::new());
    for (stem, file) in pb_fixtures(&dir.join("HEAD")) {
        total += 1;
        let Some(check) = definition_of(&stem, &registry) else {
            without_type.push(stem);
            continue;
        };
        let pb = std::fs::read(&file).unwrap();
        let json = std::fs::read(file.with_extension("json")).ok();
        match check(&pb, json.as_deref()) {
            Ok(o) => {
                match o.same_bytes {
                    Ok(()) => identical += 1,
                    Err(e) => failures.push(format!("HEAD/{stem}: bytes: {e}")),
                }
                match o.same_as_json {
                    Some(Ok(())) => like_json += 1,
                    Some(Err(e)) => failures.push(format!("HEAD/{stem}: value: {e}")),
                    None => failures.push(format!("HEAD/{stem}: no .json twin")),
                }
            }
            Err(e) => failures.push(format!("HEAD/{stem}: decode: {e}")),
        }
    }
    let typed = total - without_type.len();
    eprintln!(
        "protobuf fixtures (HEAD): {identical}/{typed} re-encode identically, {like_json}/{typed} decode like their JSON twin ({total} fixtures; no type: {})",
        without_type.join(", ")
    );
    for set in ["v1.34.0", "v1.33.0"] {
        let (mut decoded, mut typed, mut errors) = (0, 0, Vec::new());
        for (stem, file) in pb_fixtures(&dir.join(set)) {
            let Some(check) = definition_of(&stem, &registry) else {
                continue;
            };
            typed += 1;
            let pb = std::fs::read(&file).unwrap();
            match check(&pb, None) {
                Ok(_) => decoded += 1,
                Err(e) => errors.push(format!("{set}/{stem}: {e}")),
            }
        }
        eprintln!("protobuf fixtures ({set}): {decoded}/{typed} decode");
        failures.extend(errors);
    }
    assert!(
        !strict || failures.is_empty(),
        "{} protobuf fixture problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
    if !failures.is_empty() {
        eprintln!(
            "{} problems (not strict for this version):\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}

/// Hostile input: every truncation and many byte flips of a real object decode to an error or
/// a value, never a panic, and errors name where decoding stopped.
#[test]
fn damaged_protobuf_is_an_error_not_a_panic() {
    let Some(dir) =
        kubeclient_test_support::require(testdata_dir(), "testdata/v1.35 beside the specs")
    else {
        return;
    };
    let pb = std::fs::read(dir.join("HEAD/apps.v1.Deployment.pb")).unwrap();
    let raw = Unknown::from_bytes(&pb).unwrap().raw;
    type Deployment = kubeclient::api::apps::v1::Deployment;
    let mut errors = 0;
    for cut in 0..raw.len() {
        if let Err(e) = proto::decode::<Deployment>(&raw[..cut]) {
            errors += 1;
            assert!(!e.to_string().is_empty());
        }
    }
    assert!(
        errors > raw.len() / 2,
        "{errors} of {} truncations failed",
        raw.len()
    );
    // A length that runs past the end names the field path.
    let err = proto::decode::<Deployment>(&raw[..raw.len() / 3]).unwrap_err();
    assert!(
        err.path().starts_with("spec") || err.path().starts_with("metadata"),
        "{err}"
    );
    let mut flipped = raw.clone();
    for i in 0..flipped.len() {
        flipped[i] ^= 0xa5;
        let _ = proto::decode::<Deployment>(&flipped);
        flipped[i] ^= 0xa5;
    }
    // Nesting far past any real object stops at the depth limit.
    let mut deep = Vec::new();
    for _ in 0..200 {
        // Field 28 (`not`, a JSONSchemaProps), length-delimited.
        let mut outer = vec![0xe2, 0x01];
        prost_len(&mut outer, deep.len());
        outer.extend_from_slice(&deep);
        deep = outer;
    }
    let err = proto::decode::<kubeclient::api::apiextensions::v1::JSONSchemaProps>(&deep)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("deeper") && err.contains("not.not.not"),
        "{err}"
    );
}

/// As Go, a FieldsV1 set read from protobuf is checked to be JSON only when written as JSON,
/// and a string that is not UTF-8 is an error naming its field.
#[test]
fn fields_v1_is_checked_when_written_and_strings_when_read() {
    type Meta = kubeclient::meta::v1::ObjectMeta;
    let raw = br#"{"f:spec":"#;
    let mut fields = vec![0x0a]; // FieldsV1.raw
    prost_len(&mut fields, raw.len());
    fields.extend_from_slice(raw);
    let mut entry = vec![0x3a]; // ManagedFieldsEntry.fieldsV1
    prost_len(&mut entry, fields.len());
    entry.extend_from_slice(&fields);
    let mut meta = b"\x0a\x01a".to_vec(); // ObjectMeta.name
    meta.extend_from_slice(&[0x8a, 0x01]); // ObjectMeta.managedFields
    prost_len(&mut meta, entry.len());
    meta.extend_from_slice(&entry);

    let decoded: Meta = proto::decode(&meta).expect("decodes as Go does");
    let managed = decoded.managed_fields.as_deref().unwrap_or_default();
    let text = managed[0].fields_v1.as_ref().map(|f| f.as_str());
    assert_eq!(text, Some(r#"{"f:spec":"#));
    let err = serde_json::to_string(&decoded).unwrap_err().to_string();
    assert!(err.contains("FieldsV1 is not JSON"), "{err}");

    let err = proto::decode::<Meta>(b"\x0a\x02a\xff").unwrap_err();
    assert_eq!(err.path(), "name", "{err}");
    assert!(err.to_string().contains("not UTF-8"), "{err}");
}

#[test]
fn equal_managed_fields_of_a_list_are_held_once_in_json_and_protobuf() {
    type PodList = kubeclient::meta::v1::List<kubeclient::api::core::v1::Pod>;
    let pod = |name: &str, fields: &str| {
        format!(
            r#"{{"metadata":{{"name":"{name}","managedFields":[{{"manager":"m","operation":"Update","fieldsType":"FieldsV1","fieldsV1":{fields}}}]}}}}"#
        )
    };
    let json = format!(
        r#"{{"apiVersion":"v1","kind":"PodList","metadata":{{}},"items":[{},{},{}]}}"#,
        pod("a", r#"{"f:spec":{}}"#),
        pod("b", r#"{"f:spec":{}}"#),
        pod("c", r#"{"f:status":{}}"#)
    );
    // The text of each pod's only managedFields entry, and where it lives.
    let texts = |list: &PodList| -> Vec<(String, *const u8)> {
        list.items
            .iter()
            .map(|p| {
                let m = p.metadata.managed_fields.as_deref().unwrap_or_default();
                let f = m[0].fields_v1.as_ref().expect("fieldsV1").as_str();
                (f.to_owned(), f.as_ptr())
            })
            .collect()
    };
    let from_json: PodList = kubeclient_runtime::rest::decode_json(json.as_bytes()).unwrap();
    let pb = proto::encode_object(&from_json, "v1", "PodList").unwrap();
    let from_pb: PodList = proto::decode_object(&pb, "PodList").unwrap();
    for (format, list) in [("JSON", &from_json), ("protobuf", &from_pb)] {
        let t = texts(list);
        assert_eq!(t[0].0, r#"{"f:spec":{}}"#, "{format}");
        assert_eq!(t[2].0, r#"{"f:status":{}}"#, "{format}");
        assert_eq!(t[0].1, t[1].1, "{format}: equal sets share one allocation");
        assert_ne!(t[0].1, t[2].1, "{format}: different sets do not");
    }
    // Decoded separately, objects share nothing.
    let one =
        |name| serde_json::from_str::<kubeclient::api::core::v1::Pod>(&pod(name, "{}")).unwrap();
    let (a, b) = (one("a"), one("b"));
    let ptr = |p: &kubeclient::api::core::v1::Pod| {
        p.metadata.managed_fields.as_deref().unwrap_or_default()[0]
            .fields_v1
            .as_ref()
            .unwrap()
            .as_str()
            .as_ptr()
    };
    assert_ne!(ptr(&a), ptr(&b));
}

/// Append a varint length (the test has no prost dependency of its own).
fn prost_len(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}
