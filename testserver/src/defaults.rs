//! Defaulting of built-in kinds, as kube-apiserver's decoder runs `SetDefaults_*`
//! (`pkg/apis/*/v1/defaults.go`, 1.35) on every object it reads from a request, plus the
//! values the registries allocate on create (a Service's cluster IP).
//!
//! Small per-kind functions over JSON: each sets a field only when it is absent, so running
//! them again (on update, after a patch) changes nothing.

use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicU32, Ordering};

/// Fill in the defaults of an object of `group`/`version`/`kind`.
pub fn apply(group: &str, version: &str, kind: &str, obj: &mut Value) {
    let Some(o) = obj.as_object_mut() else {
        return;
    };
    match (group, kind) {
        ("", "Pod") => {
            if let Some(spec) = object(o, "spec") {
                pod_spec(spec);
                set(spec, "enableServiceLinks", json!(true));
            }
        }
        ("", "PodTemplate") => pod_template(o.get_mut("template")),
        ("", "ReplicationController") => {
            if let Some(spec) = object(o, "spec") {
                set(spec, "replicas", json!(1));
                pod_template(spec.get_mut("template"));
            }
        }
        ("", "Service") => service(o),
        ("", "PersistentVolumeClaim") => {
            if let Some(spec) = object(o, "spec") {
                set(spec, "volumeMode", json!("Filesystem"));
            }
            if let Some(status) = entry_object(o, "status") {
                set(status, "phase", json!("Pending"));
            }
        }
        ("apps", "Deployment") => deployment(o),
        ("apps", "StatefulSet") => stateful_set(o),
        ("apps", "DaemonSet") => daemon_set(o),
        ("apps", "ReplicaSet") => {
            if let Some(spec) = object(o, "spec") {
                set(spec, "replicas", json!(1));
                pod_template(spec.get_mut("template"));
            }
        }
        ("batch", "Job") => {
            if let Some(spec) = object(o, "spec") {
                job_spec(spec);
            }
        }
        ("batch", "CronJob") => cron_job(o),
        ("networking.k8s.io", "NetworkPolicy") => {
            if let Some(spec) = object(o, "spec") {
                let empty = spec
                    .get("policyTypes")
                    .and_then(Value::as_array)
                    .is_none_or(Vec::is_empty);
                if empty {
                    let mut types = vec![json!("Ingress")];
                    if spec
                        .get("egress")
                        .and_then(Value::as_array)
                        .is_some_and(|e| !e.is_empty())
                    {
                        types.push(json!("Egress"));
                    }
                    spec.insert("policyTypes".into(), Value::Array(types));
                }
            }
        }
        ("autoscaling", "HorizontalPodAutoscaler") => {
            if let Some(spec) = object(o, "spec") {
                set(spec, "minReplicas", json!(1));
                let empty = spec
                    .get("metrics")
                    .and_then(Value::as_array)
                    .is_none_or(Vec::is_empty);
                if empty && version == "v2" {
                    spec.insert(
                        "metrics".into(),
                        json!([{"type": "Resource", "resource": {"name": "cpu",
                            "target": {"type": "Utilization", "averageUtilization": 80}}}]),
                    );
                }
            }
        }
        ("scheduling.k8s.io", "PriorityClass") => {
            set(o, "preemptionPolicy", json!("PreemptLowerPriority"));
        }
        _ => {}
    }
}

/// What kube-apiserver's default admission plugins add to a new Pod: the ServiceAccount plugin
/// (`default` account, the `kube-api-access-*` projected token volume mounted in every
/// container), DefaultTolerationSeconds (5 minutes on not-ready and unreachable nodes) and
/// Priority (priority 0 without a class).
fn admit_pod(obj: &mut Value) {
    let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    set(spec, "serviceAccountName", json!("default"));
    if let Some(sa) = spec.get("serviceAccountName").cloned() {
        spec.insert("serviceAccount".into(), sa);
    }
    if spec.get("automountServiceAccountToken") != Some(&json!(false)) {
        let volume = format!("kube-api-access-{}", crate::objmeta::random_suffix());
        let mount = json!({"name": volume, "readOnly": true,
            "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"});
        for list in ["initContainers", "containers"] {
            if let Some(cs) = spec.get_mut(list).and_then(Value::as_array_mut) {
                for c in cs.iter_mut().filter_map(Value::as_object_mut) {
                    let mounts = c.entry("volumeMounts").or_insert_with(|| json!([]));
                    if let Some(m) = mounts.as_array_mut() {
                        m.push(mount.clone());
                    }
                }
            }
        }
        let source = json!({"name": volume, "projected": {"sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace",
                "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
        ], "defaultMode": 420}});
        match spec.get_mut("volumes").and_then(Value::as_array_mut) {
            Some(v) => v.push(source),
            None => {
                spec.insert("volumes".into(), json!([source]));
            }
        }
    }
    let tolerations = spec.entry("tolerations").or_insert_with(|| json!([]));
    if let Some(list) = tolerations.as_array_mut() {
        for key in [
            "node.kubernetes.io/not-ready",
            "node.kubernetes.io/unreachable",
        ] {
            let has = list.iter().any(|t| {
                t.get("key").and_then(Value::as_str) == Some(key)
                    && t.get("effect")
                        .and_then(Value::as_str)
                        .is_none_or(|e| e == "NoExecute")
            });
            if !has {
                list.push(
                    json!({"key": key, "operator": "Exists", "effect": "NoExecute",
                    "tolerationSeconds": 300}),
                );
            }
        }
    }
    if !spec.contains_key("priorityClassName") {
        set(spec, "priority", json!(0));
        set(spec, "preemptionPolicy", json!("PreemptLowerPriority"));
    }
}

