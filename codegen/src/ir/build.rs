//! Assemble the [`Ir`] from a (fixed-up) spec.

use super::resources::collect;
use super::types::{build_types, split_name, APIMACHINERY_MODULE};
use super::{features, Group, GroupVersion, Ir, Package, Ty, TypeDef, TypeKind};
use crate::naming;
use crate::spec::Swagger;
use crate::Error;
use std::collections::{BTreeMap, BTreeSet};

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const LIST_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";

/// Build the IR of a spec that fixups have already been applied to.
pub fn build(spec: &Swagger) -> Result<Ir, Error> {
    let mut types = build_types(spec)?;
    let resources = collect(spec)?;

    // Attach resources to their structs; a served kind always carries its ObjectMeta.
    for (def, r) in resources {
        let path = format!("{}/{}", r.gvk.api_version(), r.plural);
        let Some(TypeKind::Struct(s)) = types.get_mut(&def).map(|t| &mut t.kind) else {
            return Err(Error::ResourceWithoutMetadata {
                definition: def,
                path,
            });
        };
        let meta = s
            .fields
            .iter_mut()
            .find(|f| f.json_name == "metadata" && f.ty == Ty::Named(OBJECT_META.into()));
        match (meta, &s.gvk) {
            (Some(m), Some(_)) => m.required = true,
            _ => {
                return Err(Error::ResourceWithoutMetadata {
                    definition: def,
                    path,
                })
            }
        }
        s.resource = Some(r);
    }

    // `FooList { metadata: ListMeta, items: [Foo] }` of a served kind becomes `List<Foo>`.
    let served: Vec<String> = types
        .iter()
        .filter(|(_, t)| matches!(&t.kind, TypeKind::Struct(s) if s.resource.is_some()))
        .map(|(n, _)| n.clone())
        .collect();
    for t in types.values_mut() {
        let TypeKind::Struct(s) = &t.kind else {
            continue;
        };
        if s.gvk.is_none() || s.fields.len() != 2 || !t.rust_name.ends_with("List") {
            continue;
        }
        let items = s.fields.iter().find(|f| f.json_name == "items");
        let meta = s.fields.iter().find(|f| f.json_name == "metadata");
        if let (Some(items), Some(meta)) = (items, meta) {
            if let (Ty::Vec(inner), Ty::Named(m)) = (&items.ty, &meta.ty) {
                if let Ty::Named(item) = inner.as_ref() {
                    if m == LIST_META && served.contains(item) {
                        t.kind = TypeKind::List { item: item.clone() };
                    }
                }
            }
        }
    }

    mark_debug_by_field(&mut types);

    // Packages and their features; groups and versions.
    let mut ir = Ir {
        types,
        ..Ir::default()
    };
    let mut package_groups: BTreeMap<String, String> = BTreeMap::new();
    for (name, d) in &spec.definitions {
        let (package, _) = split_name(name);
        for g in &d.gvk {
            match package_groups.get(package) {
                Some(prev) if *prev != g.group && !name.starts_with("io.k8s.apimachinery.") => {
                    return Err(Error::PackageGroupConflict {
                        package: package.to_owned(),
                        first: prev.clone(),
                        second: g.group.clone(),
                    })
                }
                Some(_) => {}
                None => {
                    package_groups.insert(package.to_owned(), g.group.clone());
                }
            }
        }
    }
    let all_groups =
        package_groups
            .values()
            .map(String::as_str)
            .chain(ir.types.values().filter_map(|t| match &t.kind {
                TypeKind::Struct(s) => s.resource.as_ref().map(|r| r.gvk.group.as_str()),
                _ => None,
            }));
    let features = naming::feature_names(all_groups);
    let feature_of = |group: &str| {
        features
            .get(group)
            .cloned()
            .unwrap_or_else(|| naming::feature_name(group))
    };
    let mut feature_groups: BTreeMap<String, String> = BTreeMap::new();
    for t in ir.types.values() {
        if t.module.is_empty() {
            continue;
        }
        let (package, _) = split_name(&t.spec_name);
        let feature = match package_groups.get(package) {
            Some(group) => feature_of(group),
            None if t.module.first().is_some_and(|m| m == APIMACHINERY_MODULE) => String::new(),
            None => t.module[1].replace('_', "-"),
        };
        if let Some(group) = package_groups.get(package) {
            if let Some(prev) = feature_groups.insert(feature.clone(), group.clone()) {
                if prev != *group {
                    return Err(Error::FeatureCollision {
                        first: prev,
                        second: group.clone(),
                        feature,
                    });
                }
            }
        }
        let p = ir
            .packages
            .entry(t.module.clone())
            .or_insert_with(|| Package {
                spec_name: package.to_owned(),
                module: t.module.clone(),
                feature: feature.clone(),
                types: Vec::new(),
            });
        p.types.push(t.spec_name.clone());
    }
    for (def, t) in &ir.types {
        let TypeKind::Struct(s) = &t.kind else {
            continue;
        };
        let Some(r) = &s.resource else { continue };
        let g = ir
            .groups
            .entry(r.gvk.group.clone())
            .or_insert_with(|| Group {
                name: r.gvk.group.clone(),
                feature: feature_of(&r.gvk.group),
                versions: BTreeMap::new(),
            });
        g.versions
            .entry(r.gvk.version.clone())
            .or_insert_with(|| GroupVersion {
                group: r.gvk.group.clone(),
                version: r.gvk.version.clone(),
                resources: Vec::new(),
            })
            .resources
            .push(def.clone());
    }
    ir.feature_deps = features::feature_deps(&ir);
    ir.diagnostics = super::checks::diagnostics(spec, &ir);
    ir.patch = patch_table(spec);
    Ok(ir)
}

