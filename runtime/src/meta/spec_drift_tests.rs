//! Field-drift detection against the real Kubernetes OpenAPI spec.
//!
//! For every `io.k8s.apimachinery.*` definition, a JSON document filling every property with a
//! valid value is synthesized from the schema, decoded into the handwritten type and encoded
//! again; any property the type does not know is dropped on the way and the comparison fails.
//! A definition added upstream without a type here fails the mapping lookup.

use super::v1::*;
use super::{version, IntOrString, Quantity, RawExtension};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::{json, Map, Value};
use std::path::PathBuf;

/// Spec versions checked; 1.35 is mandatory when the spec directory exists.
const VERSIONS: [&str; 4] = ["v1.35", "v1.34", "v1.33", "v1.31"];

/// The upstream spec of `version`, found by the search order every crate shares.
fn spec_path(version: &str) -> Option<PathBuf> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let found = kubeclient_specs::SearchPath::new(&repo)
        .spec(version)
        .ok()?;
    Some(found.swagger()).filter(|_| !found.bundled)
}

/// Decode `json` as `T`, encode it back.
fn round_trip<T: Serialize + DeserializeOwned>(json: &str) -> Result<Value, String> {
    let value: T = serde_json::from_str(json).map_err(|e| format!("decode: {e}"))?;
    serde_json::to_value(&value).map_err(|e| format!("encode: {e}"))
}

/// Decode `json` as `T`, encode it back; a property `T` only kept in its `extra` map (it has no
/// field for it) is a failure too.
fn round_trip_known<T: Serialize + DeserializeOwned>(
    json: &str,
    extra: fn(&T) -> &crate::meta::UnknownFields,
) -> Result<Value, String> {
    let value: T = serde_json::from_str(json).map_err(|e| format!("decode: {e}"))?;
    let kept = extra(&value);
    if !kept.is_empty() {
        let keys: Vec<&String> = kept.keys().collect();
        return Err(format!("no field for {keys:?} (kept in `extra`)"));
    }
    serde_json::to_value(&value).map_err(|e| format!("encode: {e}"))
}

