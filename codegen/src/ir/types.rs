//! Definitions -> [`TypeDef`]s: field types, optionality, fixed GVKs, boxing of recursive
//! fields, and the mapping of apimachinery definitions to runtime types.

use super::runtime_map::{runtime_path, APIMACHINERY_PREFIX};
use super::{Field, Gvk, StructDef, Ty, TypeDef, TypeKind};
use crate::naming;
use crate::spec::{ref_target, AdditionalProperties, Schema, Swagger};
use crate::Error;
use std::collections::{BTreeMap, BTreeSet};

/// Properties whose values are credentials; `Debug` of their struct redacts them.
const SENSITIVE_FIELDS: &[(&str, &[&str])] = &[
    ("io.k8s.api.core.v1.Secret", &["data", "stringData"]),
    (
        "io.k8s.api.authentication.v1.TokenRequestStatus",
        &["token"],
    ),
    // The bearer token a TokenReview asks the server to check.
    ("io.k8s.api.authentication.v1.TokenReviewSpec", &["token"]),
];

/// Split `io.k8s.api.apps.v1.Deployment` into (`io.k8s.api.apps.v1`, `Deployment`).
pub(super) fn split_name(spec_name: &str) -> (&str, &str) {
    match spec_name.rsplit_once('.') {
        Some((pkg, short)) => (pkg, short),
        None => ("", spec_name),
    }
}

/// Module path of a package: `api::<package>::<version>`, taking the last two segments
/// (`io.k8s.api.apps.v1` -> `api::apps::v1`, `io.k8s.kube-aggregator.pkg.apis.apiregistration.v1`
/// -> `api::apiregistration::v1`).
pub(super) fn module_of(package: &str) -> Vec<String> {
    let mut segs = package.rsplit('.');
    let version = segs.next().filter(|s| !s.is_empty()).unwrap_or("types");
    let pkg = segs.next().unwrap_or("default");
    vec![
        "api".to_owned(),
        naming::module_name(pkg),
        naming::module_name(version),
    ]
}

/// Top-level module of generated apimachinery types.
pub(super) const APIMACHINERY_MODULE: &str = "apimachinery";

/// Module of an apimachinery package without handwritten types: `apimachinery::` and the
/// package path after `pkg` (`io.k8s.apimachinery.pkg.apis.meta.v1` -> `apimachinery::meta::v1`,
/// `io.k8s.apimachinery.pkg.runtime` -> `apimachinery::runtime`). It depends on the package alone.
pub(super) fn apimachinery_module(package: &str) -> Vec<String> {
    let rest = package
        .strip_prefix(APIMACHINERY_PREFIX)
        .unwrap_or(package)
        .trim_start_matches("pkg.");
    let rest = rest.strip_prefix("apis.").unwrap_or(rest);
    std::iter::once(APIMACHINERY_MODULE.to_owned())
        .chain(
            rest.split('.')
                .filter(|s| !s.is_empty())
                .map(naming::module_name),
        )
        .collect()
}

/// Module of a CRD package (named `<reversed group>.<version>`): `api::<group label>::<version>`
/// from the group alone ([`naming::group_label`]: `networking.istio.io` -> `networking_istio`,
/// `gateway.networking.k8s.io` -> `gateway`), so a CRD beside it never moves it.
fn crd_module(package: &str, groups: &BTreeMap<&str, &str>) -> Option<Vec<String>> {
    let (reversed, version) = package.rsplit_once('.')?;
    let group = groups.get(package)?;
    let own: Vec<&str> = group.split('.').rev().collect();
    (own.join(".") == reversed).then(|| {
        vec![
            "api".to_owned(),
            naming::module_name(&naming::group_label(group, "_")),
            naming::module_name(version),
        ]
    })
}

/// Module paths of packages: CRD packages by [`crd_module`]; Kubernetes' packages by
/// [`module_of`] each, except where different packages would share one: Kubernetes' own package
/// keeps it and the others are qualified by the next segment (`networking_istio`).
fn modules_of<'a>(
    packages: impl IntoIterator<Item = &'a str>,
    groups: &BTreeMap<&str, &str>,
) -> BTreeMap<String, Vec<String>> {
    let mut by_module: BTreeMap<Vec<String>, BTreeSet<&str>> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for p in packages {
        if let Some(m) = crd_module(p, groups) {
            out.insert(p.to_owned(), m);
            continue;
        }
        by_module.entry(module_of(p)).or_default().insert(p);
    }
    for (module, members) in by_module {
        let keeper = (members.len() > 1)
            .then(|| members.iter().copied().find(|p| p.starts_with("io.k8s.")))
            .flatten();
        for p in &members {
            let mut m = module.clone();
            if members.len() > 1 && Some(*p) != keeper {
                let segs: Vec<&str> = p.rsplit('.').collect();
                if let Some(next) = segs.get(2) {
                    m[1] = naming::module_name(&format!("{}_{next}", segs[1]));
                }
            }
            out.insert((*p).to_owned(), m);
        }
    }
    out
}

