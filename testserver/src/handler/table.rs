//! Server-side printing: the `Table` (meta.k8s.io/v1 or v1beta1) kubectl asks for with
//! `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, so `kubectl get` shows the columns
//! it shows against kube-apiserver. Common built-in kinds get kube-apiserver's printer columns
//! (the `-o wide` ones at priority 1), custom resources their `additionalPrinterColumns`, every
//! other kind `Name` and `Created At`, as upstream's default table convertor.

use super::accept::MediaRange;
use super::Target;
use crate::resources::PrinterColumn;
use serde_json::{json, Map, Value};

/// The Table version the client prefers, if it prefers a Table to plain JSON.
pub fn negotiate(accept: &[MediaRange]) -> Option<&'static str> {
    for range in accept {
        let table = range.essence == "application/json"
            && range.param("as") == Some("Table")
            && range.param("g") == Some("meta.k8s.io");
        match range.param("v") {
            Some("v1") if table => return Some("v1"),
            Some("v1beta1") if table => return Some("v1beta1"),
            _ if range.admits_json() => return None,
            _ => {}
        }
    }
    None
}

/// The `Content-Type` of a Table response.
pub fn content_type(version: &str) -> String {
    format!("application/json;as=Table;v={version};g=meta.k8s.io")
}

/// A column: heading, type, format, wide-only, how to fill a cell.
struct Column {
    name: String,
    type_: &'static str,
    format: &'static str,
    priority: i64,
    cell: Cell,
}

enum Cell {
    Builtin(fn(&Value) -> Value),
    Path(String, String),
}

fn col(name: &str, type_: &'static str, priority: i64, f: fn(&Value) -> Value) -> Column {
    Column {
        name: name.into(),
        type_,
        format: "",
        priority,
        cell: Cell::Builtin(f),
    }
}

/// `ObjectMeta.name`'s documentation, which kube-apiserver gives the Name column.
const NAME_DOC: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

/// `ObjectMeta.creationTimestamp`'s documentation, which kube-apiserver gives the Age column.
const AGE_DOC: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/// Build the Table of `objects`. `include` is `includeObject` (`None`, `Metadata` (default),
/// `Object`); `list_meta` becomes the Table's metadata.
pub fn render(
    t: &Target,
    version: &str,
    objects: &[&Value],
    list_meta: Value,
    include: &str,
) -> Value {
    let columns = columns_for(t);
    let definitions: Vec<Value> = std::iter::once(json!({
        "name": "Name", "type": "string", "format": "name", "priority": 0,
        "description": NAME_DOC
    }))
    .chain(columns.iter().map(|c| {
        // The printers describe Age with ObjectMeta's creationTimestamp documentation.
        let description = if c.name == "Age" { AGE_DOC } else { "" };
        json!({"name": c.name, "type": c.type_, "format": c.format, "priority": c.priority, "description": description})
    }))
    .collect();
    let rows: Vec<Value> = objects
        .iter()
        .map(|o| {
            let mut cells = vec![o.pointer("/metadata/name").cloned().unwrap_or(json!(""))];
            cells.extend(columns.iter().map(|c| match &c.cell {
                Cell::Builtin(f) => f(o),
                Cell::Path(path, type_) => path_cell(o, path, type_),
            }));
            let mut row = Map::new();
            row.insert("cells".into(), Value::Array(cells));
            match include {
                "None" => {}
                "Object" => {
                    row.insert("object".into(), (*o).clone());
                }
                _ => {
                    row.insert(
                        "object".into(),
                        json!({"kind": "PartialObjectMetadata", "apiVersion": format!("meta.k8s.io/{version}"),
                               "metadata": o.get("metadata").cloned().unwrap_or(json!({}))}),
                    );
                }
            }
            Value::Object(row)
        })
        .collect();
    json!({
        "kind": "Table", "apiVersion": format!("meta.k8s.io/{version}"),
        "metadata": list_meta, "columnDefinitions": definitions, "rows": rows
    })
}