/// The definition → type mapping the generator relies on.
fn round_trip_definition(name: &str, json: &str) -> Option<Result<Value, String>> {
    let short = name.strip_prefix("io.k8s.apimachinery.pkg.")?;
    Some(match short {
        "api.resource.Quantity" => round_trip::<Quantity>(json),
        "apis.meta.v1.APIGroup" => round_trip_known::<APIGroup>(json, |v| &v.extra),
        "apis.meta.v1.APIGroupList" => round_trip_known::<APIGroupList>(json, |v| &v.extra),
        "apis.meta.v1.APIResource" => round_trip_known::<APIResource>(json, |v| &v.extra),
        "apis.meta.v1.APIResourceList" => round_trip_known::<APIResourceList>(json, |v| &v.extra),
        "apis.meta.v1.APIVersions" => round_trip_known::<APIVersions>(json, |v| &v.extra),
        "apis.meta.v1.Condition" => round_trip_known::<Condition>(json, |v| &v.extra),
        "apis.meta.v1.DeleteOptions" => round_trip_known::<DeleteOptions>(json, |v| &v.extra),
        "apis.meta.v1.FieldSelectorRequirement" => {
            round_trip_known::<FieldSelectorRequirement>(json, |v| &v.extra)
        }
        "apis.meta.v1.FieldsV1" => round_trip::<FieldsV1>(json),
        "apis.meta.v1.GroupResource" => round_trip_known::<GroupResource>(json, |v| &v.extra),
        "apis.meta.v1.GroupVersionForDiscovery" => {
            round_trip_known::<GroupVersionForDiscovery>(json, |v| &v.extra)
        }
        "apis.meta.v1.LabelSelector" => round_trip_known::<LabelSelector>(json, |v| &v.extra),
        "apis.meta.v1.LabelSelectorRequirement" => {
            round_trip_known::<LabelSelectorRequirement>(json, |v| &v.extra)
        }
        "apis.meta.v1.ListMeta" => round_trip_known::<ListMeta>(json, |v| &v.extra),
        "apis.meta.v1.ManagedFieldsEntry" => {
            round_trip_known::<ManagedFieldsEntry>(json, |v| &v.extra)
        }
        "apis.meta.v1.MicroTime" => round_trip::<MicroTime>(json),
        "apis.meta.v1.ObjectMeta" => round_trip_known::<ObjectMeta>(json, |v| &v.extra),
        "apis.meta.v1.OwnerReference" => round_trip_known::<OwnerReference>(json, |v| &v.extra),
        "apis.meta.v1.Patch" => round_trip::<PatchBody>(json),
        "apis.meta.v1.Preconditions" => round_trip_known::<Preconditions>(json, |v| &v.extra),
        "apis.meta.v1.ServerAddressByClientCIDR" => {
            round_trip_known::<ServerAddressByClientCIDR>(json, |v| &v.extra)
        }
        "apis.meta.v1.Status" => round_trip_known::<Status>(json, |v| &v.extra),
        "apis.meta.v1.StatusCause" => round_trip_known::<StatusCause>(json, |v| &v.extra),
        "apis.meta.v1.StatusDetails" => round_trip_known::<StatusDetails>(json, |v| &v.extra),
        "apis.meta.v1.Time" => round_trip::<Time>(json),
        "apis.meta.v1.WatchEvent" => round_trip_known::<RawWatchEvent>(json, |v| &v.extra),
        "runtime.RawExtension" => round_trip::<RawExtension>(json),
        "util.intstr.IntOrString" => round_trip::<IntOrString>(json),
        "version.Info" => round_trip_known::<version::Info>(json, |v| &v.extra),
        _ => return None,
    })
}

/// Values whose valid form the schema does not say (string enums described only in prose,
/// timestamp precision).
fn override_for(definition: &str, property: Option<&str>) -> Option<Value> {
    match (definition.rsplit('.').next()?, property) {
        ("Time", None) => Some(json!("2024-01-02T03:04:05Z")),
        ("MicroTime", None) => Some(json!("2024-01-02T03:04:05.123456Z")),
        ("WatchEvent", Some("type")) => Some(json!("ADDED")),
        _ => None,
    }
}

/// Synthesizes a value of `schema`, following `$ref`s into `definitions`.
struct Synth<'a> {
    definitions: &'a Map<String, Value>,
}