/// Build every definition's [`TypeDef`].
pub(super) fn build_types(spec: &Swagger) -> Result<BTreeMap<String, TypeDef>, Error> {
    let groups: BTreeMap<&str, &str> = spec
        .definitions
        .iter()
        .flat_map(|(n, d)| {
            d.gvk
                .iter()
                .map(move |g| (split_name(n).0, g.group.as_str()))
        })
        .collect();
    let modules = modules_of(
        spec.definitions
            .keys()
            .filter(|n| !n.starts_with(APIMACHINERY_PREFIX))
            .map(|n| split_name(n).0),
        &groups,
    );
    let mut out = BTreeMap::new();
    let mut names_in_module: BTreeMap<(Vec<String>, String), String> = BTreeMap::new();
    for (name, schema) in &spec.definitions {
        let (package, short) = split_name(name);
        if let Some(path) = runtime_path(name) {
            out.insert(
                name.clone(),
                TypeDef {
                    spec_name: name.clone(),
                    rust_name: short.to_owned(),
                    module: Vec::new(),
                    doc: schema.description.clone(),
                    kind: TypeKind::Runtime(path.to_owned()),
                },
            );
            continue;
        }
        let rust_name = naming::type_name(short);
        let module = if name.starts_with(APIMACHINERY_PREFIX) {
            apimachinery_module(package)
        } else {
            modules
                .get(package)
                .cloned()
                .unwrap_or_else(|| module_of(package))
        };
        if let Some(prev) =
            names_in_module.insert((module.clone(), rust_name.clone()), name.clone())
        {
            return Err(Error::TypeCollision {
                first: prev,
                second: name.clone(),
                ident: rust_name,
            });
        }
        let kind = type_kind(spec, name, schema)?;
        out.insert(
            name.clone(),
            TypeDef {
                spec_name: name.clone(),
                rust_name,
                module,
                doc: schema.description.clone(),
                kind,
            },
        );
    }
    mark_embedded_kinds(&mut out);
    mark_by_value_fields(&mut out, &groups);
    box_recursive_fields(&mut out);
    box_optional_structs(&mut out);
    Ok(out)
}

fn type_kind(spec: &Swagger, name: &str, schema: &Schema) -> Result<TypeKind, Error> {
    let schema = unwrap_all_of(schema);
    if schema.preserve_unknown_fields == Some(true) && schema.properties.is_empty() {
        return Ok(TypeKind::Json);
    }
    match schema.type_.as_deref() {
        Some("string") => return Ok(TypeKind::StringNewtype),
        Some("object") | None if !schema.properties.is_empty() => {}
        Some("object") if schema.additional_properties.is_none() => {
            return Ok(TypeKind::Struct(Box::default()))
        }
        _ => return Ok(TypeKind::Json),
    }
    let gvk = match schema.gvk.as_slice() {
        [one] => Some(Gvk {
            group: one.group.clone(),
            version: one.version.clone(),
            kind: one.kind.clone(),
        }),
        _ => None,
    };
    let required: BTreeSet<&str> = schema.required.iter().map(String::as_str).collect();
    let sensitive: BTreeSet<String> = SENSITIVE_FIELDS
        .iter()
        .filter(|(d, _)| *d == name)
        .flat_map(|(_, f)| f.iter().map(|s| s.to_string()))
        .collect();
    let mut fields = Vec::new();
    let mut idents: BTreeMap<String, String> = BTreeMap::new();
    for (prop, prop_schema) in &schema.properties {
        // A single fixed GVK makes apiVersion/kind constants rather than fields.
        if gvk.is_some() && (prop == "apiVersion" || prop == "kind") {
            continue;
        }
        let rust_name = naming::unique(naming::field_name(prop), |candidate| {
            idents.contains_key(candidate)
        });
        idents.insert(rust_name.clone(), prop.clone());
        let ty = field_type(spec, name, prop, prop_schema)?;
        fields.push(Field {
            json_name: prop.clone(),
            rust_name,
            ty,
            required: required.contains(prop.as_str()),
            boxed: false,
            always_written: false,
            proto: None,
            doc: prop_schema.description.clone(),
        });
    }
    let unknown_fields = (schema.preserve_unknown_fields == Some(true)).then(|| {
        naming::unique(naming::field_name("extra"), |candidate| {
            idents.contains_key(candidate)
        })
    });
    Ok(TypeKind::Struct(Box::new(StructDef {
        fields,
        gvk,
        resource: None,
        sensitive,
        debug_by_field: false,
        unknown_fields,
        type_meta_field: None,
        proto: None,
    })))
}

