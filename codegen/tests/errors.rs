//! Bad input gives an error that names the input and what is wrong, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient_codegen::Builder;

fn generate(json: &str) -> String {
    match Builder::new()
        .spec_bytes("bad-spec.json", json.as_bytes().to_vec())
        .generate()
    {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn invalid_json_names_the_file_and_position() {
    let e = generate("{\"definitions\": {\n  \"a\": [}");
    assert!(e.contains("bad-spec.json") && e.contains("line 2"), "{e}");
}

#[test]
fn dangling_ref_names_definition_field_and_target() {
    let e = generate(
        r##"{"definitions": {"io.example.v1.Foo": {"type": "object", "properties": {"bar": {"$ref": "#/definitions/io.example.v1.Missing"}}}}}"##,
    );
    assert!(
        e.contains("io.example.v1.Foo") && e.contains("bar") && e.contains("io.example.v1.Missing"),
        "{e}"
    );
}

#[test]
fn unknown_schema_type_is_reported() {
    let e = generate(
        r#"{"definitions": {"io.example.v1.Foo": {"type": "object", "properties": {"n": {"type": "decimal"}}}}}"#,
    );
    assert!(
        e.contains("io.example.v1.Foo") && e.contains("`n`") && e.contains("decimal"),
        "{e}"
    );
}

#[test]
fn resource_without_definition_is_reported() {
    let e = generate(
        r#"{"definitions": {}, "paths": {"/apis/example.io/v1/foos": {"get": {"x-kubernetes-action": "list",
            "x-kubernetes-group-version-kind": {"group": "example.io", "version": "v1", "kind": "Foo"}}}}}"#,
    );
    assert!(
        e.contains("/apis/example.io/v1/foos") && e.contains("example.io/v1/Foo"),
        "{e}"
    );
}

#[test]
fn unmapped_apimachinery_definition_is_generated_and_reported() {
    // Not an error any more: a new upstream apimachinery type is generated from the spec.
    let g = Builder::new()
        .spec_bytes(
            "new-spec.json",
            br#"{"definitions": {"io.k8s.apimachinery.pkg.apis.meta.v1.Brand New": {"type": "object"}}}"#
                .to_vec(),
        )
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        g.files.contains_key("apimachinery/meta/v1.rs"),
        "{:?}",
        g.files.keys()
    );
    let summary = g.report.summary();
    assert!(
        summary.contains("1 apimachinery definition generated"),
        "{summary}"
    );
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A cheap deterministic fuzz: truncations and byte flips of a valid fixture.
    let base = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/edge-cases/spec.json"
    ))
    .unwrap();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..300 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut bytes = base.clone();
        if i % 3 == 0 {
            bytes.truncate((seed as usize) % bytes.len());
        } else {
            let at = (seed as usize) % bytes.len();
            bytes[at] = (seed >> 32) as u8;
        }
        let _ = Builder::new().spec_bytes("fuzz", bytes).generate();
    }
}

// ---- CustomResourceDefinition input ----

fn crd_error(origin: &str, yaml: &str) -> String {
    match Builder::new()
        .crd_bytes(origin, yaml.as_bytes().to_vec())
        .generate()
    {
        Ok(_) => panic!("expected an error for {origin}"),
        Err(e) => e.to_string(),
    }
}

/// A one-version CRD whose `spec` property schema is `spec_schema` (YAML flow style).
fn crd_with_spec(spec_schema: &str) -> String {
    format!(
        r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {{name: foos.example.io}}
spec:
  group: example.io
  scope: Namespaced
  names: {{kind: Foo, plural: foos}}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {spec_schema}
"#
    )
}

#[test]
fn crd_unknown_type_names_file_document_crd_version_and_path() {
    let yaml = format!(
        "---\nkind: ConfigMap\napiVersion: v1\n---\n{}",
        crd_with_spec("{type: object, properties: {size: {type: decimal}}}")
    );
    let e = crd_error("foos.yaml", &yaml);
    for want in [
        "foos.yaml",
        "document 2",
        "foos.example.io",
        "`v1`",
        "openAPIV3Schema.properties.spec.properties.size",
        "decimal",
    ] {
        assert!(e.contains(want), "missing {want:?} in: {e}");
    }
}

#[test]
fn crd_ref_is_rejected_with_its_path() {
    let e = crd_error(
        "ref.yaml",
        &crd_with_spec("{type: array, items: {$ref: '#/definitions/Other'}}"),
    );
    assert!(
        e.contains("$ref") && e.contains("properties.spec.items") && e.contains("not allowed"),
        "{e}"
    );
}

