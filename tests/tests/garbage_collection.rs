//! Deletes cascade through ownerReferences as `propagationPolicy` says, against both servers
//! (the real cluster's garbage collector runs in kube-controller-manager, the test server's
//! within the DELETE): background removes the dependents after the owner, foreground before it
//! (the owner waits with the `foregroundDeletion` finalizer), orphan keeps them and drops the
//! reference.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient::api::core::v1::ConfigMap;
use kubeclient::client::ResourceClient;
use kubeclient::meta::v1::{CreateOptions, DeleteOptions, ObjectMeta, OwnerReference};
use kubeclient::Clientset;
use kubeclient_tests::on_both_servers;
use kubeclient_tests::servers::Server;
use std::time::{Duration, Instant};

on_both_servers!(background_foreground_and_orphan);

async fn create(
    cms: &ResourceClient<ConfigMap>,
    name: &str,
    owner: Option<&ConfigMap>,
) -> ConfigMap {
    let owner_references = owner.map(|o| {
        vec![OwnerReference {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            name: o.metadata.name.clone().unwrap(),
            uid: o.metadata.uid.clone().unwrap(),
            block_owner_deletion: Some(true),
            ..Default::default()
        }]
    });
    let cm = ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            owner_references,
            ..Default::default()
        },
        ..Default::default()
    };
    cms.create(&cm, &CreateOptions::default()).await.unwrap()
}

/// Names of the ConfigMaps still there, waiting (the real collector works in the background)
/// until `done` holds for them or a minute passes.
async fn settle(
    cms: &ResourceClient<ConfigMap>,
    done: impl Fn(&[ConfigMap]) -> bool,
) -> Vec<ConfigMap> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut items = cms.list(&Default::default()).await.unwrap().items;
        items.retain(|c| c.metadata.name.as_deref() != Some("kube-root-ca.crt"));
        if done(&items) || Instant::now() > deadline {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn names(items: &[ConfigMap]) -> Vec<&str> {
    let mut n: Vec<&str> = items
        .iter()
        .filter_map(|c| c.metadata.name.as_deref())
        .collect();
    n.sort();
    n
}

fn policy(p: &str) -> DeleteOptions {
    DeleteOptions {
        propagation_policy: Some(p.into()),
        ..Default::default()
    }
}

async fn background_foreground_and_orphan(s: Server) {
    let cs = Clientset::new(s.config()).expect("clientset");
    let ns = s.namespace("gc").await;
    let cms = cs.core_v1().config_maps(&ns);

    // Background: owner -> child -> grandchild all go; the bystander stays.
    let owner = create(&cms, "bg-owner", None).await;
    let child = create(&cms, "bg-child", Some(&owner)).await;
    create(&cms, "bg-grandchild", Some(&child)).await;
    create(&cms, "bystander", None).await;
    cms.delete("bg-owner", &policy("Background")).await.unwrap();
    let left = settle(&cms, |i| names(i) == ["bystander"]).await;
    assert_eq!(names(&left), ["bystander"], "background cascade");

    // Foreground: the owner is marked and kept until its dependents are gone.
    let owner = create(&cms, "fg-owner", None).await;
    let child = create(&cms, "fg-child", Some(&owner)).await;
    create(&cms, "fg-grandchild", Some(&child)).await;
    cms.delete("fg-owner", &policy("Foreground")).await.unwrap();
    let left = settle(&cms, |i| names(i) == ["bystander"]).await;
    assert_eq!(names(&left), ["bystander"], "foreground cascade");

    // Orphan: the dependent stays, without the reference.
    let owner = create(&cms, "or-owner", None).await;
    create(&cms, "or-child", Some(&owner)).await;
    cms.delete("or-owner", &policy("Orphan")).await.unwrap();
    let left = settle(&cms, |i| {
        names(i) == ["bystander", "or-child"]
            && i.iter().all(|c| c.metadata.owner_references.is_none())
    })
    .await;
    assert_eq!(names(&left), ["bystander", "or-child"], "orphaned");
    assert!(
        left.iter().all(|c| c.metadata.owner_references.is_none()),
        "the reference to the deleted owner is gone: {left:?}"
    );
}