/// OpenAPI v3 documents wrap a `$ref` in a one-element `allOf` (kube-openapi#477).
fn unwrap_all_of(schema: &Schema) -> &Schema {
    match schema.all_of.as_slice() {
        [only] if schema.ref_.is_none() && schema.type_.is_none() => only,
        _ => schema,
    }
}

/// The Rust type of one property schema.
pub(super) fn field_type(
    spec: &Swagger,
    definition: &str,
    field: &str,
    schema: &Schema,
) -> Result<Ty, Error> {
    let schema = unwrap_all_of(schema);
    if let Some(r) = &schema.ref_ {
        let target = ref_target(r)
            .filter(|t| spec.definitions.contains_key(*t))
            .ok_or_else(|| Error::DanglingRef {
                definition: definition.to_owned(),
                field: field.to_owned(),
                target: r.clone(),
            })?;
        return Ok(Ty::Named(target.to_owned()));
    }
    if schema.int_or_string == Some(true) || schema.format.as_deref() == Some("int-or-string") {
        return Ok(Ty::Named(
            "io.k8s.apimachinery.pkg.util.intstr.IntOrString".into(),
        ))
        .and_then(|t| require_def(spec, definition, field, t));
    }
    if schema.preserve_unknown_fields == Some(true) && schema.properties.is_empty() {
        return Ok(Ty::Json);
    }
    let ty = match schema.type_.as_deref() {
        Some("boolean") => Ty::Bool,
        Some("integer") => match schema.format.as_deref() {
            Some("int32") => Ty::I32,
            _ => Ty::I64,
        },
        Some("number") => Ty::F64,
        Some("string") => match schema.format.as_deref() {
            Some("byte") => Ty::Bytes,
            Some("date-time") => {
                return require_def(
                    spec,
                    definition,
                    field,
                    Ty::Named("io.k8s.apimachinery.pkg.apis.meta.v1.Time".into()),
                )
            }
            _ => Ty::String,
        },
        Some("array") => {
            let item = match &schema.items {
                Some(items) => field_type(spec, definition, &format!("{field}[]"), items)?,
                None => Ty::Json,
            };
            Ty::Vec(Box::new(item))
        }
        Some("object") | None => {
            if !schema.properties.is_empty() {
                return Err(Error::Unsupported {
                    definition: definition.to_owned(),
                    field: field.to_owned(),
                    what: "inline object schemas with properties are not supported in swagger input; use a $ref".into(),
                });
            }
            match &schema.additional_properties {
                Some(AdditionalProperties::Schema(v)) => Ty::Map(Box::new(field_type(
                    spec,
                    definition,
                    &format!("{field}{{}}"),
                    v,
                )?)),
                Some(AdditionalProperties::Bool(true)) => Ty::Map(Box::new(Ty::Json)),
                _ => Ty::Json,
            }
        }
        Some(other) => {
            return Err(Error::Unsupported {
                definition: definition.to_owned(),
                field: field.to_owned(),
                what: format!("unknown schema type `{other}`"),
            })
        }
    };
    Ok(ty)
}

/// Inline `date-time` and int-or-string use the runtime types through their definitions; a spec
/// that lacks those definitions cannot say what they are.
fn require_def(spec: &Swagger, definition: &str, field: &str, ty: Ty) -> Result<Ty, Error> {
    if let Ty::Named(n) = &ty {
        if !spec.definitions.contains_key(n) && runtime_path(n).is_none() {
            return Err(Error::DanglingRef {
                definition: definition.into(),
                field: field.into(),
                target: n.clone(),
            });
        }
    }
    Ok(ty)
}

