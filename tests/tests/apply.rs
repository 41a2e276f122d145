//! Typed server-side apply through generated apply configurations, against both servers: a
//! partial apply sends only what it sets (so it takes no fields from their owner), conflicts
//! and force behave as the API says, and `extract` reads back exactly what a manager applied
//! from `managedFields` — for a built-in kind and for a CRD kind, main resource and `/status`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use kubeclient::api::apps::v1::{
    Deployment, DeploymentApplyConfiguration, DeploymentSpecApplyConfiguration,
};
use kubeclient::api::core::v1::{
    ContainerApplyConfiguration, PodSpecApplyConfiguration, PodTemplateSpecApplyConfiguration,
};
use kubeclient::apply::ObjectMetaApplyConfiguration;
use kubeclient::meta::v1::{ApplyOptions, GetOptions, LabelSelector};
use kubeclient::{Clientset, Map};
use kubeclient_tests::crds;
use kubeclient_tests::on_both_servers;
use kubeclient_tests::servers::Server;
use serde_json::json;

on_both_servers!(
    partial_apply_takes_only_what_it_sets,
    extract_returns_what_was_applied,
    crd_apply_and_status_apply
);

/// A whole Deployment as one manager would apply it.
fn web(ns: &str, replicas: i32) -> DeploymentApplyConfiguration {
    let labels = Map::from([("app".into(), "web".into())]);
    DeploymentApplyConfiguration::new("web", ns)
        .with_labels([("team", "edge")])
        .with_spec(
            DeploymentSpecApplyConfiguration::new()
                .with_replicas(replicas)
                .with_selector(LabelSelector {
                    match_labels: Some(labels),
                    ..Default::default()
                })
                .with_template(
                    PodTemplateSpecApplyConfiguration::new()
                        .with_metadata(
                            ObjectMetaApplyConfiguration::new().with_labels([("app", "web")]),
                        )
                        .with_spec(
                            PodSpecApplyConfiguration::new().with_containers([
                                ContainerApplyConfiguration::new()
                                    .with_name("web")
                                    .with_image("nginx:1.27"),
                            ]),
                        ),
                ),
        )
}

async fn partial_apply_takes_only_what_it_sets(s: Server) {
    let cs = Clientset::new(s.config()).unwrap();
    let ns = s.namespace("apply").await;
    let deployments = cs.apps_v1().deployments(&ns);
    deployments
        .apply(&web(&ns, 2), &ApplyOptions::new("owner"))
        .await
        .expect("the owner applies the whole Deployment");

    // The scaler's configuration holds its one field and the object's identity, nothing else.
    let scale = DeploymentApplyConfiguration::new("web", &ns)
        .with_spec(DeploymentSpecApplyConfiguration::new().with_replicas(5));
    assert_eq!(
        serde_json::to_value(&scale).unwrap(),
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "web", "namespace": ns}, "spec": {"replicas": 5}})
    );
    // The owner holds replicas too: without force that is a conflict, with force it moves.
    let err = deployments
        .apply(&scale, &ApplyOptions::new("scaler"))
        .await
        .expect_err("replicas belongs to the owner");
    assert!(err.is_conflict(), "{err}");
    let scaled = deployments
        .apply(&scale, &ApplyOptions::new("scaler").force())
        .await
        .expect("a forced apply takes replicas");
    let spec = scaled.spec.unwrap();
    assert_eq!(spec.replicas, Some(5));
    let got = deployments
        .get("web", &GetOptions::default())
        .await
        .unwrap();
    let got_spec = got.spec.clone().unwrap();
    assert_eq!(
        got_spec
            .selector
            .match_labels
            .unwrap()
            .get("app")
            .map(|v| v.as_str()),
        Some("web"),
        "the selector is untouched"
    );
    let container = &got_spec.template.spec.unwrap().containers[0];
    assert_eq!(
        container.image.as_deref(),
        Some("nginx:1.27"),
        "the template is untouched"
    );

    // The owner no longer owns replicas; the scaler does, and nothing else.
    let owner = DeploymentApplyConfiguration::extract(&got, "owner").unwrap();
    assert_eq!(owner.0.as_map()["spec"].get("replicas"), None);
    let scaler = DeploymentApplyConfiguration::extract(&got, "scaler").unwrap();
    assert_eq!(scaler, scale);

    // Bad input fails before any request.
    let nameless = DeploymentApplyConfiguration::default();
    let err = deployments
        .apply(&nameless, &ApplyOptions::new("x"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("metadata.name"), "{err}");
    let err = deployments
        .apply(&scale, &ApplyOptions::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("field_manager"), "{err}");
}

