//! Field ownership: `metadata.managedFields` and server-side apply, as kube-apiserver's field
//! manager (structured-merge-diff) keeps them.
//!
//! Every write records which manager set which fields. An update (create, PUT, JSON/merge/
//! strategic patch) gives the writer the fields it added or changed and takes them from
//! everyone else. An apply merges the applied configuration into the object, fails with 409
//! when that changes a field another manager owns (unless forced, which moves ownership),
//! removes fields the applier stopped applying that nobody else owns, and makes the applied
//! fields exactly the applier's set.

mod fieldset;
mod structure;

use crate::objmeta::now_rfc3339;
use crate::status::ApiError;
pub use fieldset::FieldSet;
use kubeclient::runtime::discovery::PatchSchema;
use serde_json::{json, Map, Value};
use structure::Shape;

/// Which part of the object a write may change; the rest keeps its live value and is not
/// owned by the writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everything (resources without a status subresource).
    Whole,
    /// The main endpoint of a resource with a status subresource.
    AllButStatus,
    /// The status subresource.
    StatusOnly,
    /// An endpoint that writes only some fields (`pods/ephemeralcontainers`: metadata and
    /// `spec.ephemeralContainers`), and whose managedFields record only `owns` (a strategy's
    /// reset fields: a CSR's `/approval` writes `status.conditions` but records nothing there).
    Only {
        /// Paths the write may change; the rest keeps its live value.
        writes: &'static [&'static [&'static str]],
        /// Paths recorded as owned by the writer.
        owns: &'static [&'static [&'static str]],
    },
}

/// Who writes, through which endpoint.
#[derive(Debug, Clone)]
pub struct Writer {
    /// `fieldManager`, or the User-Agent's product name.
    pub manager: String,
    /// `""` for the main endpoint, `status` / `scale` for subresources.
    pub subresource: &'static str,
    /// apiVersion the request used.
    pub api_version: String,
    /// What it may change.
    pub scope: Scope,
}

/// One `managedFields` entry.
#[derive(Debug, Clone)]
struct Entry {
    manager: String,
    operation: String,
    api_version: String,
    time: String,
    subresource: String,
    set: FieldSet,
}

impl Entry {
    fn new(w: &Writer, operation: &str) -> Self {
        Entry {
            manager: w.manager.clone(),
            operation: operation.to_string(),
            api_version: w.api_version.clone(),
            time: now_rfc3339(),
            subresource: w.subresource.to_string(),
            set: FieldSet::default(),
        }
    }

    /// Managers are told apart by name, operation and subresource, as kube-apiserver does.
    fn is(&self, w: &Writer, operation: &str) -> bool {
        self.manager == w.manager
            && self.operation == operation
            && self.subresource == w.subresource
    }

    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("manager".into(), json!(self.manager));
        m.insert("operation".into(), json!(self.operation));
        m.insert("apiVersion".into(), json!(self.api_version));
        m.insert("time".into(), json!(self.time));
        m.insert("fieldsType".into(), json!("FieldsV1"));
        m.insert("fieldsV1".into(), self.set.to_fields_v1());
        if !self.subresource.is_empty() {
            m.insert("subresource".into(), json!(self.subresource));
        }
        Value::Object(m)
    }

    /// The manager as conflict messages name it.
    fn describe(&self) -> String {
        let mut s = format!("{:?}", self.manager);
        if !self.subresource.is_empty() {
            s.push_str(&format!(" with subresource {:?}", self.subresource));
        }
        if self.operation == "Update" {
            s.push_str(&format!(" using {}", self.api_version));
        }
        s
    }
}

fn read_entries(obj: &Value) -> Result<Vec<Entry>, ApiError> {
    let Some(list) = obj.pointer("/metadata/managedFields") else {
        return Ok(Vec::new());
    };
    let Some(list) = list.as_array() else {
        return Err(ApiError::bad_request(
            "metadata.managedFields must be a list of ManagedFieldsEntry",
        ));
    };
    list.iter()
        .enumerate()
        // `[{}]` is how clients clear the list.
        .filter(|(_, e)| !e.as_object().is_some_and(Map::is_empty))
        .map(|(i, e)| {
            let text = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let bad =
                |why: String| ApiError::bad_request(format!("metadata.managedFields[{i}]: {why}"));
            if !matches!(text("operation").as_str(), "Apply" | "Update") {
                return Err(bad(format!(
                    "operation must be Apply or Update, not {:?}",
                    text("operation")
                )));
            }
            if !matches!(text("fieldsType").as_str(), "FieldsV1" | "") {
                return Err(bad(format!(
                    "fieldsType {:?} is not FieldsV1",
                    text("fieldsType")
                )));
            }
            let set = match e.get("fieldsV1") {
                Some(f) => {
                    FieldSet::from_fields_v1(f).map_err(|why| bad(format!("fieldsV1: {why}")))?
                }
                None => FieldSet::default(),
            };
            Ok(Entry {
                manager: text("manager"),
                operation: text("operation"),
                api_version: text("apiVersion"),
                time: text("time"),
                subresource: text("subresource"),
                set,
            })
        })
        .collect()
}

