//! `generated/Cargo.toml` declares one feature per API group with the groups its types
//! reference. The table is static, so check it against the closure the generator computes for
//! every supported spec: a new cross-group reference upstream fails here, not in a user's build.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient_codegen::{locate, Builder, VERSIONS};
use std::collections::BTreeSet;
use std::path::PathBuf;

#[test]
fn cargo_features_cover_every_reference_closure() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let manifest: toml::Value =
        toml::from_str(&std::fs::read_to_string(root.join("generated/Cargo.toml")).unwrap())
            .unwrap();
    let features = manifest["features"].as_table().expect("[features]");
    let declared = |f: &str| -> Option<BTreeSet<String>> {
        features.get(f).and_then(|v| v.as_array()).map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
    };
    let defaults = declared("default").expect("default feature");
    let mut checked = 0;
    for v in VERSIONS {
        let Ok(spec) = locate::SearchPath::new(&root)
            .spec(v.name)
            .map(|f| f.swagger())
        else {
            kubeclient_test_support::missing(format_args!("the {} spec", v.name));
            continue;
        };
        let (ir, _) = Builder::new().spec_file(&spec).build_ir().unwrap();
        for f in ir.features() {
            let deps = declared(&f).unwrap_or_else(|| {
                panic!(
                    "{}: feature `{f}` missing from generated/Cargo.toml",
                    v.name
                )
            });
            let needed = ir.feature_closure(&f);
            let missing: Vec<_> = needed.difference(&deps).collect();
            assert!(
                missing.is_empty(),
                "{}: feature `{f}` must enable {missing:?}",
                v.name
            );
            assert!(
                defaults.contains(&f),
                "{}: feature `{f}` not in default",
                v.name
            );
        }
        checked += 1;
    }
    assert!(checked > 0, "no spec found to check against");
}