/// The `spec` and `status` of Kubernetes' own kinds are Go structs held by value, which Go
/// encodes even when empty (`"status": {}`); CRD kinds are unstructured in Go and keep what
/// they were given.
fn mark_by_value_fields(types: &mut BTreeMap<String, TypeDef>, groups: &BTreeMap<&str, &str>) {
    let structs: BTreeSet<String> = types
        .iter()
        .filter(|(_, t)| matches!(t.kind, TypeKind::Struct(_)))
        .map(|(n, _)| n.clone())
        .collect();
    for (name, t) in types.iter_mut() {
        let TypeKind::Struct(s) = &mut t.kind else {
            continue;
        };
        let package = split_name(name).0;
        if s.gvk.is_none() || crd_module(package, groups).is_some() {
            continue;
        }
        for f in &mut s.fields {
            let by_value = matches!(f.json_name.as_str(), "spec" | "status")
                && matches!(&f.ty, Ty::Named(n) if structs.contains(n));
            if by_value && !f.required {
                f.always_written = true;
            }
        }
    }
}

/// Kinds with a fixed GVK that a field of another struct holds (a `StatefulSet`'s
/// `volumeClaimTemplates`) record whether `apiVersion`/`kind` were given, as Go writes them
/// there only when set.
fn mark_embedded_kinds(types: &mut BTreeMap<String, TypeDef>) {
    let embedded: BTreeSet<String> = types
        .values()
        .filter_map(|t| match &t.kind {
            // A `FooList`'s items are not embedded objects: `List<Foo>` writes them whole.
            TypeKind::Struct(s) => {
                let list = s.gvk.is_some() && t.rust_name.ends_with("List");
                Some(
                    s.fields
                        .iter()
                        .filter(move |f| !(list && f.json_name == "items"))
                        .filter_map(|f| f.ty.named()),
                )
            }
            _ => None,
        })
        .flatten()
        .map(str::to_owned)
        .collect();
    for (name, t) in types.iter_mut() {
        let TypeKind::Struct(s) = &mut t.kind else {
            continue;
        };
        if s.gvk.is_some() && embedded.contains(name) {
            let taken: BTreeSet<&str> = s.fields.iter().map(|f| f.rust_name.as_str()).collect();
            let field = naming::unique("type_meta".to_owned(), |c| {
                taken.contains(c) || s.unknown_fields.as_deref() == Some(c)
            });
            s.type_meta_field = Some(field);
        }
    }
}

/// Optional fields holding a generated struct are boxed, as Go's types hold them behind
/// pointers (`*Probe`, `*SecretVolumeSource`): an absent one then costs 8 bytes instead of the
/// whole struct, which matters most where many optional structs sit side by side (a
/// `Container` with its probes and security context, a `Volume` with its thirty sources).
/// `spec` and `status` stay inline: Go holds those by value, and they are nearly always set.
fn box_optional_structs(types: &mut BTreeMap<String, TypeDef>) {
    let structs: BTreeSet<String> = types
        .iter()
        .filter(|(_, t)| matches!(t.kind, TypeKind::Struct(_)))
        .map(|(n, _)| n.clone())
        .collect();
    for t in types.values_mut() {
        let TypeKind::Struct(s) = &mut t.kind else {
            continue;
        };
        for f in &mut s.fields {
            let is_struct = matches!(&f.ty, Ty::Named(n) if structs.contains(n));
            if is_struct && !f.required && !matches!(f.json_name.as_str(), "spec" | "status") {
                f.boxed = true;
            }
        }
    }
}

/// Box fields that contain their own struct without an indirection (`JSONSchemaProps.not`),
/// which would otherwise make an infinitely sized type.
fn box_recursive_fields(types: &mut BTreeMap<String, TypeDef>) {
    let direct: BTreeMap<String, Vec<String>> = types
        .iter()
        .filter_map(|(n, t)| match &t.kind {
            TypeKind::Struct(s) => Some((
                n.clone(),
                s.fields
                    .iter()
                    .filter_map(|f| match &f.ty {
                        Ty::Named(x) => Some(x.clone()),
                        _ => None,
                    })
                    .collect(),
            )),
            _ => None,
        })
        .collect();
    let reaches = |from: &str, to: &str| -> bool {
        let mut stack = vec![from.to_owned()];
        let mut seen = BTreeSet::new();
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if seen.insert(n.clone()) {
                stack.extend(direct.get(&n).into_iter().flatten().cloned());
            }
        }
        false
    };
    let mut to_box = Vec::new();
    for (name, targets) in &direct {
        for (i, target) in targets.iter().enumerate() {
            if reaches(target, name) {
                to_box.push((name.clone(), i, target.clone()));
            }
        }
    }
    for (name, _, target) in to_box {
        if let Some(TypeDef {
            kind: TypeKind::Struct(s),
            ..
        }) = types.get_mut(&name)
        {
            for f in &mut s.fields {
                if f.ty == Ty::Named(target.clone()) {
                    f.boxed = true;
                }
            }
        }
    }
}