/// `o[key]` as an object, when it is one.
fn object<'a>(o: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Map<String, Value>> {
    o.get_mut(key).and_then(Value::as_object_mut)
}

/// `o[key]` as an object, created empty when absent (a Go struct field is never absent).
fn entry_object<'a>(
    o: &'a mut Map<String, Value>,
    key: &str,
) -> Option<&'a mut Map<String, Value>> {
    let v = o.entry(key).or_insert_with(|| json!({}));
    if v.is_null() {
        *v = json!({});
    }
    v.as_object_mut()
}

/// Set `key` unless it holds a value already (Go's "zero value means unset").
fn set(o: &mut Map<String, Value>, key: &str, value: Value) {
    let unset = match o.get(key) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(_) => false,
    };
    if unset {
        o.insert(key.into(), value);
    }
}

/// A pod template's spec (`SetDefaults_PodSpec` and the containers').
fn pod_template(template: Option<&mut Value>) {
    let Some(t) = template.and_then(Value::as_object_mut) else {
        return;
    };
    // ObjectMeta is a value struct: Go writes it even when empty.
    entry_object(t, "metadata");
    if let Some(spec) = object(t, "spec") {
        pod_spec(spec);
    }
}

fn pod_spec(spec: &mut Map<String, Value>) {
    set(spec, "dnsPolicy", json!("ClusterFirst"));
    set(spec, "restartPolicy", json!("Always"));
    entry_object(spec, "securityContext");
    set(spec, "terminationGracePeriodSeconds", json!(30));
    set(spec, "schedulerName", json!("default-scheduler"));
    for list in ["containers", "initContainers", "ephemeralContainers"] {
        if let Some(cs) = spec.get_mut(list).and_then(Value::as_array_mut) {
            for c in cs.iter_mut().filter_map(Value::as_object_mut) {
                container(c);
            }
        }
    }
}

fn container(c: &mut Map<String, Value>) {
    let latest = c
        .get("image")
        .and_then(Value::as_str)
        .is_some_and(|i| image_tag(i) == "latest");
    let policy = if latest { "Always" } else { "IfNotPresent" };
    set(c, "imagePullPolicy", json!(policy));
    set(c, "terminationMessagePath", json!("/dev/termination-log"));
    set(c, "terminationMessagePolicy", json!("File"));
    entry_object(c, "resources");
    if let Some(ports) = c.get_mut("ports").and_then(Value::as_array_mut) {
        for p in ports.iter_mut().filter_map(Value::as_object_mut) {
            set(p, "protocol", json!("TCP"));
        }
    }
}

/// The tag of an image reference (`latest` when it names neither tag nor digest).
fn image_tag(image: &str) -> &str {
    if image.contains('@') {
        return "";
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':') {
        Some((_, tag)) => tag,
        None => "latest",
    }
}

/// Cluster IPs handed out from the test server's service CIDR, 10.96.0.0/12.
static NEXT_CLUSTER_IP: AtomicU32 = AtomicU32::new(10);

fn service(o: &mut Map<String, Value>) {
    let Some(spec) = object(o, "spec") else {
        return;
    };
    set(spec, "sessionAffinity", json!("None"));
    if spec.get("sessionAffinity") == Some(&json!("None")) {
        spec.remove("sessionAffinityConfig");
    }
    set(spec, "type", json!("ClusterIP"));
    let ty = spec
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
        for p in ports.iter_mut().filter_map(Value::as_object_mut) {
            set(p, "protocol", json!("TCP"));
            let unset = matches!(p.get("targetPort"), None | Some(Value::Null))
                || p.get("targetPort") == Some(&json!(0))
                || p.get("targetPort") == Some(&json!(""));
            if unset {
                if let Some(port) = p.get("port").cloned() {
                    p.insert("targetPort".into(), port);
                }
            }
        }
    }
    if matches!(ty.as_str(), "NodePort" | "LoadBalancer") {
        set(spec, "externalTrafficPolicy", json!("Cluster"));
    }
    if matches!(ty.as_str(), "NodePort" | "LoadBalancer" | "ClusterIP") {
        set(spec, "internalTrafficPolicy", json!("Cluster"));
    }
}