fn write_entries(obj: &mut Value, entries: &[Entry]) {
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    if entries.is_empty() {
        meta.remove("managedFields");
    } else {
        // kube-apiserver's order (managedfields.go, sortEncodedManagedFields): by operation
        // (Apply before Update), time, manager, apiVersion, subresource. Times are RFC 3339 in
        // UTC to the second, so text order is time order.
        let mut sorted: Vec<&Entry> = entries.iter().collect();
        sorted.sort_by(|p, q| {
            (
                &p.operation,
                &p.time,
                &p.manager,
                &p.api_version,
                &p.subresource,
            )
                .cmp(&(
                    &q.operation,
                    &q.time,
                    &q.manager,
                    &q.api_version,
                    &q.subresource,
                ))
        });
        let list = sorted.into_iter().map(Entry::to_json).collect();
        meta.insert("managedFields".into(), Value::Array(list));
    }
}

/// Metadata the server sets; nobody owns it.
const SERVER_METADATA: &[&str] = &[
    "name",
    "namespace",
    "creationTimestamp",
    "selfLink",
    "uid",
    "generation",
    "managedFields",
    "resourceVersion",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];

/// Drop the paths no manager owns: apiVersion, kind, server-set metadata, and what `scope`
/// excludes.
fn strip(set: &mut FieldSet, scope: Scope) {
    set.own = false;
    set.children.remove("f:apiVersion");
    set.children.remove("f:kind");
    if let Some(meta) = set.children.get_mut("f:metadata") {
        meta.own = false;
        for f in SERVER_METADATA {
            meta.children.remove(&format!("f:{f}"));
        }
        if meta.is_empty() {
            set.children.remove("f:metadata");
        }
    }
    match scope {
        Scope::Whole => {}
        Scope::AllButStatus => {
            set.children.remove("f:status");
        }
        Scope::StatusOnly => set.children.retain(|k, _| k == "f:status"),
        Scope::Only { owns, .. } => {
            let all = std::mem::take(set);
            for path in owns {
                set.union(&only_path(all.clone(), path));
            }
        }
    }
}

/// The part of `set` at `path` (with the path's nodes, not owned themselves), nothing else.
fn only_path(mut set: FieldSet, path: &[&str]) -> FieldSet {
    let Some((first, rest)) = path.split_first() else {
        return set;
    };
    match set.children.remove(&format!("f:{first}")) {
        Some(child) => {
            let mut out = FieldSet::default();
            let kept = only_path(child, rest);
            if !kept.is_empty() {
                out.children.insert(format!("f:{first}"), kept);
            }
            out
        }
        None => FieldSet::default(),
    }
}

/// Put back the live value of what `scope` excludes (a write through the main endpoint keeps
/// the live status; one through `/status` keeps everything else).
pub fn reset(merged: &mut Value, live: &Value, scope: Scope) {
    match scope {
        Scope::Whole => {}
        Scope::AllButStatus => {
            if let Some(m) = merged.as_object_mut() {
                match live.get("status") {
                    Some(s) => m.insert("status".into(), s.clone()),
                    None => m.remove("status"),
                };
            }
        }
        Scope::StatusOnly => {
            let status = merged.get("status").cloned();
            // An apply on /status records its manager before this reset: keep that record.
            let managed = merged.pointer("/metadata/managedFields").cloned();
            let mut out = live.clone();
            if let Some(m) = out.as_object_mut() {
                match status {
                    Some(s) => m.insert("status".into(), s),
                    None => m.remove("status"),
                };
            }
            if let (Some(mf), Some(meta)) = (
                managed,
                out.get_mut("metadata").and_then(Value::as_object_mut),
            ) {
                meta.insert("managedFields".into(), mf);
            }
            *merged = out;
        }
        Scope::Only { writes, .. } => {
            let mut out = live.clone();
            for path in writes {
                let pointer: String = path.iter().map(|p| format!("/{p}")).collect();
                match merged.pointer(&pointer).cloned() {
                    Some(v) => crate::objmeta::set_path(&mut out, &path.join("."), v),
                    None => {
                        if let Some((last, parents)) = path.split_last() {
                            let parent: String = parents.iter().map(|p| format!("/{p}")).collect();
                            if let Some(m) = out.pointer_mut(&parent).and_then(Value::as_object_mut)
                            {
                                m.remove(*last);
                            }
                        }
                    }
                }
            }
            *merged = out;
        }
    }
}

