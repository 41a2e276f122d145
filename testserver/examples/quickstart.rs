//! The README's main command: start the test API server in-process (HTTPS, client-certificate
//! auth, every resource of the generated Kubernetes version), then drive it with the generated
//! `Clientset` — create, list with a label selector, watch, scale, delete, server-side apply, an
//! informer's cache — printing each step.
//!
//! `cargo run --release -p kubeclient-testserver --example quickstart`

use futures_util::StreamExt;
use kubeclient::api::apps::v1::{Deployment, DeploymentSpec};
use kubeclient::api::core::v1::{Container, Namespace, Pod, PodSpec, PodTemplateSpec};
use kubeclient::client::Patch;
use kubeclient::meta::v1::{
    CreateOptions, DeleteOptions, GetOptions, LabelSelector, ListOptions, ObjectMeta, PatchOptions,
    UpdateOptions, WatchEvent,
};
use kubeclient::{Clientset, Map, Str};
use kubeclient_testserver::TestServer;

use std::time::Duration;

fn labels(app: &str) -> Option<Map<Str, Str>> {
    Some([("app".into(), app.into())].into())
}

fn pod_spec() -> Option<PodSpec> {
    Some(PodSpec {
        containers: vec![Container {
            name: "web".into(),
            image: Some("nginx:1.27".into()),
            ..Default::default()
        }],
        ..Default::default()
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let resources = kubeclient::discovery::resources();
    println!(
        "generated clientset: Kubernetes {}, {} resources in {} API groups",
        kubeclient::KUBERNETES_VERSION,
        resources.len(),
        resources
            .iter()
            .map(|r| r.group)
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    );

    let server = TestServer::start().await?;
    println!(
        "test server listening on {} (kubeconfig: {})",
        server.base_url(),
        server.kubeconfig_path().display()
    );
    let cs = Clientset::new(server.config())?;

    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some("demo".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    cs.core_v1()
        .namespaces()
        .create(&ns, &CreateOptions::default())
        .await?;
    println!("created namespace demo");

    let pods = cs.core_v1().pods("demo");
    let start = pods.list(&ListOptions::default()).await?;
    let mut watch = pods
        .watch(&ListOptions {
            resource_version: start.metadata.resource_version.clone(),
            ..Default::default()
        })
        .await?;
    let watcher = tokio::spawn(async move {
        let mut seen = 0;
        while let Ok(Some(event)) = tokio::time::timeout(Duration::from_secs(5), watch.next()).await
        {
            match event {
                Ok(WatchEvent::Added(p)) => {
                    println!("  watch: ADDED    {}", p.metadata.name.unwrap_or_default())
                }
                Ok(WatchEvent::Modified(p)) => {
                    println!("  watch: MODIFIED {}", p.metadata.name.unwrap_or_default())
                }
                Ok(WatchEvent::Deleted(p)) => {
                    println!("  watch: DELETED  {}", p.metadata.name.unwrap_or_default())
                }
                Ok(WatchEvent::Bookmark(_)) => continue,
                Ok(WatchEvent::Error(s)) => println!("  watch error: {s}"),
                Err(e) => println!("  watch error: {e}"),
            }
            seen += 1;
            if seen == 5 {
                break;
            }
        }
    });

    for (name, app) in [("web-1", "web"), ("web-2", "web"), ("db-1", "db")] {
        let pod = Pod {
            metadata: ObjectMeta {
                name: Some(name.into()),
                labels: labels(app),
                ..Default::default()
            },
            spec: pod_spec(),
            ..Default::default()
        };
        let created = pods.create(&pod, &CreateOptions::default()).await?;
        println!(
            "created pod {name} (uid {}, resourceVersion {})",
            created.metadata.uid.unwrap_or_default(),
            created.metadata.resource_version.unwrap_or_default()
        );
    }

    let web = pods
        .list(&ListOptions {
            label_selector: Some("app=web".into()),
            ..Default::default()
        })
        .await?;
    let names: Vec<_> = web
        .items
        .iter()
        .filter_map(|p| p.metadata.name.as_deref())
        .collect();
    println!("list app=web -> {names:?}");

    let mut db = pods.get("db-1", &GetOptions::default()).await?;
    db.metadata
        .labels
        .get_or_insert_with(Default::default)
        .insert("tier".into(), "backend".into());
    pods.update(&db, &UpdateOptions::default()).await?;
    println!("labelled db-1 tier=backend");

    pods.delete("web-2", &DeleteOptions::default()).await?;
    println!("deleted pod web-2");
    match pods.get("web-2", &GetOptions::default()).await {
        Err(e) if e.is_not_found() => println!("get web-2 -> NotFound, as expected"),
        other => println!("get web-2 -> unexpected {other:?}"),
    }

    let deployments = cs.apps_v1().deployments("demo");
    let deployment = Deployment {
        metadata: ObjectMeta {
            name: Some("web".into()),
            ..Default::default()
        },
        spec: Some(DeploymentSpec {
            replicas: Some(2),
            selector: LabelSelector {
                match_labels: labels("web"),
                ..Default::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: labels("web"),
                    ..Default::default()
                }),
                spec: pod_spec(),
            },
            ..Default::default()
        }),
        ..Default::default()
    };
    deployments
        .create(&deployment, &CreateOptions::default())
        .await?;
    let mut scale = deployments.get_scale("web", &GetOptions::default()).await?;
    println!(
        "deployment web: scale {:?}",
        scale.spec.as_ref().and_then(|s| s.replicas)
    );
    scale.spec.get_or_insert_with(Default::default).replicas = Some(4);
    deployments
        .update_scale("web", &scale, &UpdateOptions::default())
        .await?;
    let after = deployments.get("web", &GetOptions::default()).await?;
    println!(
        "deployment web: scaled to {:?}",
        after.spec.and_then(|s| s.replicas)
    );

    // Server-side apply: the server tracks which manager owns which field.
    let config = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"mode": "fast"}});
    let applied = cs
        .core_v1()
        .config_maps("demo")
        .patch(
            "settings",
            &Patch::Apply(config),
            &PatchOptions {
                field_manager: Some("quickstart".into()),
                ..Default::default()
            },
        )
        .await?;
    let owners: Vec<_> = applied
        .metadata
        .managed_fields
        .iter()
        .flatten()
        .filter_map(|m| m.manager.clone())
        .collect();
    println!("applied configmap settings (managers {owners:?})");

    // An informer: a local cache kept current by list + watch, read through a lister.
    let informer = pods.informer().build();
    let _running = informer.start();
    informer.wait_for_sync().await;
    let cached: Vec<_> = informer
        .lister()
        .namespace("demo")
        .list("app=web")?
        .iter()
        .filter_map(|p| p.metadata.name.clone())
        .collect();
    println!("informer cache: app=web -> {cached:?}");

    watcher.await?;
    println!("done: {} requests served", server.requests().len());
    Ok(())
}