/// What registries and admission plugins add after field ownership is recorded (so nobody
/// owns it): a Service's cluster IP (kept from `old`, the stored version, on update), a new
/// Pod's admission defaults, a new PVC's protection finalizer.
pub fn admit(group: &str, kind: &str, obj: &mut Value, old: Option<&Value>) {
    match (group, kind) {
        ("", "Service") => allocate_cluster_ip(obj, old),
        ("", "Pod") if old.is_none() => admit_pod(obj),
        ("batch", "Job") if old.is_none() => generate_job_selector(obj),
        ("", "PersistentVolumeClaim") if old.is_none() => {
            if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
                let finalizers = meta.entry("finalizers").or_insert_with(|| json!([]));
                if let Some(list) = finalizers.as_array_mut() {
                    let f = json!("kubernetes.io/pvc-protection");
                    if !list.contains(&f) {
                        list.push(f);
                    }
                }
            }
        }
        _ => {}
    }
}

/// The Job strategy's generated selector (unless `manualSelector`): the job's uid as
/// selector, and the labels that match it on the pod template.
fn generate_job_selector(obj: &mut Value) {
    let uid = obj
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    if spec.get("manualSelector") == Some(&json!(true)) {
        return;
    }
    spec.insert(
        "selector".into(),
        json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}),
    );
    let labels = object(spec, "template")
        .and_then(|t| entry_object(t, "metadata"))
        .and_then(|m| entry_object(m, "labels"));
    if let Some(labels) = labels {
        for (k, v) in [
            ("batch.kubernetes.io/controller-uid", &uid),
            ("batch.kubernetes.io/job-name", &name),
            ("controller-uid", &uid),
            ("job-name", &name),
        ] {
            labels.insert(k.into(), json!(v));
        }
    }
}

fn allocate_cluster_ip(obj: &mut Value, old: Option<&Value>) {
    let Some(o) = obj.as_object_mut() else {
        return;
    };
    let Some(spec) = object(o, "spec") else {
        return;
    };
    if spec.get("type").and_then(Value::as_str) == Some("ExternalName") {
        return;
    }
    // What the registry allocates: kept from the stored version, else new.
    let old_spec = old.and_then(|v| v.get("spec"));
    for key in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"] {
        if let Some(v) = old_spec.and_then(|s| s.get(key)) {
            set(spec, key, v.clone());
        }
    }
    if spec
        .get("clusterIP")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        let n = NEXT_CLUSTER_IP.fetch_add(1, Ordering::Relaxed);
        let ip = format!("10.96.{}.{}", (n >> 8) & 0xff, n & 0xff);
        spec.insert("clusterIP".into(), json!(ip));
    }
    if !spec.contains_key("clusterIPs") {
        if let Some(ip) = spec.get("clusterIP").cloned() {
            spec.insert("clusterIPs".into(), json!([ip]));
        }
    }
    set(spec, "ipFamilies", json!(["IPv4"]));
    set(spec, "ipFamilyPolicy", json!("SingleStack"));
    if let Some(status) = entry_object(o, "status") {
        entry_object(status, "loadBalancer");
    }
}

fn deployment(o: &mut Map<String, Value>) {
    let Some(spec) = object(o, "spec") else {
        return;
    };
    set(spec, "replicas", json!(1));
    if let Some(strategy) = entry_object(spec, "strategy") {
        set(strategy, "type", json!("RollingUpdate"));
        if strategy.get("type") == Some(&json!("RollingUpdate")) {
            if let Some(ru) = entry_object(strategy, "rollingUpdate") {
                set(ru, "maxUnavailable", json!("25%"));
                set(ru, "maxSurge", json!("25%"));
            }
        }
    }
    set(spec, "revisionHistoryLimit", json!(10));
    set(spec, "progressDeadlineSeconds", json!(600));
    pod_template(spec.get_mut("template"));
}

fn stateful_set(o: &mut Map<String, Value>) {
    let Some(spec) = object(o, "spec") else {
        return;
    };
    set(spec, "podManagementPolicy", json!("OrderedReady"));
    if let Some(strategy) = entry_object(spec, "updateStrategy") {
        if matches!(strategy.get("type"), None | Some(Value::Null)) {
            strategy.insert("type".into(), json!("RollingUpdate"));
            entry_object(strategy, "rollingUpdate");
        }
        if strategy.get("type") == Some(&json!("RollingUpdate")) {
            if let Some(ru) = object(strategy, "rollingUpdate") {
                set(ru, "partition", json!(0));
            }
        }
    }
    if let Some(policy) = entry_object(spec, "persistentVolumeClaimRetentionPolicy") {
        set(policy, "whenDeleted", json!("Retain"));
        set(policy, "whenScaled", json!("Retain"));
    }
    set(spec, "replicas", json!(1));
    set(spec, "revisionHistoryLimit", json!(10));
    pod_template(spec.get_mut("template"));
}

