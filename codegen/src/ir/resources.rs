//! Paths -> resources: which kinds are served where, namespaced or not, with exactly the verbs
//! and subresources the spec declares through `x-kubernetes-action`.

use super::{Connect, Gvk, ResourceImpl, Subresource, Verb};
use crate::spec::{Gvk as SpecGvk, Parameter, PathItem, Swagger};
use crate::Error;
use std::collections::{BTreeMap, BTreeSet};

/// One parsed path template.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct ParsedPath {
    pub group: String,
    pub version: String,
    pub namespaced: bool,
    pub plural: String,
    pub named: bool,
    pub subresource: Option<String>,
    pub legacy_watch: bool,
}

/// Parse `/api/v1/namespaces/{namespace}/pods/{name}/status` and friends. Returns `None` for
/// paths that are not resource paths (`/version`, `/apis/apps/`, `/api/v1/`).
pub(super) fn parse_path(path: &str) -> Option<ParsedPath> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest) = match segs.as_slice() {
        ["api", version, rest @ ..] => (String::new(), (*version).to_owned(), rest),
        ["apis", group, version, rest @ ..] => ((*group).to_owned(), (*version).to_owned(), rest),
        _ => return None,
    };
    let (legacy_watch, rest) = match rest {
        ["watch", rest @ ..] => (true, rest),
        _ => (false, rest),
    };
    let (namespaced, rest) = match rest {
        ["namespaces", "{namespace}", rest @ ..] if !rest.is_empty() => (true, rest),
        _ => (false, rest),
    };
    let (plural, rest) = rest.split_first()?;
    if plural.is_empty() || plural.starts_with('{') {
        return None;
    }
    let (named, subresource) = match rest {
        [] => (false, None),
        ["{name}"] => (true, None),
        ["{name}", sub @ ..] => (true, Some(sub.join("/"))),
        _ => return None,
    };
    Some(ParsedPath {
        group,
        version,
        namespaced,
        plural: (*plural).to_owned(),
        named,
        subresource,
        legacy_watch,
    })
}

pub(super) fn verb(action: &str) -> Option<Verb> {
    Some(match action {
        "get" => Verb::Get,
        "list" => Verb::List,
        "watch" | "watchlist" => Verb::Watch,
        "post" => Verb::Create,
        "put" => Verb::Update,
        "patch" => Verb::Patch,
        "delete" => Verb::Delete,
        "deletecollection" => Verb::DeleteCollection,
        "connect" => Verb::Connect,
        _ => return None,
    })
}

fn missing_kind(path: &str, method: &str, g: &SpecGvk) -> Error {
    Error::KindWithoutDefinition {
        path: path.to_owned(),
        method: method.to_owned(),
        group: g.group.clone(),
        version: g.version.clone(),
        kind: g.kind.clone(),
    }
}