fn columns_for(t: &Target) -> Vec<Column> {
    if t.def.crd.is_some() {
        return t.def.printer_columns.iter().map(crd_column).collect();
    }
    let age = || col("Age", "string", 0, age_cell);
    match (t.def.group.as_str(), t.def.plural.as_str()) {
        ("", "pods") => vec![
            col("Ready", "string", 0, pod_ready),
            col("Status", "string", 0, pod_status),
            col("Restarts", "string", 0, pod_restarts),
            age(),
            col("IP", "string", 1, |o| text_or_none(o, "/status/podIP")),
            col("Node", "string", 1, |o| text_or_none(o, "/spec/nodeName")),
            col("Nominated Node", "string", 1, |o| {
                text_or_none(o, "/status/nominatedNodeName")
            }),
            col("Readiness Gates", "string", 1, |_| json!("<none>")),
        ],
        ("apps", "deployments") => vec![
            col("Ready", "string", 0, |o| {
                ratio(o, "/status/readyReplicas", "/spec/replicas")
            }),
            col("Up-to-date", "integer", 0, |o| {
                int(o, "/status/updatedReplicas")
            }),
            col("Available", "integer", 0, |o| {
                int(o, "/status/availableReplicas")
            }),
            age(),
            col("Containers", "string", 1, |o| containers(o, "name")),
            col("Images", "string", 1, |o| containers(o, "image")),
            col("Selector", "string", 1, |o| {
                labels_text(o.pointer("/spec/selector/matchLabels"))
            }),
        ],
        ("apps", "replicasets") => vec![
            col("Desired", "integer", 0, |o| int(o, "/spec/replicas")),
            col("Current", "integer", 0, |o| int(o, "/status/replicas")),
            col("Ready", "integer", 0, |o| int(o, "/status/readyReplicas")),
            age(),
        ],
        ("apps", "statefulsets") => {
            vec![
                col("Ready", "string", 0, |o| {
                    ratio(o, "/status/readyReplicas", "/spec/replicas")
                }),
                age(),
            ]
        }
        ("batch", "jobs") => vec![
            col("Status", "string", 0, job_status),
            col("Completions", "string", 0, |o| {
                ratio(o, "/status/succeeded", "/spec/completions")
            }),
            age(),
        ],
        ("", "services") => vec![
            col("Type", "string", 0, |o| {
                json!(text(o, "/spec/type").unwrap_or("ClusterIP"))
            }),
            col("Cluster-IP", "string", 0, |o| {
                text_or_none(o, "/spec/clusterIP")
            }),
            col("External-IP", "string", 0, |_| json!("<none>")),
            col("Port(s)", "string", 0, service_ports),
            age(),
            col("Selector", "string", 1, |o| {
                labels_text(o.pointer("/spec/selector"))
            }),
        ],
        // (printers.go declares Data a string column though its cells are counts)
        ("", "configmaps") => vec![col("Data", "string", 0, data_count), age()],
        ("", "secrets") => {
            vec![
                col("Type", "string", 0, |o| {
                    json!(text(o, "/type").unwrap_or("Opaque"))
                }),
                col("Data", "string", 0, data_count),
                age(),
            ]
        }
        ("", "namespaces") => vec![
            col("Status", "string", 0, |o| {
                json!(text(o, "/status/phase").unwrap_or(""))
            }),
            age(),
        ],
        ("", "serviceaccounts") => vec![age()],
        ("", "nodes") => vec![
            col("Status", "string", 0, node_status),
            col("Roles", "string", 0, |_| json!("<none>")),
            age(),
            col("Version", "string", 0, |o| {
                json!(text(o, "/status/nodeInfo/kubeletVersion").unwrap_or(""))
            }),
        ],
        _ => vec![Column {
            name: "Created At".into(),
            type_: "date",
            format: "",
            priority: 0,
            cell: Cell::Builtin(|o| {
                o.pointer("/metadata/creationTimestamp")
                    .cloned()
                    .unwrap_or(json!(""))
            }),
        }],
    }
}