/// Record a create: the writer owns every field of the new object. Objects created with
/// `managedFields` of their own keep them.
pub fn on_create(
    ty: Option<&'static PatchSchema>,
    obj: &mut Value,
    w: &Writer,
) -> Result<(), ApiError> {
    if !read_entries(obj)?.is_empty() {
        return Ok(());
    }
    let mut set = structure::added(Shape::Struct(ty), obj, true, ty.is_some());
    strip(&mut set, w.scope);
    let mut entries = Vec::new();
    if !set.is_empty() {
        let mut e = Entry::new(w, "Update");
        e.set = set;
        entries.push(e);
    }
    write_entries(obj, &entries);
    Ok(())
}

/// Record an update from `old` to `new` (in place on `new`): the writer gains what it added
/// or changed, everyone loses what changed or went away. A client may replace the list itself:
/// `[{}]` clears it, `[]` leaves it alone.
pub fn on_update(
    ty: Option<&'static PatchSchema>,
    old: &Value,
    new: &mut Value,
    w: &Writer,
) -> Result<(), ApiError> {
    let stored = old.pointer("/metadata/managedFields");
    // `[{}]` reads as no entries, which clears the list.
    let mut entries = match new.pointer("/metadata/managedFields") {
        Some(Value::Array(a)) if a.is_empty() => read_entries(old)?,
        Some(given) if Some(given) != stored => read_entries(new)?,
        _ => read_entries(old)?,
    };
    let shape = Shape::Struct(ty);
    let (mut up, mut rm) = structure::diff(shape, old, new);
    strip(&mut up, w.scope);
    strip(&mut rm, w.scope);
    if !(up.is_empty() && rm.is_empty()) {
        for e in entries.iter_mut().filter(|e| !e.is(w, "Update")) {
            e.set.subtract(&up);
            e.set.subtract(&rm);
        }
        let i = match entries.iter().position(|e| e.is(w, "Update")) {
            Some(i) => i,
            None => {
                entries.push(Entry::new(w, "Update"));
                entries.len() - 1
            }
        };
        let me = &mut entries[i];
        me.set.subtract(&rm);
        me.set.union(&up);
        me.time = now_rfc3339();
        me.api_version = w.api_version.clone();
        entries.retain(|e| !e.set.is_empty());
    }
    write_entries(new, &entries);
    Ok(())
}

