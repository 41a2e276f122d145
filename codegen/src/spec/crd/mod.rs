//! `apiextensions.k8s.io/v1` CustomResourceDefinitions as generator input.
//!
//! Each served version of each CRD is turned into the swagger model the rest of the pipeline
//! reads, the way kube-apiserver publishes CRD schemas at `/openapi/v2`:
//!
//! - definitions are named by reversed group, version and kind (`cert-manager.io`, `v1`,
//!   `Certificate` -> `io.cert-manager.v1.Certificate`), with a `<Kind>List` beside each kind;
//! - inline object schemas are hoisted into named definitions (`CertificateSpec`,
//!   `CertificateSpecPrivateKey`, ...: the kind plus the PascalCase field path; array items and
//!   map values take the name of their field; clashes get `2`, `3`, ... in visiting order);
//! - `metadata` is `ObjectMeta`, `x-kubernetes-int-or-string` is `IntOrString`, `format:
//!   date-time` is `Time` (all handwritten in the runtime); `x-kubernetes-preserve-unknown-fields`
//!   without properties, `x-kubernetes-embedded-resource` and objects with neither properties nor
//!   additionalProperties are arbitrary JSON;
//! - paths with `x-kubernetes-action` / `x-kubernetes-group-version-kind` are synthesized for the
//!   eight standard verbs, in the kind's scope, plus `/status` and `/scale` when declared.
//!
//! Errors name the file, the document, the CRD, the version and the path of the schema node.
//!
//! By job: `model` reads the documents, `names` checks what becomes identifiers, `schema`
//! turns a version's schema into definitions, `paths` synthesizes the served paths, `support`
//! adds the definitions CRDs reference; this file ties them together per served version.

mod model;
mod names;
mod paths;
mod schema;
mod support;

pub use model::*;

use super::swagger::{Gvk, Schema, Swagger};
use crate::naming;
use crate::Error;
use names::check_names;
use paths::add_paths;
use schema::{object, scalar, Converter};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use support::add_support_definitions;

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const LIST_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";
const TIME: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
const INT_OR_STRING: &str = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const SCALE: &str = "io.k8s.api.autoscaling.v1.Scale";
const SCALE_SPEC: &str = "io.k8s.api.autoscaling.v1.ScaleSpec";
const SCALE_STATUS: &str = "io.k8s.api.autoscaling.v1.ScaleStatus";

/// Where a schema node is, for errors.
#[derive(Clone)]
pub(super) struct At<'a> {
    origin: &'a str,
    document: usize,
    crd: &'a str,
    version: &'a str,
}

