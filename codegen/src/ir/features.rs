//! Cargo features: one per API group. A package of types belongs to the group its kinds are
//! served in; a feature depends on every feature whose types its types reference, so any
//! `default-features = false, features = [...]` selection compiles.

use super::{Ir, Ty, TypeKind};
use std::collections::{BTreeMap, BTreeSet};

fn named_in(ty: &Ty, out: &mut Vec<String>) {
    match ty {
        Ty::Named(n) => out.push(n.clone()),
        Ty::Vec(t) | Ty::Map(t) => named_in(t, out),
        _ => {}
    }
}

/// Direct feature -> feature edges from type references and subresource bodies.
pub(super) fn feature_deps(ir: &Ir) -> BTreeMap<String, BTreeSet<String>> {
    let feature_of_module: BTreeMap<&Vec<String>, &str> = ir
        .packages
        .iter()
        .map(|(m, p)| (m, p.feature.as_str()))
        .collect();
    let feature_of_type = |spec_name: &str| -> Option<&str> {
        let t = ir.types.get(spec_name)?;
        feature_of_module.get(&t.module).copied()
    };
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in ir.features() {
        deps.entry(f).or_default();
    }
    for t in ir.types.values() {
        let Some(from) = feature_of_module.get(&t.module).copied() else {
            continue;
        };
        let mut refs = Vec::new();
        match &t.kind {
            TypeKind::Struct(s) => {
                for f in &s.fields {
                    named_in(&f.ty, &mut refs);
                }
                if let Some(r) = &s.resource {
                    refs.extend(r.subresources.values().filter_map(|s| s.body_type.clone()));
                }
            }
            TypeKind::List { item } => refs.push(item.clone()),
            _ => {}
        }
        for r in refs {
            if let Some(to) = feature_of_type(&r) {
                if to != from && !to.is_empty() {
                    deps.entry(from.to_owned())
                        .or_default()
                        .insert(to.to_owned());
                }
            }
        }
    }
    deps
}