/// Server-side apply of `config` to `live` (`None`: the object is being created). Returns
/// the new object with its managedFields, or 409 naming every conflicting field and manager.
pub fn apply(
    ty: Option<&'static PatchSchema>,
    live: Option<&Value>,
    config: &Value,
    w: &Writer,
    force: bool,
) -> Result<Value, ApiError> {
    if config
        .pointer("/metadata/managedFields")
        .is_some_and(|m| !m.is_null())
    {
        return Err(ApiError::bad_request(
            "metadata.managedFields must be nil in an applied configuration",
        ));
    }
    let shape = Shape::Struct(ty);
    let empty = json!({});
    let live_v = live.unwrap_or(&empty);
    let mut entries = read_entries(live_v)?;
    if live.is_some() && entries.is_empty() {
        // Fields set before anyone tracked ownership belong to a placeholder manager, so a
        // first apply cannot silently overwrite them.
        let mut set = structure::owned(shape, live_v, false);
        strip(&mut set, Scope::Whole);
        if !set.is_empty() {
            let before = Writer {
                manager: "before-first-apply".into(),
                subresource: "",
                ..w.clone()
            };
            let mut e = Entry::new(&before, "Update");
            e.set = set;
            entries.push(e);
        }
    }
    let mut applied = structure::owned(shape, config, false);
    strip(&mut applied, w.scope);
    let mine = entries.iter().position(|e| e.is(w, "Apply"));

    let mut merged = structure::merge(shape, live_v, config);
    reset(&mut merged, live_v, w.scope);
    // What this manager applied before but not now, and nobody else owns, is removed.
    let mut gone = mine.map(|i| entries[i].set.clone()).unwrap_or_default();
    let mut kept = applied.clone();
    for (i, e) in entries.iter().enumerate() {
        if Some(i) != mine {
            kept.union(&e.set);
        }
    }
    gone.subtract(&kept);
    structure::remove(&mut merged, &gone, &kept);

    let (mut changed, mut removed) = structure::diff(shape, live_v, &merged);
    strip(&mut removed, w.scope);
    changed.union(&removed);
    strip(&mut changed, w.scope);
    let conflicts: Vec<(usize, FieldSet)> = entries
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != mine)
        .map(|(i, e)| (i, e.set.intersection(&changed)))
        .filter(|(_, c)| !c.is_empty())
        .collect();
    if !conflicts.is_empty() && !force {
        return Err(conflict_error(&entries, &conflicts));
    }
    for (i, c) in &conflicts {
        entries[*i].set.subtract(c);
    }
    for (i, e) in entries.iter_mut().enumerate() {
        if Some(i) != mine {
            e.set.subtract(&removed);
        }
    }
    match mine {
        Some(i) => {
            let me = &mut entries[i];
            if me.set != applied || !changed.is_empty() {
                me.time = now_rfc3339();
            }
            me.set = applied;
            me.api_version = w.api_version.clone();
        }
        None => {
            let mut e = Entry::new(w, "Apply");
            e.set = applied;
            entries.push(e);
        }
    }
    entries.retain(|e| !e.set.is_empty());
    write_entries(&mut merged, &entries);
    Ok(merged)
}