impl At<'_> {
    fn err(&self, path: &str, what: impl Into<String>) -> Error {
        Error::Crd(Box::new(crate::error::CrdProblem {
            origin: self.origin.to_owned(),
            document: self.document,
            crd: self.crd.to_owned(),
            version: self.version.to_owned(),
            path: path.to_owned(),
            what: what.into(),
        }))
    }
}
/// `io.cert-manager` for `cert-manager.io`.
fn reversed_group(group: &str) -> String {
    group.split('.').rev().collect::<Vec<_>>().join(".")
}
fn def_ref(name: &str) -> Option<String> {
    Some(format!("#/definitions/{name}"))
}
/// Convert CRDs into definitions and paths and add them to `spec` (empty for CRD-only input).
/// A kind (group, version, kind) or resource (group, plural) defined twice is an error naming
/// both places.
pub fn add_to_swagger(spec: &mut Swagger, crds: &[LocatedCrd]) -> Result<(), Error> {
    // Kinds first, so hoisted names never take a kind's or list's name.
    let mut taken: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut kinds: BTreeMap<(String, String, String), String> = BTreeMap::new();
    let mut plurals: BTreeMap<(String, String), String> = BTreeMap::new();
    for c in crds {
        let spec_ = &c.crd.spec;
        let name = c.crd.metadata.name.as_str();
        let here = format!("{}, document {} (CRD `{name}`)", c.origin, c.document);
        let at = At {
            origin: &c.origin,
            document: c.document,
            crd: name,
            version: "",
        };
        check_names(&at, spec_)?;
        if let Some(prev) = plurals.insert(
            (spec_.group.clone(), spec_.names.plural.clone()),
            here.clone(),
        ) {
            return Err(Error::DuplicateCrd {
                what: format!("resource {}/{}", spec_.group, spec_.names.plural),
                first: prev,
                second: here,
            });
        }
        for v in spec_.versions.iter().filter(|v| v.served) {
            let key = (
                spec_.group.clone(),
                v.name.clone(),
                spec_.names.kind.clone(),
            );
            if let Some(prev) = kinds.insert(key, here.clone()) {
                return Err(Error::DuplicateCrd {
                    what: format!("kind {}/{}/{}", spec_.group, v.name, spec_.names.kind),
                    first: prev,
                    second: here,
                });
            }
            let package = format!("{}.{}", reversed_group(&spec_.group), v.name);
            let set = taken.entry(package).or_default();
            set.insert(naming::type_name(&spec_.names.kind));
            set.insert(naming::type_name(&list_kind(&spec_.names)));
        }
    }

    let mut defs = BTreeMap::new();
    let mut paths = BTreeMap::new();
    let mut any_scale = false;
    for c in crds {
        let s = &c.crd.spec;
        let name = c.crd.metadata.name.as_str();
        let namespaced = s.scope == "Namespaced";
        let served: Vec<(usize, &CrdVersion)> = s
            .versions
            .iter()
            .enumerate()
            .filter(|(_, v)| v.served)
            .collect();
        for (i, v) in served {
            let at = At {
                origin: &c.origin,
                document: c.document,
                crd: name,
                version: &v.name,
            };
            let path = format!("spec.versions[{i}].schema.openAPIV3Schema");
            let Some(root) = v
                .schema
                .as_ref()
                .and_then(|s| s.open_api_v3_schema.as_ref())
            else {
                return Err(at.err(
                    &path,
                    "a served version needs a schema (spec.versions[].schema.openAPIV3Schema)",
                ));
            };
            let package = format!("{}.{}", reversed_group(&s.group), v.name);
            let gvk = Gvk {
                group: s.group.clone(),
                version: v.name.clone(),
                kind: s.names.kind.clone(),
            };
            let kind_def = format!("{package}.{}", s.names.kind);
            let list_name = list_kind(&s.names);
            let list_def = format!("{package}.{list_name}");
            let mut set = taken.remove(&package).unwrap_or_default();
            let mut conv = Converter {
                at: at.clone(),
                package: &package,
                defs: &mut defs,
                taken: &mut set,
            };
            conv.root(root, &path, &kind_def, gvk.clone())?;
            taken.insert(package.clone(), set);
            if let (Some(def), false) = (defs.get_mut(&kind_def), s.names.short_names.is_empty()) {
                def.extra.insert(
                    super::SHORT_NAMES_EXTENSION.into(),
                    Value::from(s.names.short_names.clone()),
                );
            }
            defs.insert(
                list_def.clone(),
                object(
                    &format!("{list_name} is a list of {}.", s.names.kind),
                    &[
                        ("apiVersion", scalar("string", None)),
                        ("kind", scalar("string", None)),
                        (
                            "metadata",
                            Schema {
                                ref_: def_ref(LIST_META),
                                ..Schema::default()
                            },
                        ),
                        (
                            "items",
                            Schema {
                                type_: Some("array".into()),
                                items: Some(Box::new(Schema {
                                    ref_: def_ref(&kind_def),
                                    ..Schema::default()
                                })),
                                ..Schema::default()
                            },
                        ),
                    ],
                    &["items"],
                    Some(Gvk {
                        group: s.group.clone(),
                        version: v.name.clone(),
                        kind: list_name.clone(),
                    }),
                ),
            );
            let subs = v.subresources.clone().unwrap_or_default();
            let scale = subs.scale.is_some();
            any_scale |= scale;
            add_paths(
                &mut paths,
                &s.group,
                &v.name,
                &s.names.plural,
                namespaced,
                &gvk,
                &kind_def,
                &list_def,
                subs.status.is_some(),
                scale,
            );
        }
    }
    for (name, def) in defs {
        if spec.definitions.contains_key(&name) {
            return Err(Error::DuplicateCrd {
                what: format!("definition `{name}`"),
                first: "the Kubernetes spec".into(),
                second: "a CRD".into(),
            });
        }
        spec.definitions.insert(name, def);
    }
    for (p, item) in paths {
        if spec.paths.contains_key(&p) {
            return Err(Error::DuplicateCrd {
                what: format!("path `{p}`"),
                first: "the Kubernetes spec".into(),
                second: "a CRD".into(),
            });
        }
        spec.paths.insert(p, item);
    }
    add_support_definitions(&mut spec.definitions, any_scale);
    Ok(())
}
fn list_kind(names: &CrdNames) -> String {
    names
        .list_kind
        .clone()
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| format!("{}List", names.kind))
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverses_groups() {
        assert_eq!(reversed_group("cert-manager.io"), "io.cert-manager");
        assert_eq!(
            reversed_group("monitoring.coreos.com"),
            "com.coreos.monitoring"
        );
    }
}
