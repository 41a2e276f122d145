//! OpenAPI v3 input (one document per group version) yields the same IR as swagger 2.0 for the
//! same Kubernetes release. Skipped with a note when the specs folder is not available (fails under `CI=true`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient_codegen::{locate, Builder};
use std::path::Path;

#[test]
fn v3_yields_the_same_types_and_resources_as_swagger() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let Ok(swagger) = locate::SearchPath::new(&workspace)
        .spec("v1.35")
        .map(|f| f.swagger())
    else {
        kubeclient_test_support::missing("the Kubernetes v1.35 swagger.json");
        return;
    };
    let v3 = swagger.with_file_name("v3");
    if !v3.is_dir() {
        kubeclient_test_support::missing(v3.display());
        return;
    }
    let (from_v2, _) = Builder::new().spec_file(&swagger).build_ir().unwrap();
    let (from_v3, _) = Builder::new().openapi_v3_dir(&v3).build_ir().unwrap();
    let v2_names: Vec<&String> = from_v2.types.keys().collect();
    let v3_names: Vec<&String> = from_v3.types.keys().collect();
    // The discovery documents (`/api`, `/apis`, `/version`) are not group-version documents, so
    // their types (all handwritten in the runtime) are the only ones v3 may lack.
    let missing: Vec<_> = v2_names
        .iter()
        .filter(|n| !from_v3.types.contains_key(n.as_str()))
        .filter(|n| {
            !matches!(
                from_v2.types[n.as_str()].kind,
                kubeclient_codegen::ir::TypeKind::Runtime(_)
            )
        })
        .collect();
    let extra: Vec<_> = v3_names
        .iter()
        .filter(|n| !from_v2.types.contains_key(n.as_str()))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing in v3: {missing:?}\nonly in v3: {extra:?}"
    );
    let mut differ = Vec::new();
    for (name, t) in &from_v2.types {
        if !from_v3.types.contains_key(name) {
            continue;
        }
        if format!("{t:?}") != format!("{:?}", from_v3.types[name]) {
            differ.push(name.clone());
        }
    }
    assert!(
        differ.is_empty(),
        "{} types differ, e.g. {:?}",
        differ.len(),
        &differ[..differ.len().min(10)]
    );
    assert_eq!(
        format!("{:?}", from_v2.groups),
        format!("{:?}", from_v3.groups)
    );
    assert_eq!(
        format!("{:?}", from_v2.packages),
        format!("{:?}", from_v3.packages)
    );
    assert_eq!(from_v2.feature_deps, from_v3.feature_deps);
    let patch_differs: Vec<_> = from_v3
        .patch
        .iter()
        .filter(|(n, p)| from_v2.patch.get(*n) != Some(p))
        .map(|(n, _)| n)
        .collect();
    assert!(
        patch_differs.is_empty(),
        "patch metadata differs for {patch_differs:?}"
    );
}