/// Resources found in the paths, keyed by the spec name of their kind's definition.
pub(super) fn collect(spec: &Swagger) -> Result<BTreeMap<String, ResourceImpl>, Error> {
    let mut by_gvk: BTreeMap<(String, String, String), Vec<&str>> = BTreeMap::new();
    for (name, d) in &spec.definitions {
        for g in &d.gvk {
            by_gvk
                .entry((g.group.clone(), g.version.clone(), g.kind.clone()))
                .or_default()
                .push(name);
        }
    }
    let def_of = |g: &SpecGvk| -> Option<&str> {
        match by_gvk
            .get(&(g.group.clone(), g.version.clone(), g.kind.clone()))?
            .as_slice()
        {
            [one] => Some(*one),
            _ => None,
        }
    };

    // (group, version, plural) -> resource under construction
    let mut found: BTreeMap<(String, String, String), ResourceImpl> = BTreeMap::new();
    let mut defs: BTreeMap<(String, String, String), String> = BTreeMap::new();
    // First pass: main resources (no subresource) fix the kind of each plural.
    for (path, item) in &spec.paths {
        let Some(p) = parse_path(path) else { continue };
        if p.subresource.is_some() {
            continue;
        }
        for (method, op) in item.operations() {
            let Some(v) = op.action.as_deref().and_then(verb) else {
                continue;
            };
            let Some(g) = &op.gvk else { continue };
            let def = def_of(g).ok_or_else(|| missing_kind(path, method, g))?;
            let key = (p.group.clone(), p.version.clone(), p.plural.clone());
            defs.entry(key.clone()).or_insert_with(|| def.to_owned());
            let r = found.entry(key).or_insert_with(|| ResourceImpl {
                gvk: Gvk {
                    group: g.group.clone(),
                    version: g.version.clone(),
                    kind: g.kind.clone(),
                },
                plural: p.plural.clone(),
                namespaced: false,
                verbs: BTreeSet::new(),
                subresources: BTreeMap::new(),
                short_names: Vec::new(),
            });
            r.namespaced |= p.namespaced;
            if !(p.legacy_watch && v != Verb::Watch) {
                r.verbs.insert(v);
            }
        }
    }
    // Second pass: subresources attach to the resource of their plural.
    for (path, item) in &spec.paths {
        let Some(p) = parse_path(path) else { continue };
        let Some(sub) = &p.subresource else { continue };
        let key = (p.group.clone(), p.version.clone(), p.plural.clone());
        let Some(r) = found.get_mut(&key) else {
            continue;
        };
        for (method, op) in item.operations() {
            let Some(v) = op.action.as_deref().and_then(verb) else {
                continue;
            };
            let (body, body_type) = match &op.gvk {
                Some(g) if v != Verb::Connect => {
                    let def = def_of(g).ok_or_else(|| missing_kind(path, method, g))?;
                    (
                        Some(Gvk {
                            group: g.group.clone(),
                            version: g.version.clone(),
                            kind: g.kind.clone(),
                        }),
                        Some(def.to_owned()),
                    )
                }
                _ => (None, None),
            };
            let s = r
                .subresources
                .entry(sub.clone())
                .or_insert_with(|| Subresource {
                    name: sub.clone(),
                    verbs: BTreeSet::new(),
                    body: body.clone(),
                    body_type: body_type.clone(),
                    connect: None,
                });
            s.verbs.insert(v);
            if s.body.is_none() {
                s.body = body;
                s.body_type = body_type;
            }
            if v == Verb::Connect {
                let c = s.connect.get_or_insert_with(Connect::default);
                if c.options_kind.is_none() {
                    c.options_kind = op.gvk.as_ref().map(|g| g.kind.clone());
                }
                c.params.extend(query_params(spec, item, &op.parameters));
            }
        }
    }
    let mut out = BTreeMap::new();
    for (key, mut r) in found {
        if let Some(def) = defs.remove(&key) {
            r.short_names = spec
                .definitions
                .get(&def)
                .and_then(|d| d.extra.get(crate::spec::SHORT_NAMES_EXTENSION))
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            out.insert(def, r);
        }
    }
    Ok(out)
}

/// Names of the query parameters of an operation: its own and its path item's, with
/// `#/parameters/...` references resolved.
fn query_params<'a>(
    spec: &'a Swagger,
    item: &'a PathItem,
    own: &'a [Parameter],
) -> impl Iterator<Item = String> + 'a {
    item.parameters
        .iter()
        .chain(own)
        .filter_map(move |p| match p.ref_.as_deref() {
            Some(r) => r
                .strip_prefix("#/parameters/")
                .or_else(|| r.strip_prefix("#/components/parameters/"))
                .and_then(|name| spec.parameters.get(name)),
            None => Some(p),
        })
        .filter(|p| p.in_.as_deref() == Some("query"))
        .filter_map(|p| p.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_paths() {
        let p = parse_path("/api/v1/namespaces/{namespace}/pods/{name}/status").unwrap();
        assert_eq!(
            (
                p.group.as_str(),
                p.version.as_str(),
                p.namespaced,
                p.plural.as_str(),
                p.named
            ),
            ("", "v1", true, "pods", true)
        );
        assert_eq!(p.subresource.as_deref(), Some("status"));
        let p = parse_path("/api/v1/namespaces/{name}/finalize").unwrap();
        assert_eq!(
            (p.namespaced, p.plural.as_str(), p.subresource.as_deref()),
            (false, "namespaces", Some("finalize"))
        );
        let p = parse_path("/apis/apps/v1/watch/namespaces/{namespace}/deployments").unwrap();
        assert!(p.legacy_watch && p.namespaced && !p.named);
        let p = parse_path("/api/v1/nodes/{name}/proxy/{path}").unwrap();
        assert_eq!(p.subresource.as_deref(), Some("proxy/{path}"));
        assert!(parse_path("/apis/apps/").is_none());
        assert!(parse_path("/version/").is_none());
        assert!(parse_path("/api/v1/").is_none());
    }
}
