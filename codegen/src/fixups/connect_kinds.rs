//! `connect-operations-name-missing-kinds`: the core/v1 `connect` operations (pods/exec, attach,
//! portforward, proxy; services/proxy; nodes/proxy) carry an `x-kubernetes-group-version-kind`
//! naming option kinds (`PodExecOptions`, `PodProxyOptions`, ...) that have no definition. They
//! speak SPDY/WebSocket or proxy raw bytes, so no typed method is generated for them; this fixup
//! drops the dangling kind from those operations, keeping the operations themselves (the
//! discovery table still lists the subresources).
//!
//! Applies when the spec has `connect` operations. Stale (reported, see
//! [`super::FixupReport::stale`]) when none of them names a missing kind any more.

use super::FixupReport;
use crate::spec::Swagger;

const NAME: &str = "connect-operations-name-missing-kinds";

pub(super) fn apply(spec: &mut Swagger) -> Result<Option<FixupReport>, crate::Error> {
    let known: std::collections::BTreeSet<(String, String, String)> = spec
        .definitions
        .values()
        .flat_map(|d| d.gvk.iter())
        .map(|g| (g.group.clone(), g.version.clone(), g.kind.clone()))
        .collect();
    let mut saw_connect = false;
    let mut changed = Vec::new();
    for (path, item) in spec.paths.iter_mut() {
        for (method, slot) in item.operation_slots_mut() {
            let Some(op) = slot.as_mut() else { continue };
            if op.action.as_deref() != Some("connect") {
                continue;
            }
            saw_connect = true;
            let dangling = op.gvk.as_ref().is_some_and(|g| {
                !known.contains(&(g.group.clone(), g.version.clone(), g.kind.clone()))
            });
            if dangling {
                let kind = op.gvk.take().map(|g| g.kind).unwrap_or_default();
                changed.push(format!("{method} {path} ({kind})"));
            }
        }
    }
    if !saw_connect {
        return Ok(None);
    }
    let stale = changed
        .is_empty()
        .then(|| "no connect operation names a kind without a definition".to_owned());
    Ok(Some(FixupReport {
        name: NAME,
        changed,
        stale,
    }))
}

#[cfg(test)]
mod tests {
    use crate::spec::Swagger;

    fn spec(kind_defined: bool) -> Swagger {
        let defs = if kind_defined {
            r#"{"x.PodExecOptions":{"type":"object","x-kubernetes-group-version-kind":[{"group":"","version":"v1","kind":"PodExecOptions"}]}}"#
        } else {
            "{}"
        };
        let json = format!(
            r#"{{"definitions":{defs},"paths":{{"/api/v1/namespaces/{{namespace}}/pods/{{name}}/exec":{{
                "get":{{"x-kubernetes-action":"connect","x-kubernetes-group-version-kind":{{"group":"","version":"v1","kind":"PodExecOptions"}}}}}}}}}}"#
        );
        Swagger::from_slice(json.as_bytes(), "test").unwrap()
    }

    #[test]
    fn drops_dangling_kinds() {
        let mut s = spec(false);
        let r = super::apply(&mut s).unwrap().unwrap();
        assert_eq!(r.changed.len(), 1);
        assert!(s
            .paths
            .values()
            .next()
            .unwrap()
            .get
            .as_ref()
            .unwrap()
            .gvk
            .is_none());
    }

    #[test]
    fn reports_when_the_quirk_is_gone() {
        let mut s = spec(true);
        let r = super::apply(&mut s).unwrap().unwrap();
        assert!(r.changed.is_empty());
        assert!(r.stale.is_some());
    }

    #[test]
    fn does_not_apply_without_connect_operations() {
        let mut s = Swagger::default();
        assert!(super::apply(&mut s).unwrap().is_none());
    }
}
