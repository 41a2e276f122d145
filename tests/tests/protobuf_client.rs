#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is how it fails
//! Typed clients in protobuf against both servers (the real kube-apiserver and the test
//! server, which answers in protobuf too): create, get, list (paged), update, every patch
//! type, apply and delete on many kinds, the status and scale subresources, watches,
//! informers and `Status` errors, each object also compared with what the same client reads
//! in JSON.

use kubeclient::meta::v1::{GetOptions, ListOptions, PatchOptions};
use kubeclient::resource::verbs;
use kubeclient::Resource;
use kubeclient_runtime::client::{Patch, ResourceClient};
use kubeclient_runtime::helpers::retry::retry_on_conflict;
use kubeclient_tests::servers::Server;
use serde_json::{json, Value};
use std::time::Duration;

/// The same config with JSON only (client-go's `ContentType: application/json`).
fn json_config(s: &Server) -> kubeclient::rest::Config {
    let mut c = s.config();
    c.content_type = Some("application/json".into());
    c
}

/// The JSON form with zero values left out, for comparing a protobuf read with a JSON read.
///
/// Go writes a field it holds by value (not behind a pointer) in protobuf even when zero, and
/// leaves it out of JSON (`omitempty`). The proto files do not say which fields are pointers,
/// so a generated type decoded from protobuf has `Some("")`/`Some(0)`/`Some(false)` where the
/// JSON read has `None` (the handwritten meta types know, and match JSON exactly). Both mean
/// the same to the server; the comparison ignores that difference, and the embedded type of
/// PVC templates, and nothing else.
fn as_json<K: serde::Serialize>(k: &K) -> Value {
    fn drop_zeros(v: Value) -> Option<Value> {
        match v {
            Value::Object(m) => Some(Value::Object(
                m.into_iter()
                    .filter_map(|(k, v)| drop_zeros(v).map(|v| (k, v)))
                    .collect(),
            )),
            Value::Array(a) => Some(Value::Array(a.into_iter().filter_map(drop_zeros).collect())),
            Value::String(s) if s.is_empty() => None,
            Value::Bool(false) | Value::Null => None,
            Value::Number(n) if n.as_f64() == Some(0.0) => None,
            other => Some(other),
        }
    }
    let mut v = serde_json::to_value(k).unwrap();
    // Protobuf never carries an embedded object's apiVersion/kind (Go's client gets them empty
    // too); JSON has them for StatefulSet's PVC templates.
    if let Some(Value::Array(templates)) = v.pointer_mut("/spec/volumeClaimTemplates") {
        for t in templates.iter_mut().filter_map(Value::as_object_mut) {
            t.remove("apiVersion");
            t.remove("kind");
        }
    }
    drop_zeros(v).unwrap_or(Value::Null)
}

/// Where two JSON values first differ.
fn difference(a: &Value, b: &Value, path: &str) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                match (x.get(k), y.get(k)) {
                    (Some(v), Some(w)) if v == w => {}
                    (Some(v), Some(w)) => return difference(v, w, &format!("{path}.{k}")),
                    (v, w) => return format!("{path}.{k}: protobuf {v:?}, JSON {w:?}"),
                }
            }
            format!("{path}: ?")
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find(|(_, (v, w))| v != w)
            .map(|(i, (v, w))| difference(v, w, &format!("{path}[{i}]")))
            .unwrap_or_default(),
        _ => format!("{path}: protobuf {a}, JSON {b}"),
    }
}