/// Structs that hold a redacted field, directly or through nested types, print field by field
/// so the redaction is not bypassed (the generic Debug shows nested values as serialized JSON).
fn mark_debug_by_field(types: &mut BTreeMap<String, TypeDef>) {
    loop {
        let marked: BTreeSet<String> = types
            .iter()
            .filter(|(_, t)| matches!(&t.kind, TypeKind::Struct(s) if s.debug_by_field || !s.sensitive.is_empty()))
            .map(|(n, _)| n.clone())
            .collect();
        let mut changed = false;
        for t in types.values_mut() {
            let TypeKind::Struct(s) = &mut t.kind else {
                continue;
            };
            let wanted = !s.sensitive.is_empty()
                || s.fields
                    .iter()
                    .any(|f| f.ty.named().is_some_and(|n| marked.contains(n)));
            if wanted && !s.debug_by_field {
                s.debug_by_field = true;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// Merge metadata from the raw schemas (apimachinery definitions included: `metadata.finalizers`
/// and `ownerReferences` carry strategies too): what strategic merge patch and server-side apply
/// need to know about each field that nests objects, is a map or list, or is atomic.
fn patch_table(spec: &Swagger) -> BTreeMap<String, Vec<super::PatchField>> {
    use crate::spec::{ref_target, AdditionalProperties, Schema};
    // The `$ref` target of a property (directly or through a single `allOf`).
    let ref_of = |s: &Schema| -> Option<String> {
        let s = match s.all_of.as_slice() {
            [only] if s.ref_.is_none() => only,
            _ => s,
        };
        s.ref_.as_deref().and_then(ref_target).map(str::to_owned)
    };
    let target = |s: &Schema| {
        ref_of(s).filter(|t| {
            spec.definitions
                .get(t)
                .is_some_and(|d| !d.properties.is_empty())
        })
    };
    let atomic_def = |s: &Schema| {
        ref_of(s)
            .and_then(|t| spec.definitions.get(&t))
            .is_some_and(|d| d.map_type.as_deref() == Some("atomic"))
    };
    let mut out = BTreeMap::new();
    for (name, def) in &spec.definitions {
        let mut fields = Vec::new();
        for (prop, p) in &def.properties {
            let (shape, item) = if let Some(t) = target(p) {
                ("object", Some(t))
            } else if let Some(items) = &p.items {
                ("list", target(items))
            } else if let Some(AdditionalProperties::Schema(v)) = &p.additional_properties {
                ("map", target(v))
            } else {
                ("object", None)
            };
            let strategy = p.patch_strategy.clone().unwrap_or_default();
            let merge_key = p.patch_merge_key.clone().unwrap_or_default();
            let (list_type, list_keys) = if p.items.is_some() {
                list_semantics(p, &strategy, &merge_key)
            } else {
                ("", Vec::new())
            };
            let atomic = p.map_type.as_deref() == Some("atomic") || atomic_def(p);
            // Fields whose defaults are right without an entry (scalars, untyped atomic lists,
            // granular objects without nested types) are left out to keep the table small.
            let needed = item.is_some()
                || !strategy.is_empty()
                || shape == "map"
                || atomic
                || (p.items.is_some() && list_type != "atomic");
            if !needed {
                continue;
            }
            fields.push(super::PatchField {
                name: prop.clone(),
                shape: if p.items.is_some() { "list" } else { shape },
                strategy,
                merge_key,
                item_type: item.unwrap_or_default(),
                list_type,
                list_keys,
                atomic,
            });
        }
        if !fields.is_empty() {
            out.insert(name.clone(), fields);
        }
    }
    out
}

/// How server-side apply treats a list: `x-kubernetes-list-type` when given, otherwise the
/// strategic-merge strategy (`merge` with a key is a map keyed by it, `merge` alone a set), as
/// kube-openapi's schema conversion does; anything else is atomic.
fn list_semantics(
    p: &crate::spec::Schema,
    strategy: &str,
    merge_key: &str,
) -> (&'static str, Vec<String>) {
    let merge = strategy.split(',').any(|s| s == "merge");
    match p.list_type.as_deref() {
        Some("map") if !p.list_map_keys.is_empty() => ("map", p.list_map_keys.clone()),
        Some("map") if !merge_key.is_empty() => ("map", vec![merge_key.to_string()]),
        Some("set") => ("set", Vec::new()),
        Some(_) => ("atomic", Vec::new()),
        None if merge && !merge_key.is_empty() => ("map", vec![merge_key.to_string()]),
        None if merge => ("set", Vec::new()),
        None => ("atomic", Vec::new()),
    }
}
