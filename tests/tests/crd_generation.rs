//! Code generated from real-world CRDs (see build.rs and `kubeclient_tests::crds`): realistic
//! objects survive a serde round trip, and the typed clients work end to end against the test
//! server once the CRD itself has been created through the generated `Clientset`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails

use futures_util::StreamExt;
use kubeclient::api::apiextensions::v1::CustomResourceDefinition;
use kubeclient::meta::v1::{
    CreateOptions, DeleteOptions, GetOptions, ListOptions, ObjectMeta, UpdateOptions, WatchEvent,
};
use kubeclient::Clientset;
use kubeclient_runtime::Resource;
use kubeclient_tests::crds;
use kubeclient_tests::on_both_servers;
use kubeclient_tests::servers::Server;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;

/// Decode `value` as `K`, encode it again: nothing may be lost or added.
fn round_trip<K: serde::de::DeserializeOwned + serde::Serialize>(value: Value) -> K {
    let typed: K =
        serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("decode: {e}\n{value:#}"));
    let again = serde_json::to_value(&typed).expect("encode");
    assert_eq!(again, value, "round trip changed the object");
    typed
}

fn certificate_json(name: &str) -> Value {
    json!({
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "secretName": format!("{name}-tls"),
            "commonName": "web.example.com",
            "dnsNames": ["web.example.com", "www.example.com"],
            "duration": "2160h",
            "renewBefore": "360h",
            "isCA": false,
            "usages": ["server auth", "client auth"],
            "issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer", "group": "cert-manager.io"},
            "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always", "encoding": "PKCS8"},
            "subject": {"organizations": ["Example"], "countries": ["NL"]},
            "keystores": {"pkcs12": {"create": true, "passwordSecretRef": {"name": "p12", "key": "password"}, "profile": "Modern2023"}},
            "secretTemplate": {"annotations": {"a": "b"}, "labels": {"team": "edge"}},
            "additionalOutputFormats": [{"type": "CombinedPEM"}],
            "otherNames": [{"oid": "1.3.6.1.4.1.311.20.2.3", "utf8Value": "upn@example.com"}]
        },
        "status": {
            "conditions": [{
                "type": "Ready", "status": "True", "reason": "Ready", "message": "Certificate is up to date",
                "lastTransitionTime": "2025-01-02T03:04:05Z", "observedGeneration": 1
            }],
            "notAfter": "2025-04-02T03:04:05Z",
            "notBefore": "2025-01-02T03:04:05Z",
            "renewalTime": "2025-03-18T03:04:05Z",
            "revision": 1
        }
    })
}

#[test]
fn certificate_round_trips() {
    use crds::certificates_cert_manager_io::api::cert_manager::v1::Certificate;
    let c: Certificate = round_trip(certificate_json("web"));
    let spec = c.spec.expect("spec");
    assert_eq!(spec.issuer_ref.name, "letsencrypt");
    assert_eq!(spec.private_key.and_then(|k| k.size), Some(256));
    let status = c.status.expect("status");
    assert_eq!(status.conditions.unwrap_or_default()[0].type_, "Ready");
    assert!(status.not_after.is_some());
    assert_eq!(Certificate::PLURAL, "certificates");
}

#[test]
fn service_monitor_round_trips() {
    use crds::servicemonitors_monitoring_coreos_com::api::monitoring_coreos::v1::ServiceMonitor;
    let sm: ServiceMonitor = round_trip(json!({
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": {"name": "web", "namespace": "monitoring"},
        "spec": {
            "jobLabel": "app.kubernetes.io/name",
            "selector": {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["frontend"]}]},
            "namespaceSelector": {"matchNames": ["default", "web"]},
            "endpoints": [
                {
                    "port": "metrics", "interval": "30s", "scrapeTimeout": "10s", "path": "/metrics", "scheme": "https",
                    "honorLabels": true,
                    "params": {"module": ["http_2xx"]},
                    "tlsConfig": {"insecureSkipVerify": false, "serverName": "web.default.svc"},
                    "bearerTokenSecret": {"name": "token", "key": "t"},
                    "relabelings": [{"sourceLabels": ["__meta_kubernetes_pod_name"], "targetLabel": "pod", "action": "replace"}],
                    "metricRelabelings": [{"regex": "go_.*", "action": "drop"}]
                },
                {"targetPort": 9090},
                {"targetPort": "web"}
            ],
            "sampleLimit": 10000,
            "targetLabels": ["team"]
        }
    }));
    assert_eq!(sm.spec.endpoints.len(), 3);
    assert_eq!(
        sm.spec.endpoints[1].target_port,
        Some(kubeclient_runtime::meta::IntOrString::Int(9090))
    );
}