/// Every verb on one kind, in protobuf; each result read again in JSON must be the same object.
async fn every_verb<K>(proto: ResourceClient<K>, json: ResourceClient<K>, obj: Value)
where
    K: Resource
        + verbs::Get
        + verbs::List
        + verbs::Create
        + verbs::Update
        + verbs::Patch
        + verbs::Delete,
{
    let kind = K::KIND;
    let obj: K = serde_json::from_value(obj).unwrap_or_else(|e| panic!("{kind}: {e}"));
    let created = proto
        .create(&obj, &Default::default())
        .await
        .unwrap_or_else(|e| panic!("{kind}: create: {e}"));
    let name = created.metadata().name.clone().unwrap();
    // Controllers may write between the two reads: compare reads of one resourceVersion.
    let mut compared = false;
    for _ in 0..10 {
        let got = proto.get(&name, &GetOptions::default()).await.unwrap();
        let got_json = json.get(&name, &GetOptions::default()).await.unwrap();
        if got_json.metadata().resource_version != got.metadata().resource_version {
            continue;
        }
        let (a, b) = (as_json(&got), as_json(&got_json));
        assert!(
            a == b,
            "{kind}: protobuf and JSON reads differ at {}",
            difference(&a, &b, "")
        );
        compared = true;
        break;
    }
    assert!(
        compared,
        "{kind}: no two reads of one resourceVersion in 10 tries"
    );
    // A controller may write between our read and our write.
    let updated = retry_on_conflict(|| async {
        let mut changed = proto.get(&name, &GetOptions::default()).await?;
        changed
            .metadata_mut()
            .labels
            .get_or_insert_with(Default::default)
            .insert("wire".into(), "protobuf".into());
        proto.update(&changed, &Default::default()).await
    })
    .await
    .unwrap_or_else(|e| panic!("{kind}: update: {e}"));
    assert_eq!(
        updated
            .metadata()
            .labels
            .as_ref()
            .and_then(|l| l.get("wire"))
            .map(|v| v.as_str()),
        Some("protobuf"),
        "{kind}"
    );

    let patched = proto
        .patch(
            &name,
            &Patch::Merge(json!({"metadata": {"labels": {"patched": "yes"}}})),
            &PatchOptions::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{kind}: patch: {e}"));
    assert!(
        patched
            .metadata()
            .labels
            .as_ref()
            .unwrap()
            .contains_key("patched"),
        "{kind}"
    );
    let patched = proto
        .patch(
            &name,
            &Patch::Strategic(json!({"metadata": {"labels": {"strategic": "yes"}}})),
            &PatchOptions::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{kind}: strategic merge patch: {e}"));
    assert!(
        patched
            .metadata()
            .labels
            .as_ref()
            .unwrap()
            .contains_key("strategic"),
        "{kind}"
    );
    let patched = proto
        .patch(
            &name,
            &Patch::Json(
                json!([{"op": "add", "path": "/metadata/annotations", "value": {"json": "yes"}}]),
            ),
            &PatchOptions::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{kind}: JSON patch: {e}"));
    assert!(
        patched
            .metadata()
            .annotations
            .as_ref()
            .unwrap()
            .contains_key("json"),
        "{kind}"
    );
    let applied = proto
        .patch(
            &name,
            &Patch::Apply(json!({
                "apiVersion": K::API_VERSION, "kind": kind,
                "metadata": {"name": name, "annotations": {"applied": "yes"}}
            })),
            &PatchOptions {
                field_manager: Some("protobuf-test".into()),
                force: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{kind}: apply: {e}"));
    assert!(
        applied
            .metadata()
            .annotations
            .as_ref()
            .unwrap()
            .contains_key("applied"),
        "{kind}"
    );

    // Paged list, one item a page, until our object shows up.
    let mut opts = ListOptions {
        limit: Some(1),
        label_selector: Some("wire=protobuf".into()),
        ..Default::default()
    };
    let mut seen = false;
    for _ in 0..100 {
        let page = proto
            .list(&opts)
            .await
            .unwrap_or_else(|e| panic!("{kind}: list: {e}"));
        seen |= page
            .items
            .iter()
            .any(|i| i.metadata().name.as_deref() == Some(&name));
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(c) => opts.continue_ = Some(c),
            None => break,
        }
    }
    assert!(seen, "{kind}: not in the paged list");
    let listed = proto.list(&ListOptions::default()).await.unwrap();
    let listed_json = json.list(&ListOptions::default()).await.unwrap();
    let names = |items: &[K]| -> Vec<Option<String>> {
        items
            .iter()
            .map(|i| i.metadata().name.as_deref().map(str::to_owned))
            .collect()
    };
    assert_eq!(
        names(&listed.items),
        names(&listed_json.items),
        "{kind}: lists differ"
    );

    proto
        .delete(&name, &Default::default())
        .await
        .unwrap_or_else(|e| panic!("{kind}: delete: {e}"));
    assert!(
        proto.rest_client().prefers_protobuf(),
        "{kind}: the client fell back to JSON"
    );
}

kubeclient_tests::on_both_servers!(
    typed_clients_speak_protobuf_on_many_kinds,
    status_and_scale_subresources_in_protobuf,
    status_errors_come_back_in_protobuf,
    watches_and_informers_decode_protobuf_frames,
);

/// The server answers `path` in protobuf when asked for protobuf alone.
async fn answers_in_protobuf(s: &Server, group: &str, version: &str, ns: &str, plural: &str) {
    let body = kubeclient_runtime::rest::RestClient::new(&s.config())
        .unwrap()
        .for_group_version(group, version)
        .get()
        .namespace(ns)
        .resource(plural)
        .accept("application/vnd.kubernetes.protobuf")
        .do_raw()
        .await
        .unwrap_or_else(|e| panic!("{plural}: {e}"));
    assert!(
        body.starts_with(kubeclient_runtime::proto::MAGIC),
        "{plural}: not protobuf: {:?}",
        String::from_utf8_lossy(&body[..body.len().min(80)])
    );
}

async fn typed_clients_speak_protobuf_on_many_kinds(s: Server) {
    let ns = s.namespace("pb").await;
    let cs = kubeclient::Clientset::new(s.config()).unwrap();
    let js = kubeclient::Clientset::new(json_config(&s)).unwrap();
    let n = |p: &str| s.unique(p);
    let pod = json!({"containers": [{"name": "c", "image": "busybox", "command": ["sleep", "1"]}], "restartPolicy": "Never"});
    let serving = json!({"containers": [{"name": "c", "image": "busybox"}]});
    let labels = json!({"app": "pb"});
    let meta = |p: &str| json!({"name": n(p), "namespace": ns});
    every_verb(
        cs.core_v1().config_maps(&ns),
        js.core_v1().config_maps(&ns),
        json!({"metadata": meta("cm"), "data": {"a": "1"}, "binaryData": {"b": "AAE="}}),
    )
    .await;
    every_verb(
        cs.core_v1().secrets(&ns),
        js.core_v1().secrets(&ns),
        json!({"metadata": meta("secret"), "stringData": {"password": "x"}, "type": "Opaque"}),
    )
    .await;
    every_verb(
        cs.core_v1().service_accounts(&ns),
        js.core_v1().service_accounts(&ns),
        json!({"metadata": meta("sa")}),
    )
    .await;
    every_verb(cs.core_v1().services(&ns), js.core_v1().services(&ns),
        json!({"metadata": meta("svc"), "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": "http"}]}})).await;
    every_verb(cs.core_v1().persistent_volume_claims(&ns), js.core_v1().persistent_volume_claims(&ns),
        json!({"metadata": meta("pvc"), "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}})).await;
    every_verb(cs.core_v1().resource_quotas(&ns), js.core_v1().resource_quotas(&ns),
        json!({"metadata": meta("quota"), "spec": {"hard": {"pods": "10", "requests.cpu": "500m"}}})).await;
    every_verb(cs.core_v1().limit_ranges(&ns), js.core_v1().limit_ranges(&ns),
        json!({"metadata": meta("limits"), "spec": {"limits": [{"type": "Container", "default": {"cpu": "100m"}}]}})).await;
    every_verb(
        cs.core_v1().pods(&ns),
        js.core_v1().pods(&ns),
        json!({"metadata": meta("pod"), "spec": pod}),
    )
    .await;
    every_verb(cs.apps_v1().deployments(&ns), js.apps_v1().deployments(&ns),
        json!({"metadata": meta("deploy"), "spec": {"replicas": 0, "selector": {"matchLabels": labels},
            "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
            "template": {"metadata": {"labels": labels}, "spec": serving}}})).await;
    every_verb(cs.apps_v1().stateful_sets(&ns), js.apps_v1().stateful_sets(&ns),
        json!({"metadata": meta("sts"), "spec": {"replicas": 0, "selector": {"matchLabels": labels}, "serviceName": "x",
            "template": {"metadata": {"labels": labels}, "spec": serving},
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]}})).await;
    every_verb(
        cs.apps_v1().daemon_sets(&ns),
        js.apps_v1().daemon_sets(&ns),
        json!({"metadata": meta("ds"), "spec": {"selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": serving}}}),
    )
    .await;
    every_verb(
        cs.batch_v1().jobs(&ns),
        js.batch_v1().jobs(&ns),
        json!({"metadata": meta("job"), "spec": {"suspend": true, "template": {"spec": pod}}}),
    )
    .await;
    every_verb(
        cs.batch_v1().cron_jobs(&ns),
        js.batch_v1().cron_jobs(&ns),
        json!({"metadata": meta("cron"), "spec": {"schedule": "*/5 * * * *", "suspend": true,
            "jobTemplate": {"spec": {"template": {"spec": pod}}}}}),
    )
    .await;
    every_verb(cs.rbac_v1().roles(&ns), js.rbac_v1().roles(&ns),
        json!({"metadata": meta("role"), "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]})).await;
    every_verb(cs.rbac_v1().role_bindings(&ns), js.rbac_v1().role_bindings(&ns),
        json!({"metadata": meta("rb"), "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "x"},
            "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": ns}]})).await;
    every_verb(cs.rbac_v1().cluster_roles(), js.rbac_v1().cluster_roles(),
        json!({"metadata": {"name": n("cr")}, "rules": [{"nonResourceURLs": ["/healthz"], "verbs": ["get"]}]})).await;
    every_verb(cs.coordination_v1().leases(&ns), js.coordination_v1().leases(&ns),
        json!({"metadata": meta("lease"), "spec": {"holderIdentity": "me", "leaseDurationSeconds": 15,
            "renewTime": "2024-01-02T03:04:05.123456Z"}})).await;
    every_verb(cs.networking_v1().network_policies(&ns), js.networking_v1().network_policies(&ns),
        json!({"metadata": meta("netpol"), "spec": {"podSelector": {}, "ingress": [{"ports": [{"port": 8080}]}]}})).await;
    every_verb(cs.networking_v1().ingresses(&ns), js.networking_v1().ingresses(&ns),
        json!({"metadata": meta("ing"), "spec": {"defaultBackend": {"service": {"name": "svc", "port": {"number": 80}}}}})).await;
    every_verb(cs.policy_v1().pod_disruption_budgets(&ns), js.policy_v1().pod_disruption_budgets(&ns),
        json!({"metadata": meta("pdb"), "spec": {"minAvailable": 1, "selector": {"matchLabels": labels}}})).await;
    every_verb(cs.autoscaling_v2().horizontal_pod_autoscalers(&ns), js.autoscaling_v2().horizontal_pod_autoscalers(&ns),
        json!({"metadata": meta("hpa"), "spec": {"maxReplicas": 3,
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "x"},
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}]}})).await;
    every_verb(
        cs.scheduling_v1().priority_classes(),
        js.scheduling_v1().priority_classes(),
        json!({"metadata": {"name": n("prio")}, "value": 1000}),
    )
    .await;
    let crd_group = format!("{}.example.com", n("pb"));
    every_verb(cs.apiextensions_v1().custom_resource_definitions(), js.apiextensions_v1().custom_resource_definitions(),
        json!({"metadata": {"name": format!("widgets.{crd_group}")}, "spec": {"group": crd_group, "scope": "Namespaced",
            "names": {"plural": "widgets", "kind": "Widget"},
            "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {
                "type": "object", "properties": {"spec": {"type": "object",
                    "properties": {"size": {"type": "integer", "default": 3, "enum": [1, 3, 5]},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "extra": {"type": "object", "additionalProperties": {"type": "string"}},
                        "any": {"x-kubernetes-preserve-unknown-fields": true, "type": "object"}},
                    "required": ["size"]}}}}}]}})).await;
    answers_in_protobuf(&s, "apps", "v1", &ns, "deployments").await;
    answers_in_protobuf(&s, "", "v1", &ns, "configmaps").await;
    eprintln!(
        "protobuf: every verb on 23 kinds against the {}",
        if s.is_real() {
            "real kube-apiserver"
        } else {
            "test server"
        }
    );
}

