//! Definitions CRD schemas reference but do not define.

use super::super::swagger::{Gvk, Schema};
use super::*;
use std::collections::BTreeMap;

/// Definitions the converted CRDs reference without defining them: apimachinery types (mapped to
/// the runtime) and, when a CRD serves `/scale`, `autoscaling/v1` Scale. Existing definitions
/// (a Kubernetes spec given too) are left alone.
pub(super) fn add_support_definitions(defs: &mut BTreeMap<String, Schema>, scale: bool) {
    let mut add = |name: &str, s: Schema| {
        defs.entry(name.to_owned()).or_insert(s);
    };
    add(
        OBJECT_META,
        object("Standard object metadata.", &[], &[], None),
    );
    add(LIST_META, object("Standard list metadata.", &[], &[], None));
    add(TIME, scalar("string", Some("date-time")));
    add(INT_OR_STRING, scalar("string", Some("int-or-string")));
    add(
        "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
        object("Status of an operation.", &[], &[], None),
    );
    add(
        "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
        object("A patch body.", &[], &[], None),
    );
    add(
        "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
        object("A watch event.", &[], &[], None),
    );
    if scale {
        let r = |n: &str| Schema {
            ref_: def_ref(n),
            ..Schema::default()
        };
        add(
            SCALE,
            object(
                "Scale represents a scaling request for a resource.",
                &[
                    ("apiVersion", scalar("string", None)),
                    ("kind", scalar("string", None)),
                    ("metadata", r(OBJECT_META)),
                    ("spec", r(SCALE_SPEC)),
                    ("status", r(SCALE_STATUS)),
                ],
                &[],
                Some(Gvk {
                    group: "autoscaling".into(),
                    version: "v1".into(),
                    kind: "Scale".into(),
                }),
            ),
        );
        add(
            SCALE_SPEC,
            object(
                "ScaleSpec describes the attributes of a scale subresource.",
                &[("replicas", scalar("integer", Some("int32")))],
                &[],
                None,
            ),
        );
        add(
            SCALE_STATUS,
            object(
                "ScaleStatus represents the current status of a scale subresource.",
                &[
                    ("replicas", scalar("integer", Some("int32"))),
                    ("selector", scalar("string", None)),
                ],
                &["replicas"],
                None,
            ),
        );
    }
}
