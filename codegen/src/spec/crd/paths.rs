//! The REST paths a CRD is served at, synthesized as kube-apiserver publishes them: the eight
//! standard verbs in the kind's scope, plus `/status` and `/scale` when declared.

use super::super::swagger::{Gvk, Operation, Parameter, PathItem, Response, Schema};
use super::*;
use crate::naming;
use std::collections::BTreeMap;

fn op(
    id: String,
    action: &str,
    gvk: &Gvk,
    body: Option<&str>,
    response: &str,
) -> Option<Operation> {
    let reference = |name: &str| Schema {
        ref_: def_ref(name),
        ..Schema::default()
    };
    let mut responses = BTreeMap::new();
    responses.insert(
        "200".to_owned(),
        Response {
            schema: Some(reference(response)),
        },
    );
    Some(Operation {
        operation_id: Some(id),
        description: None,
        action: Some(action.to_owned()),
        gvk: Some(gvk.clone()),
        parameters: body
            .map(|b| Parameter {
                ref_: None,
                name: Some("body".into()),
                in_: Some("body".into()),
                schema: Some(reference(b)),
            })
            .into_iter()
            .collect(),
        responses,
        consumes: Vec::new(),
        produces: vec!["application/json".into(), "application/yaml".into()],
    })
}

/// Paths of one served version, spelled as kube-apiserver publishes them.
#[allow(clippy::too_many_arguments)]
pub(super) fn add_paths(
    paths: &mut BTreeMap<String, PathItem>,
    group: &str,
    version: &str,
    plural: &str,
    namespaced: bool,
    gvk: &Gvk,
    kind_def: &str,
    list_def: &str,
    status: bool,
    scale: bool,
) {
    let gv = format!("/apis/{group}/{version}");
    let ns = if namespaced {
        "/namespaces/{namespace}"
    } else {
        ""
    };
    let id = |verb: &str, suffix: &str| {
        naming::operation_id(verb, group, version, namespaced, &gvk.kind, suffix)
    };
    let base = format!("{gv}{ns}/{plural}");
    paths.insert(
        base.clone(),
        PathItem {
            get: op(id("list", ""), "list", gvk, None, list_def),
            post: op(id("create", ""), "post", gvk, Some(kind_def), kind_def),
            delete: op(
                id("deletecollection", ""),
                "deletecollection",
                gvk,
                None,
                "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
            ),
            ..PathItem::default()
        },
    );
    paths.insert(
        format!("{base}/{{name}}"),
        PathItem {
            get: op(id("read", ""), "get", gvk, None, kind_def),
            put: op(id("replace", ""), "put", gvk, Some(kind_def), kind_def),
            patch: op(
                id("patch", ""),
                "patch",
                gvk,
                Some("io.k8s.apimachinery.pkg.apis.meta.v1.Patch"),
                kind_def,
            ),
            delete: op(
                id("delete", ""),
                "delete",
                gvk,
                None,
                "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
            ),
            ..PathItem::default()
        },
    );
    paths.insert(
        format!("{gv}/watch{ns}/{plural}"),
        PathItem {
            get: op(
                id("watch", "List"),
                "watchlist",
                gvk,
                None,
                "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
            ),
            ..PathItem::default()
        },
    );
    paths.insert(
        format!("{gv}/watch{ns}/{plural}/{{name}}"),
        PathItem {
            get: op(
                id("watch", ""),
                "watch",
                gvk,
                None,
                "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
            ),
            ..PathItem::default()
        },
    );
    if namespaced {
        let all = |verb: &str| {
            naming::operation_id(verb, group, version, false, &gvk.kind, "ForAllNamespaces")
        };
        paths.insert(
            format!("{gv}/{plural}"),
            PathItem {
                get: op(all("list"), "list", gvk, None, list_def),
                ..PathItem::default()
            },
        );
        paths.insert(
            format!("{gv}/watch/{plural}"),
            PathItem {
                get: op(
                    all("watch"),
                    "watchlist",
                    gvk,
                    None,
                    "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
                ),
                ..PathItem::default()
            },
        );
    }
    if status {
        paths.insert(
            format!("{base}/{{name}}/status"),
            PathItem {
                get: op(id("read", "Status"), "get", gvk, None, kind_def),
                put: op(
                    id("replace", "Status"),
                    "put",
                    gvk,
                    Some(kind_def),
                    kind_def,
                ),
                patch: op(
                    id("patch", "Status"),
                    "patch",
                    gvk,
                    Some("io.k8s.apimachinery.pkg.apis.meta.v1.Patch"),
                    kind_def,
                ),
                ..PathItem::default()
            },
        );
    }
    if scale {
        let scale_gvk = Gvk {
            group: "autoscaling".into(),
            version: "v1".into(),
            kind: "Scale".into(),
        };
        paths.insert(
            format!("{base}/{{name}}/scale"),
            PathItem {
                get: op(id("read", "Scale"), "get", &scale_gvk, None, SCALE),
                put: op(
                    id("replace", "Scale"),
                    "put",
                    &scale_gvk,
                    Some(SCALE),
                    SCALE,
                ),
                patch: op(
                    id("patch", "Scale"),
                    "patch",
                    &scale_gvk,
                    Some("io.k8s.apimachinery.pkg.apis.meta.v1.Patch"),
                    SCALE,
                ),
                ..PathItem::default()
            },
        );
    }
}
