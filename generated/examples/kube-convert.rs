//! Convert Kubernetes objects between JSON, YAML and protobuf, the kind read from the input:
//! `cargo run -p kubeclient --example kube-convert -- --to json|yaml|pb FILE...`.
//!
//! Input format is detected: protobuf (the `k8s\0` envelope, whose `runtime.Unknown` names the
//! type), JSON, else YAML (`apiVersion`/`kind` name the type). One document per file goes to
//! stdout (YAML documents separated by `---`, protobuf bodies back to back). Input that cannot
//! be decoded stops the run with a message naming the file and a non-zero exit.

use kubeclient::kinds;
use std::io::Write;
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Yaml,
    Protobuf,
}

const USAGE: &str = "usage: kube-convert --to json|yaml|pb FILE...";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kube-convert: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut to = None;
    let mut files = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--to" => to = args.next(),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            _ => match a.strip_prefix("--to=") {
                Some(v) => to = Some(v.to_owned()),
                None => files.push(a),
            },
        }
    }
    let to = match to.as_deref() {
        Some("json") => Format::Json,
        Some("yaml") => Format::Yaml,
        Some("pb" | "protobuf") => Format::Protobuf,
        Some(other) => return Err(format!("unknown output format {other:?}\n{USAGE}")),
        None => return Err(USAGE.to_owned()),
    };
    if files.is_empty() {
        return Err(USAGE.to_owned());
    }
    let mut stdout = std::io::stdout().lock();
    for (i, file) in files.iter().enumerate() {
        let input = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
        let out = convert(&input, to).map_err(|e| format!("{file}: {e}"))?;
        if to == Format::Yaml && i > 0 {
            stdout.write_all(b"---\n").map_err(|e| e.to_string())?;
        }
        stdout.write_all(&out).map_err(|e| e.to_string())?;
    }
    stdout.flush().map_err(|e| e.to_string())
}

/// One input document in the `to` format.
fn convert(input: &[u8], to: Format) -> Result<Vec<u8>, String> {
    let json = to_json(input)?;
    match to {
        Format::Protobuf => match kinds::json_to_protobuf(&json) {
            Some(r) => r.map_err(|e| format!("cannot encode as protobuf: {e}")),
            None => Err(format!(
                "this build has no protobuf type for {} (custom resources and API versions the spec lacks have none)",
                type_name(&json)
            )),
        },
        Format::Json => {
            let v: serde_json::Value = serde_json::from_slice(&json).map_err(|e| e.to_string())?;
            let mut out = serde_json::to_vec_pretty(&v).map_err(|e| e.to_string())?;
            out.push(b'\n');
            Ok(out)
        }
        Format::Yaml => {
            // Through serde_yaml's own value, which keeps the order of the JSON keys.
            let v: serde_yaml_ng::Value =
                serde_json::from_slice(&json).map_err(|e| e.to_string())?;
            serde_yaml_ng::to_string(&v)
                .map(String::into_bytes)
                .map_err(|e| e.to_string())
        }
    }
}

/// The input as a JSON object of a known type. Built-in kinds are read through their Rust
/// type (so a field of the wrong shape is an error here, not in the output); other kinds pass
/// through as they are.
fn to_json(input: &[u8]) -> Result<Vec<u8>, String> {
    if input.starts_with(kubeclient::runtime::proto::MAGIC) {
        return match kinds::protobuf_to_json(input) {
            Some(r) => r.map_err(|e| format!("cannot decode the protobuf body: {e}")),
            None => {
                let u = kubeclient::runtime::proto::Unknown::from_bytes(input)
                    .map_err(|e| e.to_string())?;
                Err(format!(
                    "the protobuf body holds {}, which this build does not know",
                    describe(&u.api_version, &u.kind)
                ))
            }
        };
    }
    let text = std::str::from_utf8(input).map_err(|_| {
        "not protobuf (no k8s\\0 envelope), and not JSON or YAML text (not UTF-8)".to_owned()
    })?;
    let value: serde_json::Value = if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?
    } else {
        serde_yaml_ng::from_str(text).map_err(|e| format!("invalid YAML: {e}"))?
    };
    let obj = value.as_object().ok_or("the document is not an object")?;
    let field = |name: &str| obj.get(name).and_then(serde_json::Value::as_str);
    let (Some(api_version), Some(kind)) = (field("apiVersion"), field("kind")) else {
        return Err("the object names no apiVersion and kind".to_owned());
    };
    let json = serde_json::to_vec(&value).map_err(|e| e.to_string())?;
    let Some(codec) = kinds::protobuf_codec(api_version, kind) else {
        return Ok(json);
    };
    let pb = (codec.json_to_protobuf)(&json)
        .map_err(|e| format!("not a valid {}: {e}", describe(api_version, kind)))?;
    kinds::protobuf_to_json(&pb)
        .unwrap_or_else(|| Ok(json.clone()))
        .map_err(|e| e.to_string())
}

fn type_name(json: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(json).unwrap_or_default();
    describe(
        v["apiVersion"].as_str().unwrap_or(""),
        v["kind"].as_str().unwrap_or(""),
    )
}

fn describe(api_version: &str, kind: &str) -> String {
    format!("{kind} ({api_version})")
}