async fn extract_returns_what_was_applied(s: Server) {
    let cs = Clientset::new(s.config()).unwrap();
    let ns = s.namespace("extract").await;
    let deployments = cs.apps_v1().deployments(&ns);
    let applied = web(&ns, 3);
    deployments
        .apply(&applied, &ApplyOptions::new("owner"))
        .await
        .unwrap();
    let got: Deployment = deployments
        .get("web", &GetOptions::default())
        .await
        .unwrap();
    let extracted = DeploymentApplyConfiguration::extract(&got, "owner").unwrap();
    assert_eq!(
        serde_json::to_value(&extracted).unwrap(),
        serde_json::to_value(&applied).unwrap(),
        "managedFields give back exactly the applied configuration"
    );
    // A manager that never applied owns nothing: only the identity comes back.
    let none = DeploymentApplyConfiguration::extract(&got, "nobody").unwrap();
    assert_eq!(none, DeploymentApplyConfiguration::new("web", &ns));

    // Extract, change in place, apply again: the manager keeps exactly its fields. (Replacing
    // the whole `spec` would drop the selector and template from what it applies, and the real
    // server would remove them.)
    let mut again = extracted;
    again.0.set_in(&["spec"], "replicas", 4);
    let stored = deployments
        .apply(&again, &ApplyOptions::new("owner"))
        .await
        .unwrap();
    assert_eq!(stored.spec.unwrap().replicas, Some(4));
}

async fn crd_apply_and_status_apply(s: Server) {
    use crds::certificates_cert_manager_io::api::cert_manager::v1::{
        Certificate, CertificateApplyConfiguration, CertificateSpecApplyConfiguration,
        CertificateSpecIssuerRefApplyConfiguration, CertificateStatusApplyConfiguration,
    };
    let cs = Clientset::new(s.config()).unwrap();
    let ns = s.namespace("crd-apply").await;
    install_crd(&s, &cs, "cert-manager/certificates.cert-manager.io.yaml").await;
    let crs =
        crds::certificates_cert_manager_io::Clientset::from_rest_client(cs.rest_client().clone());
    let certs = crs.cert_manager_v1().certificates(&ns);

    let applied = CertificateApplyConfiguration::new("web", &ns).with_spec(
        CertificateSpecApplyConfiguration::new()
            .with_secret_name("web-tls")
            .with_dns_names(["web.example.com"])
            .with_issuer_ref(
                CertificateSpecIssuerRefApplyConfiguration::new()
                    .with_name("letsencrypt")
                    .with_kind("ClusterIssuer"),
            ),
    );
    let stored = certs
        .apply(&applied, &ApplyOptions::new("cert-owner"))
        .await
        .expect("apply creates the Certificate");
    assert_eq!(stored.spec.as_ref().unwrap().secret_name, "web-tls");

    let status = CertificateApplyConfiguration::new("web", &ns)
        .with_status(CertificateStatusApplyConfiguration::new().with_revision(2));
    certs
        .apply_status(&status, &ApplyOptions::new("cert-controller"))
        .await
        .expect("apply on /status");

    let got: Certificate = certs.get("web", &GetOptions::default()).await.unwrap();
    assert_eq!(got.status.as_ref().and_then(|s| s.revision), Some(2));
    assert_eq!(
        CertificateApplyConfiguration::extract(&got, "cert-owner").unwrap(),
        applied
    );
    assert_eq!(
        CertificateApplyConfiguration::extract_status(&got, "cert-controller").unwrap(),
        status,
        "managedFields: {:?}",
        got.metadata.managed_fields
    );
}

/// Create the CRD of one file of the specs folder's `crds/` (kept if it exists) and wait until
/// it is established.
async fn install_crd(s: &Server, cs: &Clientset, rel: &str) {
    use kubeclient::api::apiextensions::v1::CustomResourceDefinition;
    use kubeclient::meta::v1::CreateOptions;
    let path = std::path::PathBuf::from(env!("KUBECLIENT_TEST_CRDS")).join(rel);
    let yaml = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let crd: CustomResourceDefinition = serde_yaml_ng::from_slice(&yaml).expect("one CRD");
    let crds = cs.apiextensions_v1().custom_resource_definitions();
    match crds.create(&crd, &CreateOptions::default()).await {
        Ok(_) => {}
        Err(e) if e.is_already_exists() => {}
        Err(e) => panic!("CRD is created: {e}"),
    }
    s.wait_for_crd(crd.metadata.name.as_deref().expect("CRD name"))
        .await;
}

/// Every apply configuration is one generic struct under an alias: its traits behave as the
/// per-type derives did, and it still prints under its own name.
#[test]
fn apply_configurations_clone_compare_print_and_serialize() {
    let a = web("ns", 2);
    let b = a.clone();
    assert_eq!(a, b);
    assert_ne!(a, web("ns", 3));
    let printed = format!("{a:?}");
    assert!(
        printed.starts_with("DeploymentApplyConfiguration("),
        "{printed}"
    );
    let empty = DeploymentSpecApplyConfiguration::default();
    assert_eq!(serde_json::to_value(&empty).unwrap(), json!({}));
    assert_eq!(
        serde_json::to_value(&b).unwrap()["spec"]["replicas"],
        json!(2)
    );
    // The object it wraps can be taken and given back.
    let again = DeploymentApplyConfiguration::from_object(b.0);
    assert_eq!(again, a);
}
