//! Descriptions and names from a spec or CRD never become doc code that rustdoc compiles or runs
//! (`cargo test --doc` on the generated crate would execute it).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient_codegen::Builder;
use serde_json::json;
use std::process::Command;

/// Descriptions that each open a Rust code block in plain markdown.
const HOSTILE: &[&str] = &[
    "Backticks:\n```\npanic!(\"HOSTILE-backticks\");\n```",
    "Tildes:\n~~~rust\npanic!(\"HOSTILE-tildes\");\n~~~",
    "  ```rust\n  panic!(\"HOSTILE-indented-fence\");\n  ```",
    "Indented:\n\n    panic!(\"HOSTILE-indented\");",
    "Tabs:\n\n\t\tpanic!(\"HOSTILE-tabs\");",
    "Lone CRs:\r\r    panic!(\"HOSTILE-cr\");\r",
    "- item\n\n-     panic!(\"HOSTILE-list-item\");",
    "1.     panic!(\"HOSTILE-ordered-item\");",
    "> ```\n> panic!(\"HOSTILE-quote\");\n> ```",
    "Nested ```` ``` ```` and \u{2028}```\npanic!(\"HOSTILE-separator\");\n```",
];

/// A CRD whose every description and one property name are hostile.
fn hostile_crd() -> Vec<u8> {
    let mut props = serde_json::Map::new();
    for (i, d) in HOSTILE.iter().enumerate() {
        props.insert(
            format!("field{i}"),
            json!({"type": "string", "description": d}),
        );
    }
    // Undocumented properties whose names land in a generated doc line.
    props.insert(
        "name\n```\npanic!(\"HOSTILE-property-name\");\n```".into(),
        json!({"type": "string"}),
    );
    props.insert("tick`name".into(), json!({"type": "integer"}));
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.example.dev"},
        "spec": {
            "group": "example.dev",
            "names": {"kind": "Gadget", "listKind": "GadgetList", "plural": "gadgets", "singular": "gadget"},
            "scope": "Namespaced",
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "description": HOSTILE[0],
                    "properties": {
                        "spec": {"type": "object", "description": HOSTILE[1], "properties": props},
                    },
                }},
            }],
        },
    });
    serde_json::to_vec(&crd).unwrap()
}

/// A swagger spec with hostile descriptions and a definition name holding a line break.
fn hostile_swagger() -> Vec<u8> {
    let mut props = serde_json::Map::new();
    for (i, d) in HOSTILE.iter().enumerate() {
        props.insert(format!("f{i}"), json!({"type": "string", "description": d}));
    }
    let spec = json!({
        "swagger": "2.0",
        "info": {"title": "hostile", "version": "v1"},
        "paths": {},
        "definitions": {
            "io.example.v1.Thing": {"type": "object", "description": HOSTILE[3], "properties": props},
            "io.example.v1.Other\n```\npanic!(\"HOSTILE-definition-name\");\n```": {"type": "object"},
        },
    });
    serde_json::to_vec(&spec).unwrap()
}

/// Every doc line of the generated files, each run attached to a dummy item, as one crate.
fn doc_crate(files: &kubeclient_codegen::Files) -> String {
    let mut out = String::new();
    let mut n = 0;
    for text in files.values() {
        let mut in_docs = false;
        for line in text.lines() {
            let t = line.trim_start();
            let doc = if let Some(rest) = t.strip_prefix("//!").or_else(|| t.strip_prefix("///")) {
                Some(format!("///{rest}"))
            } else if t.starts_with("#[doc") || t.starts_with("#![doc") {
                Some(t.replacen("#![doc", "#[doc", 1))
            } else {
                None
            };
            match doc {
                Some(d) => {
                    out.push_str(&d);
                    out.push('\n');
                    in_docs = true;
                }
                None if in_docs => {
                    out.push_str(&format!("pub struct D{n};\n"));
                    n += 1;
                    in_docs = false;
                }
                None => {}
            }
        }
        if in_docs {
            out.push_str(&format!("pub struct D{n};\n"));
            n += 1;
        }
    }
    out
}

/// Run rustdoc's doctest collector over the docs; return how many tests it found.
fn rustdoc_tests(name: &str, docs: &str) -> String {
    let dir =
        std::env::temp_dir().join(format!("kubeclient-hostile-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("lib.rs");
    std::fs::write(&file, docs).unwrap();
    let rustdoc = std::env::var("RUSTDOC").unwrap_or_else(|_| "rustdoc".into());
    let out = Command::new(rustdoc)
        .args(["--test", "--edition", "2021", "--crate-name", "hostile"])
        .arg(&file)
        .current_dir(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "rustdoc failed:\n{stdout}\n{stderr}");
    stdout
}

fn assert_no_doctests(name: &str, files: &kubeclient_codegen::Files) {
    let docs = doc_crate(files);
    // The payloads are still there, as text.
    for marker in [
        "HOSTILE-backticks",
        "HOSTILE-tildes",
        "HOSTILE-list-item",
        "HOSTILE-cr",
    ] {
        assert!(
            docs.contains(marker),
            "{marker} missing from the docs:\n{docs}"
        );
    }
    let out = rustdoc_tests(name, &docs);
    assert!(
        out.contains("running 0 tests"),
        "descriptions became doctests:\n{out}\n--- docs ---\n{docs}"
    );
}

#[test]
fn crd_descriptions_never_become_doctests() {
    let generated = Builder::new()
        .crd_bytes("hostile.json", hostile_crd())
        .generate()
        .unwrap();
    assert_no_doctests("crd", &generated.files);
    let all: String = generated.files.values().cloned().collect();
    assert!(all.contains("HOSTILE-property-name"), "{all}");
}

#[test]
fn spec_descriptions_and_names_never_become_doctests_or_code() {
    let generated = Builder::new()
        .spec_bytes("hostile.json", hostile_swagger())
        .generate();
    // Rejecting the odd definition name is fine too; what matters is that nothing runs.
    let Ok(generated) = generated else { return };
    assert_no_doctests("swagger", &generated.files);
    for (file, text) in &generated.files {
        for line in text.lines() {
            assert!(
                !line.contains("panic!(\"HOSTILE") || line.trim_start().starts_with("//"),
                "{file}: spec text became code: {line}"
            );
        }
    }
}

#[test]
fn doc_checker_finds_a_real_doctest() {
    // Guards the guard: the same pipeline does count a plain fenced block.
    let out = rustdoc_tests(
        "control",
        "/// ```\n/// let _x = 1;\n/// ```\npub struct D;\n",
    );
    assert!(out.contains("running 1 test"), "{out}");
}