impl Synth<'_> {
    fn definition(&self, name: &str, depth: usize) -> Result<Value, String> {
        if let Some(v) = override_for(name, None) {
            return Ok(v);
        }
        let schema = self
            .definitions
            .get(name)
            .ok_or_else(|| format!("dangling $ref {name}"))?;
        self.schema(schema, name, depth)
    }

    fn schema(&self, schema: &Value, owner: &str, depth: usize) -> Result<Value, String> {
        if depth > 8 {
            return Err(format!("{owner}: schema nests deeper than 8 levels"));
        }
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let name = r
                .strip_prefix("#/definitions/")
                .ok_or_else(|| format!("{owner}: odd $ref {r}"))?;
            return self.definition(name, depth + 1);
        }
        if let Some(first) = schema
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            return Ok(first.clone());
        }
        let format = schema.get("format").and_then(Value::as_str);
        match (schema.get("type").and_then(Value::as_str), format) {
            (_, Some("int-or-string")) => Ok(json!(8080)),
            (Some("string"), Some("byte")) => Ok(json!("aGVsbG8=")),
            (Some("string"), Some("date-time")) => Ok(json!("2024-01-02T03:04:05Z")),
            (Some("string"), _) => Ok(json!("x")),
            (Some("integer"), Some("int32")) => Ok(json!(7)),
            (Some("integer"), _) => Ok(json!(9_000_000_000i64)),
            (Some("number"), _) => Ok(json!(1.5)),
            (Some("boolean"), _) => Ok(json!(true)),
            (Some("array"), _) => {
                let items = schema
                    .get("items")
                    .ok_or_else(|| format!("{owner}: array without items"))?;
                Ok(json!([self.schema(items, owner, depth + 1)?]))
            }
            (Some("object") | None, _) => self.object(schema, owner, depth),
            (Some(other), _) => Err(format!("{owner}: unknown schema type {other}")),
        }
    }

    fn object(&self, schema: &Value, owner: &str, depth: usize) -> Result<Value, String> {
        let mut out = Map::new();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (prop, prop_schema) in props {
                let v = match override_for(owner, Some(prop)) {
                    Some(v) => v,
                    None => self.schema(prop_schema, &format!("{owner}.{prop}"), depth + 1)?,
                };
                out.insert(prop.clone(), v);
            }
        } else if let Some(extra) = schema.get("additionalProperties").filter(|a| a.is_object()) {
            out.insert("key".into(), self.schema(extra, owner, depth + 1)?);
        } else {
            // Free-form objects (FieldsV1, RawExtension, Patch): any JSON object must survive.
            out.insert(
                "f:metadata".into(),
                json!({"f:labels": {"f:app": {}}, "n": [1, "two", null]}),
            );
        }
        Ok(Value::Object(out))
    }
}

fn check_version(version: &str) -> Option<Vec<String>> {
    let path = spec_path(version)?;
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let spec: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()));
    let definitions = spec["definitions"]
        .as_object()
        .unwrap_or_else(|| panic!("{}: no definitions", path.display()));
    let synth = Synth { definitions };
    let mut failures = Vec::new();
    let mut checked = 0;
    for name in definitions
        .keys()
        .filter(|k| k.starts_with("io.k8s.apimachinery."))
    {
        checked += 1;
        let input = match synth.definition(name, 0) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{version} {name}: cannot synthesize: {e}"));
                continue;
            }
        };
        match round_trip_definition(name, &input.to_string()) {
            None => failures.push(format!(
                "{version} {name}: no handwritten type mapped (new upstream definition?)"
            )),
            Some(Err(e)) => failures.push(format!("{version} {name}: {e}\n  input: {input}")),
            Some(Ok(out)) if out != input => failures.push(format!(
                "{version} {name}: round trip differs\n  input:  {input}\n  output: {out}"
            )),
            Some(Ok(_)) => {}
        }
    }
    assert!(
        checked >= 29,
        "{version}: only {checked} apimachinery definitions found in {}",
        path.display()
    );
    Some(failures)
}

#[test]
fn every_apimachinery_definition_round_trips_without_losing_fields() {
    if spec_path("v1.35").is_none() {
        kubeclient_test_support::missing(
            "kubernetes/v1.35/swagger.json in openapi-specs/ or ../shared/openapi-specs/",
        );
        return;
    }
    let mut failures = Vec::new();
    for version in VERSIONS {
        match check_version(version) {
            Some(f) => failures.extend(f),
            None => println!("NOTE: {version} spec not present, not checked"),
        }
    }
    assert!(
        failures.is_empty(),
        "{} drift failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn synthesizer_catches_a_dropped_field() {
    // Guard against a vacuous drift test: a property unknown to the type must be reported.
    let definitions = json!({
        "io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions": {
            "type": "object",
            "properties": {"uid": {"type": "string"}, "brandNew": {"type": "string"}}
        }
    });
    let definitions = definitions.as_object().unwrap();
    let input = Synth { definitions }
        .definition("io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions", 0)
        .unwrap();
    let err = round_trip_definition(
        "io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions",
        &input.to_string(),
    )
    .unwrap()
    .unwrap_err();
    assert!(err.contains("brandNew"), "{err}");
}
