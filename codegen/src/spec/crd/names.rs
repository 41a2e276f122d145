//! Checks that a CRD's names can become identifiers and paths.

use super::{list_kind, At, CrdSpec};
use crate::naming;
use crate::Error;
use std::collections::BTreeSet;

/// Names the generator builds identifiers and paths from must be usable as such.
pub(super) fn check_names(at: &At<'_>, s: &CrdSpec) -> Result<(), Error> {
    let dns = |v: &str| {
        !v.is_empty()
            && v.split('.').all(|l| {
                !l.is_empty()
                    && l.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            })
    };
    if !dns(&s.group) {
        return Err(at.err(
            "spec.group",
            format!("group {:?} must be a non-empty DNS subdomain", s.group),
        ));
    }
    if s.group.starts_with("apimachinery.") || s.group == "k8s.io" {
        return Err(at.err(
            "spec.group",
            format!(
                "group {:?} collides with Kubernetes' own type packages",
                s.group
            ),
        ));
    }
    if !dns(&s.names.plural) || s.names.plural.contains('.') {
        return Err(at.err(
            "spec.names.plural",
            format!("plural {:?} must be a lowercase DNS label", s.names.plural),
        ));
    }
    for (field, k) in [
        ("spec.names.kind", s.names.kind.clone()),
        ("spec.names.listKind", list_kind(&s.names)),
    ] {
        if !naming::is_plain_ident(&k) || !k.starts_with(|c: char| c.is_ascii_uppercase()) {
            return Err(at.err(field, format!("kind {k:?} must be a CamelCase identifier")));
        }
    }
    if s.scope != "Namespaced" && s.scope != "Cluster" {
        return Err(at.err(
            "spec.scope",
            format!("scope {:?} must be `Namespaced` or `Cluster`", s.scope),
        ));
    }
    if s.versions.is_empty() {
        return Err(at.err("spec.versions", "a CRD needs at least one version"));
    }
    let mut seen = BTreeSet::new();
    for (i, v) in s.versions.iter().enumerate() {
        let ok = v.name.starts_with(|c: char| c.is_ascii_lowercase())
            && v.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !ok {
            return Err(at.err(
                &format!("spec.versions[{i}].name"),
                format!(
                    "version {:?} must be a lowercase DNS label starting with a letter",
                    v.name
                ),
            ));
        }
        if !seen.insert(v.name.as_str()) {
            return Err(at.err(
                &format!("spec.versions[{i}].name"),
                format!("version {:?} is listed twice", v.name),
            ));
        }
    }
    if !s.versions.iter().any(|v| v.served) {
        return Err(at.err("spec.versions", "no version is served"));
    }
    Ok(())
}
