//! Writes `proto_kinds.rs`: for every Kubernetes kind with a protobuf message, a function that
//! decodes its protobuf form into the JSON the server stores. The server speaks JSON inside;
//! this table lets it take protobuf bodies (kubectl 1.32+ and client-go send them). Built here,
//! not in `kubeclient`, so the library does not pay for a table only servers need.

use kubeclient_codegen::ir::TypeKind;
use kubeclient_codegen::{locate, Builder};
use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    println!("cargo:rerun-if-changed=build.rs");
    let found = match locate::SearchPath::for_build_script() {
        Ok(found) => found,
        // A packaged test server carries no specs: it builds, and answers protobuf bodies with
        // 415 as before (clients fall back to JSON).
        Err(e) => {
            println!("cargo:warning=no Kubernetes spec for the protobuf table, so the test server takes JSON bodies only: {e}");
            return write_table(String::new());
        }
    };
    let mut builder = Builder::new().spec_file(found.swagger());
    if let Some(dir) = found.proto_dir() {
        builder = builder.proto_dir(dir);
    }
    let (ir, _) = builder.build_ir().map_err(|e| e.to_string())?;
    let mut arms = String::new();
    for t in ir.types.values() {
        let TypeKind::Struct(s) = &t.kind else {
            continue;
        };
        let Some(gvk) = s.gvk.as_ref().filter(|_| s.proto.is_some()) else {
            continue;
        };
        let path = format!("::kubeclient::{}::{}", t.module.join("::"), t.rust_name);
        writeln!(
            arms,
            "        ({:?}, {:?}) => Some(to_json::<{path}>(raw)),",
            gvk.api_version(),
            gvk.kind
        )
        .map_err(|e| e.to_string())?;
    }
    write_table(arms)
}

/// `proto_kinds.rs` with one match arm per kind.
fn write_table(arms: String) -> Result<(), String> {
    let out = format!(
        "/// The JSON of an enveloped protobuf object of kind `kind` in `api_version`; `None` for\n\
         /// kinds without a protobuf form (CRDs).\n\
         #[allow(unused_variables)]\n\
         pub fn protobuf_to_json(api_version: &str, kind: &str, raw: &[u8]) -> Option<Result<serde_json::Value, String>> {{\n    match (api_version, kind) {{\n{arms}        _ => None,\n    }}\n}}\n"
    );
    let dest =
        PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?).join("proto_kinds.rs");
    std::fs::write(&dest, out).map_err(|e| format!("{}: {e}", dest.display()))
}