#[test]
fn other_real_crds_round_trip() {
    use crds::destinationrules_networking_istio_io::api::networking_istio::v1beta1::DestinationRule;
    use crds::dnsendpoints_externaldns_k8s_io::api::externaldns::v1alpha1::DNSEndpoint;
    use crds::prometheusrules_monitoring_coreos_com::api::monitoring_coreos::v1::PrometheusRule;
    round_trip::<DNSEndpoint>(json!({
        "apiVersion": "externaldns.k8s.io/v1alpha1", "kind": "DNSEndpoint",
        "metadata": {"name": "web"},
        "spec": {"endpoints": [{"dnsName": "web.example.com", "recordType": "A", "recordTTL": 300,
                                "targets": ["10.0.0.1"], "labels": {"owner": "me"},
                                "providerSpecific": [{"name": "aws/weight", "value": "10"}]}]}
    }));
    round_trip::<PrometheusRule>(json!({
        "apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
        "metadata": {"name": "rules", "namespace": "monitoring"},
        "spec": {"groups": [{"name": "web", "interval": "1m", "rules": [
            {"alert": "WebDown", "expr": "up{job=\"web\"} == 0", "for": "5m",
             "labels": {"severity": "page"}, "annotations": {"summary": "web is down"}},
            {"record": "job:up:sum", "expr": 1}
        ]}]}
    }));
    round_trip::<DestinationRule>(json!({
        "apiVersion": "networking.istio.io/v1beta1", "kind": "DestinationRule",
        "metadata": {"name": "reviews", "namespace": "default"},
        "spec": {
            "host": "reviews.default.svc.cluster.local",
            "trafficPolicy": {"loadBalancer": {"simple": "LEAST_CONN"},
                               "connectionPool": {"tcp": {"maxConnections": 100}}},
            "subsets": [{"name": "v1", "labels": {"version": "v1"}}],
            "exportTo": ["."]
        }
    }));
}

fn crd_file(rel: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("KUBECLIENT_TEST_CRDS")).join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Create every CRD of a YAML file through the generated apiextensions client (one that exists
/// already is kept), and wait until each is established.
async fn install_crds(s: &Server, cs: &Clientset, yaml: &[u8]) {
    use serde::Deserialize;
    for doc in serde_yaml_ng::Deserializer::from_slice(yaml) {
        let value = Value::deserialize(doc).expect("yaml");
        if value.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition") {
            continue;
        }
        let crd: CustomResourceDefinition = serde_json::from_value(value).expect("CRD decodes");
        match cs
            .apiextensions_v1()
            .custom_resource_definitions()
            .create(&crd, &CreateOptions::default())
            .await
        {
            Ok(_) => {}
            Err(e) if e.is_already_exists() => {}
            Err(e) => panic!("CRD is created: {e}"),
        }
        s.wait_for_crd(crd.metadata.name.as_deref().expect("CRD name"))
            .await;
    }
}

on_both_servers!(
    certificates_end_to_end,
    cluster_scoped_kind_and_scale_subresource
);