fn crd_column(c: &PrinterColumn) -> Column {
    // kube-apiserver prints `date` columns as ages.
    let type_ = match c.type_.as_str() {
        "integer" => "integer",
        "number" => "number",
        "boolean" => "boolean",
        "date" => "date",
        _ => "string",
    };
    Column {
        name: c.name.clone(),
        type_,
        format: "",
        priority: c.priority,
        cell: Cell::Path(c.json_path.clone(), c.type_.clone()),
    }
}

/// The value at a simple JSONPath (`.spec.a.b`, `.status.conditions[0].type`).
fn path_cell(o: &Value, path: &str, type_: &str) -> Value {
    let mut cur = o;
    for seg in path
        .trim_start_matches('.')
        .split('.')
        .filter(|s| !s.is_empty())
    {
        let (field, index) = match seg.split_once('[') {
            Some((f, rest)) => (f, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (seg, None),
        };
        let next = if field.is_empty() {
            Some(cur)
        } else {
            cur.get(field)
        };
        let next = match (next, index) {
            (Some(v), Some(i)) => v.get(i),
            (v, None) => v,
            (None, _) => None,
        };
        match next {
            Some(v) => cur = v,
            None => return Value::Null,
        }
    }
    match (type_, cur) {
        ("date", Value::String(ts)) => json!(age_of(ts)),
        (_, v) => v.clone(),
    }
}

fn text<'a>(o: &'a Value, pointer: &str) -> Option<&'a str> {
    o.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn text_or_none(o: &Value, pointer: &str) -> Value {
    json!(text(o, pointer).unwrap_or("<none>"))
}

fn int(o: &Value, pointer: &str) -> Value {
    json!(o.pointer(pointer).and_then(Value::as_i64).unwrap_or(0))
}

fn ratio(o: &Value, have: &str, want: &str) -> Value {
    let get = |p: &str| o.pointer(p).and_then(Value::as_i64).unwrap_or(0);
    json!(format!("{}/{}", get(have), get(want)))
}

fn age_cell(o: &Value) -> Value {
    json!(text(o, "/metadata/creationTimestamp")
        .map(age_of)
        .unwrap_or_else(|| "<unknown>".into()))
}

/// How kube-apiserver prints an age (`HumanDuration`): `45s`, `5m3s`, `3h10m`, `2d5h`, `400d`.
fn age_of(timestamp: &str) -> String {
    let Ok(then) = timestamp.parse::<jiff::Timestamp>() else {
        return "<invalid>".into();
    };
    let secs = jiff::Timestamp::now().as_second() - then.as_second();
    let (m, h, d) = (secs / 60, secs / 3600, secs / 86400);
    match secs {
        s if s < 0 => "0s".into(),
        s if s < 120 => format!("{s}s"),
        _ if m < 10 && secs % 60 == 0 => format!("{m}m"),
        _ if m < 10 => format!("{m}m{}s", secs % 60),
        _ if m < 180 => format!("{m}m"),
        _ if h < 8 && m % 60 == 0 => format!("{h}h"),
        _ if h < 8 => format!("{h}h{}m", m % 60),
        _ if h < 48 => format!("{h}h"),
        _ if h < 192 && h % 24 == 0 => format!("{d}d"),
        _ if h < 192 => format!("{d}d{}h", h % 24),
        _ if d < 730 => format!("{d}d"),
        _ => format!("{}y{}d", d / 365, d % 365),
    }
}

fn pod_ready(o: &Value) -> Value {
    let total = o
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let ready = o
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .map_or(0, |s| {
            s.iter()
                .filter(|c| c.get("ready") == Some(&json!(true)))
                .count()
        });
    json!(format!("{ready}/{total}"))
}