#[test]
fn crd_served_version_without_schema_is_reported() {
    let yaml = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: bars.example.io}
spec:
  group: example.io
  scope: Cluster
  names: {kind: Bar, plural: bars}
  versions:
    - {name: v1alpha1, served: false, storage: false}
    - {name: v1, served: true, storage: true}
"#;
    let e = crd_error("bars.yaml", yaml);
    assert!(
        e.contains("bars.yaml")
            && e.contains("bars.example.io")
            && e.contains("`v1`")
            && e.contains("spec.versions[1]")
            && e.contains("schema"),
        "{e}"
    );
}

#[test]
fn crd_duplicate_kind_across_files_names_both() {
    let doc = crd_with_spec("{type: object}");
    let e = match Builder::new()
        .crd_bytes("a.yaml", doc.clone().into_bytes())
        .crd_bytes("b.yaml", doc.into_bytes())
        .generate()
    {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    };
    assert!(
        e.contains("a.yaml") && e.contains("b.yaml") && e.contains("twice"),
        "{e}"
    );
}

#[test]
fn crd_bad_scope_and_names_are_reported() {
    let e = crd_error(
        "scope.yaml",
        &crd_with_spec("{type: object}").replace("Namespaced", "Galaxy"),
    );
    assert!(e.contains("spec.scope") && e.contains("Galaxy"), "{e}");
    let e = crd_error(
        "kind.yaml",
        &crd_with_spec("{type: object}").replace("kind: Foo", "kind: 'foo bar'"),
    );
    assert!(
        e.contains("spec.names.kind") && e.contains("foo bar"),
        "{e}"
    );
}

#[test]
fn crd_wrong_shapes_are_reported() {
    let e = crd_error(
        "props.yaml",
        &crd_with_spec("{type: object, properties: [a, b]}"),
    );
    assert!(e.contains("properties") && e.contains("mapping"), "{e}");
    let e = crd_error(
        "flag.yaml",
        &crd_with_spec("{x-kubernetes-int-or-string: 'yes'}"),
    );
    assert!(
        e.contains("x-kubernetes-int-or-string") && e.contains("boolean"),
        "{e}"
    );
    let e = crd_error(
        "v1beta1.yaml",
        &crd_with_spec("{type: object}")
            .replace("apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1"),
    );
    assert!(e.contains("v1beta1") && e.contains("apiVersion"), "{e}");
    let e = crd_error("nocrd.yaml", "apiVersion: v1\nkind: ConfigMap\n");
    assert!(
        e.contains("nocrd.yaml")
            && e.contains("no apiextensions.k8s.io/v1 CustomResourceDefinition"),
        "{e}"
    );
    let e = crd_error("missing.yaml", "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x.example.io}\nspec: {group: example.io}\n");
    assert!(
        e.contains("missing.yaml") && e.contains("x.example.io") && e.contains("names"),
        "{e}"
    );
}

#[test]
fn crd_invalid_yaml_names_the_file_document_and_line() {
    let e = crd_error(
        "broken.yaml",
        "---\napiVersion: v1\nkind: ConfigMap\n---\nspec: [unclosed\n",
    );
    assert!(
        e.contains("broken.yaml") && e.contains("document 2") && e.contains("line"),
        "{e}"
    );
}

#[test]
fn crd_arbitrary_bytes_never_panic() {
    let base = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/crd-basic/crds.yaml"
    ))
    .unwrap();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for i in 0..300 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut bytes = base.clone();
        if i % 3 == 0 {
            bytes.truncate((seed as usize) % bytes.len());
        } else {
            for k in 0..(1 + i % 4) {
                let at = (seed.rotate_left(k * 16) as usize) % bytes.len();
                bytes[at] = (seed >> (32 + k)) as u8;
            }
        }
        let _ = Builder::new().crd_bytes("fuzz.yaml", bytes).generate();
    }
}

#[test]
fn deeply_nested_crd_yaml_is_refused_quickly() {
    for text in [
        "[".repeat(100_000),
        format!("a:\n{}x\n", "- ".repeat(50_000)),
    ] {
        let started = std::time::Instant::now();
        let e = match Builder::new()
            .crd_bytes("deep.yaml", text.into_bytes())
            .generate()
        {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.to_string(),
        };
        assert!(
            e.contains("deep.yaml") && e.contains("nested deeper than"),
            "{e}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }
}