/// `status` (the whole kind, in protobuf) and `scale` of a Deployment and a StatefulSet.
async fn status_and_scale_subresources_in_protobuf(s: Server) {
    use kubeclient::api::apps::v1::Deployment;
    let ns = s.namespace("pbsub").await;
    let cs = kubeclient::Clientset::new(s.config()).unwrap();
    let deployments = cs.apps_v1().deployments(&ns);
    let d: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "web", "namespace": ns},
        "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}))
    .unwrap();
    deployments.create(&d, &Default::default()).await.unwrap();
    let got = deployments
        .get_status("web", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(got.metadata.name.as_deref(), Some("web"));
    // The controller (real cluster) may write the Deployment between our read and our write.
    let updated = retry_on_conflict(|| async {
        let mut got = deployments.get_status("web", &GetOptions::default()).await?;
        let status = got.status.get_or_insert_with(Default::default);
        status.conditions = Some(vec![serde_json::from_value(json!({
            "type": "Progressing", "status": "True", "reason": "ByHand", "message": "protobuf",
            "lastUpdateTime": "2024-01-02T03:04:05Z", "lastTransitionTime": "2024-01-02T03:04:05Z"}))
        .unwrap()]);
        deployments.update_status(&got, &Default::default()).await
    })
    .await
    .unwrap();
    assert!(updated.metadata.resource_version.is_some());
    let patched = deployments
        .patch_status(
            "web",
            &Patch::Merge(json!({"status": {"observedGeneration": 1}})),
            &PatchOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        patched.status.and_then(|st| st.observed_generation),
        Some(1)
    );

    let scale = deployments
        .get_scale("web", &GetOptions::default())
        .await
        .unwrap();
    // (kube-apiserver leaves a zero out of JSON: `omitempty`.)
    assert_eq!(
        scale.spec.as_ref().and_then(|sp| sp.replicas).unwrap_or(0),
        0
    );
    // The Scale carries the Deployment's resourceVersion, which the controller may move on.
    let scaled = retry_on_conflict(|| async {
        let mut scale = deployments.get_scale("web", &GetOptions::default()).await?;
        scale.spec.get_or_insert_with(Default::default).replicas = Some(2);
        deployments
            .update_scale("web", &scale, &Default::default())
            .await
    })
    .await
    .unwrap();
    assert_eq!(scaled.spec.and_then(|sp| sp.replicas), Some(2));
    deployments
        .patch_scale(
            "web",
            &Patch::Merge(json!({"spec": {"replicas": 0}})),
            &PatchOptions::default(),
        )
        .await
        .unwrap();
    let d = deployments
        .get("web", &GetOptions::default())
        .await
        .unwrap();
    assert_eq!(d.spec.and_then(|sp| sp.replicas), Some(0));
    assert!(deployments.rest_client().prefers_protobuf());
}