async fn certificates_end_to_end(s: Server) {
    use crds::certificates_cert_manager_io::api::cert_manager::v1::{
        Certificate, CertificateStatus,
    };
    let cs = Clientset::new(s.config()).expect("clientset");
    let ns = s.namespace("certs").await;
    install_crds(
        &s,
        &cs,
        &crd_file("cert-manager/certificates.cert-manager.io.yaml"),
    )
    .await;

    let crs =
        crds::certificates_cert_manager_io::Clientset::from_rest_client(cs.rest_client().clone());
    let certs = crs.cert_manager_v1().certificates(&ns);
    let start = certs.list(&ListOptions::default()).await.expect("list");
    assert!(start.items.is_empty());
    let mut events = certs
        .watch(&ListOptions {
            resource_version: start.metadata.resource_version.clone(),
            ..Default::default()
        })
        .await
        .expect("watch");

    let mut want: Certificate = serde_json::from_value(certificate_json("web")).unwrap();
    want.status = None;
    want.metadata.namespace = Some(ns.as_str().into());
    let created = certs
        .create(&want, &CreateOptions::default())
        .await
        .expect("create");
    assert!(created.metadata.uid.is_some());
    assert_eq!(
        created.spec, want.spec,
        "every spec field is stored and returned"
    );

    let got = certs.get("web", &GetOptions::default()).await.expect("get");
    assert_eq!(got.spec, want.spec);
    let listed = certs.list(&ListOptions::default()).await.expect("list");
    assert_eq!(listed.items.len(), 1);

    let mut changed = got.clone();
    if let Some(spec) = changed.spec.as_mut() {
        spec.dns_names = Some(vec!["api.example.com".into()]);
    }
    let updated = certs
        .update(&changed, &UpdateOptions::default())
        .await
        .expect("update");
    assert_eq!(
        updated.spec.as_ref().and_then(|s| s.dns_names.clone()),
        Some(vec!["api.example.com".into()])
    );

    let mut with_status = updated.clone();
    let status_json = certificate_json("web")["status"].clone();
    with_status.status = Some(serde_json::from_value::<CertificateStatus>(status_json).unwrap());
    let after = certs
        .update_status(&with_status, &UpdateOptions::default())
        .await
        .expect("update status");
    assert_eq!(after.status, with_status.status);
    let read_status = certs
        .get_status("web", &GetOptions::default())
        .await
        .expect("get status");
    assert_eq!(read_status.status, with_status.status);

    certs
        .delete("web", &DeleteOptions::default())
        .await
        .expect("delete");
    let err = certs.get("web", &GetOptions::default()).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");

    let mut seen = Vec::new();
    while seen.last() != Some(&"DELETED") {
        let ev = tokio::time::timeout(Duration::from_secs(10), events.next())
            .await
            .expect("event in time");
        match ev.expect("stream open").expect("event decodes") {
            WatchEvent::Added(c) => {
                assert_eq!(c.spec, want.spec);
                seen.push("ADDED")
            }
            WatchEvent::Modified(_) => seen.push("MODIFIED"),
            WatchEvent::Deleted(_) => seen.push("DELETED"),
            WatchEvent::Bookmark(_) => {}
            WatchEvent::Error(s) => panic!("watch error: {s}"),
        }
    }
    assert_eq!(seen, ["ADDED", "MODIFIED", "MODIFIED", "DELETED"]);
}

async fn cluster_scoped_kind_and_scale_subresource(s: Server) {
    use crds::crd_basic::api::example_kubeclient::v1::{
        Gadget, GadgetSpec, Widget, WidgetSpec, WidgetStatus,
    };
    let cs = Clientset::new(s.config()).expect("clientset");
    let ns = s.namespace("widgets").await;
    let gadget = s.unique("blue");
    let fixture = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../codegen/tests/fixtures/crd-basic/crds.yaml"
    ))
    .unwrap();
    install_crds(&s, &cs, &fixture).await;
    let crs = crds::crd_basic::Clientset::from_rest_client(cs.rest_client().clone());

    let gadgets = crs.example_kubeclient_v1().gadgets();
    let g = Gadget {
        metadata: ObjectMeta {
            name: Some(gadget.as_str().into()),
            ..Default::default()
        },
        spec: Some(GadgetSpec {
            color: Some("blue".into()),
        }),
    };
    let created = gadgets
        .create(&g, &CreateOptions::default())
        .await
        .expect("create cluster-scoped");
    assert_eq!(created.metadata.namespace, None);
    let listed = gadgets.list(&ListOptions::default()).await.unwrap().items;
    assert!(listed
        .iter()
        .any(|g| g.metadata.name.as_deref() == Some(gadget.as_str())));

    let widgets = crs.example_kubeclient_v1().widgets(&ns);
    let w = Widget {
        metadata: ObjectMeta {
            name: Some("w".into()),
            ..Default::default()
        },
        spec: WidgetSpec {
            size: 3,
            replicas: Some(2),
            port: Some(kubeclient_runtime::meta::IntOrString::String("http".into())),
            ..Default::default()
        },
        ..Default::default()
    };
    let created = widgets
        .create(&w, &CreateOptions::default())
        .await
        .expect("create");
    assert_eq!(created.spec, w.spec);
    let mut with_status = created.clone();
    with_status.status = Some(WidgetStatus {
        replicas: Some(2),
        selector: Some("app=w".into()),
        ..Default::default()
    });
    widgets
        .update_status(&with_status, &UpdateOptions::default())
        .await
        .expect("status");

    let scale = widgets
        .get_scale("w", &GetOptions::default())
        .await
        .expect("get scale");
    assert_eq!(scale.spec.and_then(|s| s.replicas), Some(2));
    assert_eq!(scale.status.map(|s| s.replicas), Some(2));
    let mut scale = widgets
        .get_scale("w", &GetOptions::default())
        .await
        .unwrap();
    scale.spec = Some(crds::crd_basic::api::autoscaling::v1::ScaleSpec { replicas: Some(5) });
    widgets
        .update_scale("w", &scale, &UpdateOptions::default())
        .await
        .expect("update scale");
    let got = widgets.get("w", &GetOptions::default()).await.unwrap();
    assert_eq!(got.spec.replicas, Some(5));
}