fn pod_status(o: &Value) -> Value {
    if o.pointer("/metadata/deletionTimestamp").is_some() {
        return json!("Terminating");
    }
    json!(text(o, "/status/reason")
        .or_else(|| text(o, "/status/phase"))
        .unwrap_or("Unknown"))
}

fn pod_restarts(o: &Value) -> Value {
    let n: i64 = o
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .map_or(0, |s| {
            s.iter()
                .filter_map(|c| c.get("restartCount").and_then(Value::as_i64))
                .sum()
        });
    json!(n.to_string())
}

fn job_status(o: &Value) -> Value {
    let has = |t: &str| {
        o.pointer("/status/conditions")
            .and_then(Value::as_array)
            .is_some_and(|cs| cs.iter().any(|c| c["type"] == t && c["status"] == "True"))
    };
    json!(if has("Complete") {
        "Complete"
    } else if has("Failed") {
        "Failed"
    } else {
        "Running"
    })
}

fn containers(o: &Value, field: &str) -> Value {
    let items = o
        .pointer("/spec/template/spec/containers")
        .and_then(Value::as_array);
    let names: Vec<&str> = items
        .into_iter()
        .flatten()
        .filter_map(|c| c.get(field).and_then(Value::as_str))
        .collect();
    json!(names.join(","))
}

fn labels_text(labels: Option<&Value>) -> Value {
    let pairs: Vec<String> = labels
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
        .collect();
    json!(if pairs.is_empty() {
        "<none>".to_string()
    } else {
        pairs.join(",")
    })
}

fn service_ports(o: &Value) -> Value {
    let ports: Vec<String> = o
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            let port = p.get("port").and_then(Value::as_i64).unwrap_or(0);
            let proto = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
            match p.get("nodePort").and_then(Value::as_i64) {
                Some(n) => format!("{port}:{n}/{proto}"),
                None => format!("{port}/{proto}"),
            }
        })
        .collect();
    json!(if ports.is_empty() {
        "<none>".to_string()
    } else {
        ports.join(",")
    })
}

fn data_count(o: &Value) -> Value {
    let n = |k: &str| o.get(k).and_then(Value::as_object).map_or(0, Map::len);
    json!(n("data") + n("binaryData"))
}

fn node_status(o: &Value) -> Value {
    let ready = o
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"))
        .and_then(|c| c.get("status"))
        .and_then(Value::as_str);
    json!(match ready {
        Some("True") => "Ready",
        Some(_) => "NotReady",
        None => "Unknown",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_print_like_kubectl() {
        let ago = |secs: i64| {
            let t = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(secs);
            age_of(&t.to_string())
        };
        assert_eq!(ago(45), "45s");
        assert_eq!(ago(5 * 60 + 3), "5m3s");
        assert_eq!(ago(90 * 60), "90m");
        assert_eq!(ago(3 * 3600 + 10 * 60), "3h10m");
        assert_eq!(ago(30 * 3600), "30h");
        assert_eq!(ago(2 * 86400 + 5 * 3600), "2d5h");
        assert_eq!(ago(400 * 86400), "400d");
    }

    #[test]
    fn json_paths_and_negotiation() {
        let o = json!({"spec": {"replicas": 3}, "status": {"conditions": [{"type": "Ready"}]}});
        assert_eq!(path_cell(&o, ".spec.replicas", "integer"), json!(3));
        assert_eq!(
            path_cell(&o, ".status.conditions[0].type", "string"),
            json!("Ready")
        );
        assert_eq!(path_cell(&o, ".spec.missing", "string"), Value::Null);
        let kubectl = super::super::accept::parse(Some(
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
        ));
        assert_eq!(negotiate(&kubectl), Some("v1"));
        assert_eq!(
            negotiate(&super::super::accept::parse(Some("application/json"))),
            None
        );
    }
}
