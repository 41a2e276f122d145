//! Bad input gives an error that names the input and what is wrong, never a panic.

use kubeclient_codegen::Builder;

fn generate(json: &str) -> String {
    match Builder::new().spec_bytes("bad-spec.json", json.as_bytes().to_vec()).generate() {
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
    let e = generate(r##"{"definitions": {"io.example.v1.Foo": {"type": "object", "properties": {"bar": {"$ref": "#/definitions/io.example.v1.Missing"}}}}}"##);
    assert!(e.contains("io.example.v1.Foo") && e.contains("bar") && e.contains("io.example.v1.Missing"), "{e}");
}

#[test]
fn unknown_schema_type_is_reported() {
    let e = generate(r#"{"definitions": {"io.example.v1.Foo": {"type": "object", "properties": {"n": {"type": "decimal"}}}}}"#);
    assert!(e.contains("io.example.v1.Foo") && e.contains("`n`") && e.contains("decimal"), "{e}");
}

#[test]
fn resource_without_definition_is_reported() {
    let e = generate(
        r#"{"definitions": {}, "paths": {"/apis/example.io/v1/foos": {"get": {"x-kubernetes-action": "list",
            "x-kubernetes-group-version-kind": {"group": "example.io", "version": "v1", "kind": "Foo"}}}}}"#,
    );
    assert!(e.contains("/apis/example.io/v1/foos") && e.contains("example.io/v1/Foo"), "{e}");
}

#[test]
fn unmapped_apimachinery_definition_is_reported() {
    let e = generate(r#"{"definitions": {"io.k8s.apimachinery.pkg.apis.meta.v1.Brand New": {"type": "object"}}}"#);
    assert!(e.contains("Brand New") && e.contains("runtime"), "{e}");
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A cheap deterministic fuzz: truncations and byte flips of a valid fixture.
    let base = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/edge-cases/spec.json")).unwrap();
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
