//! A Kubernetes version the generator has never seen (built by `build.rs` from the selected spec
//! plus a made-up apimachinery type `ShardInfo` that `ListMeta`, `StatusDetails` and a made-up
//! `ShardRange` refer to) generates, compiles (it is part of this crate's library) and loses
//! nothing in JSON.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient_tests::simulated;
use serde_json::{json, Value};

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(v: &Value) -> Value {
    let decoded: T = serde_json::from_value(v.clone()).expect("decodes");
    serde_json::to_value(&decoded).expect("encodes")
}

#[test]
fn a_new_field_of_list_meta_survives_a_list_round_trip() {
    let list = json!({
        "apiVersion": "v1",
        "kind": "ConfigMapList",
        "metadata": {
            "resourceVersion": "42",
            "shardInfo": {"shardIndex": 1, "shardCount": 4, "selector": {"matchLabels": {"a": "b"}}}
        },
        "items": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"k": "v"}}]
    });
    type List = kubeclient_runtime::meta::v1::List<simulated::api::core::v1::ConfigMap>;
    assert_eq!(round_trip::<List>(&list), list);
    let decoded: List = serde_json::from_value(list.clone()).unwrap();
    assert_eq!(
        decoded.metadata.extra["shardInfo"]["shardCount"],
        json!(4),
        "the new field is kept in ListMeta's extra map"
    );
}

#[test]
fn the_new_type_is_generated_and_used_by_other_generated_types() {
    use simulated::apimachinery::meta::v1::{ShardInfo, ShardRange};
    let range = json!({"count": 3, "first": {"shardCount": 2, "shardIndex": 0}});
    assert_eq!(round_trip::<ShardRange>(&range), range);
    let info: ShardInfo = serde_json::from_value(json!({"shardCount": 9})).unwrap();
    assert_eq!(info.shard_count, 9);
    assert!(info.selector.is_none());
}

#[test]
fn a_new_field_of_a_handwritten_status_survives() {
    let status = json!({
        "apiVersion": "v1", "kind": "Status", "status": "Failure", "code": 410,
        "details": {"name": "x", "shardInfo": {"shardCount": 2}}
    });
    assert_eq!(
        round_trip::<kubeclient_runtime::meta::v1::Status>(&status),
        status
    );
}

#[test]
fn the_generator_reported_what_it_kept_in_extra_maps() {
    let report = simulated::REPORT;
    for needle in [
        "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta.shardInfo",
        "io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails.shardInfo",
        "extra",
    ] {
        assert!(report.contains(needle), "{needle} not in:\n{report}");
    }
}