fn daemon_set(o: &mut Map<String, Value>) {
    let Some(spec) = object(o, "spec") else {
        return;
    };
    if let Some(strategy) = entry_object(spec, "updateStrategy") {
        set(strategy, "type", json!("RollingUpdate"));
        if strategy.get("type") == Some(&json!("RollingUpdate")) {
            if let Some(ru) = entry_object(strategy, "rollingUpdate") {
                set(ru, "maxUnavailable", json!(1));
                set(ru, "maxSurge", json!(0));
            }
        }
    }
    set(spec, "revisionHistoryLimit", json!(10));
    pod_template(spec.get_mut("template"));
}

fn job_spec(spec: &mut Map<String, Value>) {
    let absent =
        |spec: &Map<String, Value>, k: &str| matches!(spec.get(k), None | Some(Value::Null));
    if absent(spec, "completions") && absent(spec, "parallelism") {
        spec.insert("completions".into(), json!(1));
        spec.insert("parallelism".into(), json!(1));
    }
    set(spec, "parallelism", json!(1));
    let backoff = if absent(spec, "backoffLimitPerIndex") {
        6
    } else {
        i64::from(i32::MAX)
    };
    set(spec, "backoffLimit", json!(backoff));
    set(spec, "completionMode", json!("NonIndexed"));
    set(spec, "suspend", json!(false));
    let replacement = if absent(spec, "podFailurePolicy") {
        "TerminatingOrFailed"
    } else {
        "Failed"
    };
    set(spec, "podReplacementPolicy", json!(replacement));
    set(spec, "manualSelector", json!(false));
    pod_template(spec.get_mut("template"));
}

fn cron_job(o: &mut Map<String, Value>) {
    let Some(spec) = object(o, "spec") else {
        return;
    };
    set(spec, "concurrencyPolicy", json!("Allow"));
    set(spec, "suspend", json!(false));
    set(spec, "successfulJobsHistoryLimit", json!(3));
    set(spec, "failedJobsHistoryLimit", json!(1));
    if let Some(template) = object(spec, "jobTemplate") {
        entry_object(template, "metadata");
        if let Some(job) = object(template, "spec") {
            pod_template(job.get_mut("template"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_only_what_is_unset_and_are_idempotent() {
        let mut d = json!({"spec": {"replicas": 3, "template": {"spec": {"containers": [
            {"name": "c", "image": "nginx"}, {"name": "d", "image": "x:1", "imagePullPolicy": "Never"}]}}}});
        apply("apps", "v1", "Deployment", &mut d);
        assert_eq!(d["spec"]["replicas"], 3);
        assert_eq!(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"], "25%");
        let c = &d["spec"]["template"]["spec"]["containers"];
        assert_eq!(c[0]["imagePullPolicy"], "Always");
        assert_eq!(c[1]["imagePullPolicy"], "Never");
        assert_eq!(d["spec"]["template"]["spec"]["dnsPolicy"], "ClusterFirst");
        let again = d.clone();
        apply("apps", "v1", "Deployment", &mut d);
        assert_eq!(d, again);
    }

    #[test]
    fn services_get_a_cluster_ip_and_keep_it() {
        let mut s = json!({"spec": {"ports": [{"port": 80}]}});
        apply("", "v1", "Service", &mut s);
        admit("", "Service", &mut s, None);
        assert_eq!(s["spec"]["ports"][0]["targetPort"], 80);
        assert_eq!(s["spec"]["type"], "ClusterIP");
        let ip = s["spec"]["clusterIP"].clone();
        assert!(ip.as_str().is_some_and(|i| i.starts_with("10.96.")));
        let mut update = json!({"spec": {"ports": [{"port": 81}]}});
        apply("", "v1", "Service", &mut update);
        admit("", "Service", &mut update, Some(&s));
        assert_eq!(update["spec"]["clusterIP"], ip);
        assert_eq!(update["spec"]["clusterIPs"], json!([ip]));
    }

    #[test]
    fn image_tags() {
        assert_eq!(image_tag("nginx"), "latest");
        assert_eq!(image_tag("localhost:5000/nginx"), "latest");
        assert_eq!(image_tag("nginx:1.2"), "1.2");
        assert_eq!(image_tag("nginx@sha256:abc"), "");
    }
}