/// kube-apiserver's apply conflict: 409 Conflict, one cause per field, and a message listing
/// them by manager.
fn conflict_error(entries: &[Entry], conflicts: &[(usize, FieldSet)]) -> ApiError {
    let mut causes = Vec::new();
    let mut by_manager = Vec::new();
    for (i, set) in conflicts {
        let who = entries[*i].describe();
        let paths: Vec<String> = set.paths().iter().map(|p| fieldset::display(p)).collect();
        for p in &paths {
            causes.push(json!({"reason": "FieldManagerConflict", "message": format!("conflict with {who}"), "field": p}));
        }
        by_manager.push((who, paths));
    }
    let message = match (causes.len(), by_manager.as_slice()) {
        (1, [(who, paths)]) => format!(
            "Apply failed with 1 conflict: conflict with {who}: {}",
            paths[0]
        ),
        (n, _) => {
            by_manager.sort();
            let lines: Vec<String> = by_manager
                .iter()
                .flat_map(|(who, paths)| {
                    std::iter::once(format!("conflicts with {who}:"))
                        .chain(paths.iter().map(|p| format!("- {p}")))
                })
                .collect();
            format!("Apply failed with {n} conflicts: {}", lines.join("\n"))
        }
    };
    ApiError {
        code: 409,
        reason: "Conflict",
        message,
        details: Some(json!({"causes": causes})),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cm_writer(manager: &str) -> Writer {
        Writer {
            manager: manager.into(),
            subresource: "",
            api_version: "v1".into(),
            scope: Scope::Whole,
        }
    }

    fn managers(obj: &Value) -> Vec<(String, String, Value)> {
        obj.pointer("/metadata/managedFields")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|e| {
                        (
                            e["manager"].as_str().unwrap_or("").to_string(),
                            e["operation"].as_str().unwrap_or("").to_string(),
                            e["fieldsV1"].clone(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn apply_conflicts_force_and_prune() {
        let cm = crate::patch::schema_for("", "v1", "ConfigMap");
        let a = cm_writer("alice");
        let b = cm_writer("bob");
        let config = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"x": "1", "y": "2"}});
        let obj = apply(cm, None, &config, &a, false).expect("create");
        assert_eq!(
            managers(&obj),
            [(
                "alice".into(),
                "Apply".into(),
                json!({"f:data": {"f:x": {}, "f:y": {}}})
            )]
        );

        // Bob applies a different x: conflict naming alice and the field.
        let theirs = json!({"metadata": {"name": "c"}, "data": {"x": "9"}});
        let err = apply(cm, Some(&obj), &theirs, &b, false).expect_err("conflict");
        assert_eq!((err.code, err.reason), (409, "Conflict"));
        assert_eq!(
            err.message,
            "Apply failed with 1 conflict: conflict with \"alice\": .data.x"
        );
        assert_eq!(
            err.details
                .as_ref()
                .and_then(|d| d.pointer("/causes/0/field")),
            Some(&json!(".data.x"))
        );

        // The same value is shared ownership, not a conflict.
        let same = json!({"metadata": {"name": "c"}, "data": {"x": "1"}});
        let shared = apply(cm, Some(&obj), &same, &b, false).expect("no conflict");
        assert_eq!(managers(&shared).len(), 2);

        // Forced: bob takes x.
        let forced = apply(cm, Some(&obj), &theirs, &b, true).expect("forced");
        assert_eq!(forced["data"], json!({"x": "9", "y": "2"}));
        assert_eq!(
            managers(&forced),
            [
                (
                    "alice".into(),
                    "Apply".into(),
                    json!({"f:data": {"f:y": {}}})
                ),
                ("bob".into(), "Apply".into(), json!({"f:data": {"f:x": {}}})),
            ]
        );

        // Alice stops applying y: it is removed because nobody else owns it.
        let less = json!({"metadata": {"name": "c"}, "data": {}});
        let pruned = apply(cm, Some(&forced), &less, &a, false).expect("prune");
        assert_eq!(pruned["data"], json!({"x": "9"}));

        // Owning `data` itself (as kubectl's client-side-apply migration leaves it) and then
        // applying only its keys removes nothing the applier still sets.
        let mut migrated = obj.clone();
        migrated["metadata"]["managedFields"][0]["fieldsV1"] =
            json!({"f:data": {".": {}, "f:x": {}, "f:y": {}}});
        let kept = apply(cm, Some(&migrated), &config, &a, false).expect("re-apply");
        assert_eq!(kept["data"], json!({"x": "1", "y": "2"}));
    }

    #[test]
    fn updates_take_ownership_of_what_they_change() {
        let cm = crate::patch::schema_for("", "v1", "ConfigMap");
        let mut obj = json!({"metadata": {"name": "c"}, "data": {"x": "1"}});
        on_create(cm, &mut obj, &cm_writer("kubectl-create")).expect("create");
        assert_eq!(
            managers(&obj),
            [(
                "kubectl-create".into(),
                "Update".into(),
                json!({"f:data": {".": {}, "f:x": {}}})
            )]
        );
        let mut edited = obj.clone();
        edited["data"]["x"] = json!("2");
        edited["data"]["z"] = json!("3");
        on_update(cm, &obj, &mut edited, &cm_writer("kubectl-edit")).expect("update");
        assert_eq!(
            managers(&edited),
            [
                // Only `data` itself is left (a childless owned node is written as a leaf).
                (
                    "kubectl-create".into(),
                    "Update".into(),
                    json!({"f:data": {}})
                ),
                (
                    "kubectl-edit".into(),
                    "Update".into(),
                    json!({"f:data": {"f:x": {}, "f:z": {}}})
                ),
            ]
        );
        // An apply that changes x now conflicts with the editor, not the creator.
        let err = apply(
            cm,
            Some(&edited),
            &json!({"data": {"x": "5"}}),
            &cm_writer("ci"),
            false,
        )
        .expect_err("conflict");
        assert!(
            err.message.contains("\"kubectl-edit\" using v1"),
            "{}",
            err.message
        );
        // `[{}]` clears the list.
        let mut cleared = edited.clone();
        cleared["metadata"]["managedFields"] = json!([{}]);
        on_update(cm, &edited, &mut cleared, &cm_writer("x")).expect("clear");
        assert!(cleared.pointer("/metadata/managedFields").is_none());
        // Malformed entries are rejected with the index and what is wrong.
        let mut bad = edited.clone();
        bad["metadata"]["managedFields"] =
            json!([{"manager": "m", "operation": "Steal", "fieldsV1": {}}]);
        let err = on_update(cm, &edited, &mut bad, &cm_writer("x")).expect_err("bad entry");
        assert!(
            err.message
                .starts_with("metadata.managedFields[0]: operation"),
            "{}",
            err.message
        );
    }
}