async fn status_errors_come_back_in_protobuf(s: Server) {
    let ns = s.namespace("pberr").await;
    let cs = kubeclient::Clientset::new(s.config()).unwrap();
    let err = cs
        .core_v1()
        .config_maps(&ns)
        .get("missing", &GetOptions::default())
        .await
        .unwrap_err();
    let status = match &err {
        kubeclient::rest::Error::Api(status) => status,
        other => panic!("{other}"),
    };
    assert_eq!(status.reason.as_deref(), Some("NotFound"), "{status:?}");
    assert_eq!(status.code, Some(404));
    assert!(
        status
            .message
            .as_deref()
            .unwrap_or_default()
            .contains("missing"),
        "{status:?}"
    );
    // The server did answer in protobuf: the same request by hand.
    let raw = kubeclient_runtime::rest::RestClient::new(&s.config())
        .unwrap()
        .for_group_version("", "v1")
        .get()
        .namespace(&ns)
        .resource("configmaps")
        .name("missing")
        .accept("application/vnd.kubernetes.protobuf")
        .do_raw()
        .await
        .unwrap_err();
    assert!(
        matches!(raw, kubeclient::rest::Error::Api(ref st) if st.reason.as_deref() == Some("NotFound")),
        "{raw}"
    );
}

async fn watches_and_informers_decode_protobuf_frames(s: Server) {
    let ns = s.namespace("pbwatch").await;
    let cs = kubeclient::Clientset::new(s.config()).unwrap();
    let cms = cs.core_v1().config_maps(&ns);
    let informer = cms.informer().build();
    let _running = informer.start();
    informer.wait_for_sync().await;

    let mut watch = cms.watch(&ListOptions::default()).await.unwrap();
    let obj: kubeclient::api::core::v1::ConfigMap = serde_json::from_value(
        json!({"metadata": {"name": "watched", "namespace": ns}, "data": {"k": "v"}}),
    )
    .unwrap();
    cms.create(&obj, &Default::default()).await.unwrap();
    cms.delete("watched", &Default::default()).await.unwrap();
    use futures_util::StreamExt;
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let event = tokio::time::timeout(Duration::from_secs(30), watch.next())
            .await
            .expect("an event within 30 s")
            .expect("the stream goes on")
            .expect("the event decodes");
        let name = match &event {
            kubeclient::meta::v1::WatchEvent::Added(o)
            | kubeclient::meta::v1::WatchEvent::Deleted(o) => {
                o.metadata.name.clone().unwrap_or_default()
            }
            _ => continue,
        };
        assert_eq!(name, "watched");
        seen.push(event.type_name());
    }
    assert_eq!(seen, ["ADDED", "DELETED"]);

    // The informer saw the object come and go over its own protobuf watch.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    cms.create(&obj, &Default::default()).await.unwrap();
    while informer
        .store()
        .list()
        .iter()
        .all(|o| o.metadata.name.as_deref() != Some("watched"))
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "informer never saw the object"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(cms.rest_client().prefers_protobuf());
}