#[test]
fn preserved_unknown_fields_survive_a_round_trip() {
    use crds::crd_basic::api::example_kubeclient::v1::Widget;
    let widget = json!({
        "apiVersion": "example.kubeclient.dev/v1", "kind": "Widget", "metadata": {"name": "w"},
        "spec": {"size": 1, "plugin": {"name": "p", "extra": "named", "flags": {"fast": true}, "level": 3}}
    });
    let decoded: Widget = round_trip(widget);
    let plugin = decoded.spec.plugin.as_deref().expect("plugin");
    assert_eq!(plugin.extra.as_deref(), Some("named"));
    assert_eq!(plugin.extra_2.get("flags"), Some(&json!({"fast": true})));
    assert_eq!(plugin.extra_2.get("level"), Some(&json!(3)));
}

#[test]
fn kinds_named_like_std_types_and_underscore_properties_work() {
    use crds::crd_std_names::api::gateway_networking_x_k8s::v1::{
        Box, BoxSpec, Option, String, Vec,
    };
    let b: Box = round_trip(json!({
        "apiVersion": "gateway.networking.x-k8s.io/v1",
        "kind": "Box",
        "metadata": {"name": "b"},
        "spec": {"name": "n", "_": "u", "items": ["a"], "inner": {"_": 1, "maybe": true}}
    }));
    let spec: &BoxSpec = b.spec.as_ref().expect("spec");
    assert_eq!(spec.underscore.as_deref(), ::std::option::Option::Some("u"));
    let _: (Option, String, Vec) = Default::default();
}

#[test]
fn a_kinds_own_fields_keep_setters_named_like_the_metadata_ones() {
    use crds::crd_std_names::api::gateway_networking_x_k8s::v1::{
        BoxApplyConfiguration, TagApplyConfiguration,
    };
    // `Tag` has top-level `name` and `labels`: its setters write those; the other metadata
    // setters still write into `metadata`.
    let tag = TagApplyConfiguration::new("t", "ns")
        .with_name("own")
        .with_labels([("k", "v")])
        .with_annotations([("a", "b")]);
    assert_eq!(
        serde_json::to_value(&tag).unwrap(),
        json!({
            "apiVersion": "gateway.networking.x-k8s.io/v1", "kind": "Tag",
            "metadata": {"name": "t", "namespace": "ns", "annotations": {"a": "b"}},
            "name": "own", "labels": {"k": "v"}
        })
    );
    // A kind without such fields gets the shared ones.
    let b = BoxApplyConfiguration::new("b", "ns").with_labels([("k", "v")]);
    assert_eq!(
        serde_json::to_value(&b).unwrap()["metadata"],
        json!({"name": "b", "namespace": "ns", "labels": {"k": "v"}})
    );
}
