//! Turning a request path into what it addresses.

use crate::resources::Registry;

/// What a path addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/version`.
    Version,
    /// `/healthz`, `/readyz`, `/livez` and their sub-checks.
    Health,
    /// `/api`.
    CoreVersions,
    /// `/apis`.
    Groups,
    /// `/apis/{group}`.
    Group(String),
    /// `/api/v1`, `/apis/{group}/{version}`.
    ResourceList {
        /// Group.
        group: String,
        /// Version.
        version: String,
    },
    /// A resource, object or subresource.
    Resource(ResourcePath),
    /// `/metrics`.
    Metrics,
    /// `/openapi/v2`.
    OpenApiV2,
    /// `/openapi/v3`.
    OpenApiV3Root,
    /// `/openapi/v3/{api/v1 | apis/g/v}`.
    OpenApiV3(String),
    /// Nothing served here.
    NotFound,
}

/// A path under a group/version that names a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePath {
    /// Group.
    pub group: String,
    /// Version.
    pub version: String,
    /// Namespace from the path.
    pub namespace: Option<String>,
    /// Plural.
    pub plural: String,
    /// Object name.
    pub name: Option<String>,
    /// Subresource.
    pub sub: Option<String>,
    /// Old-style `/watch/` path prefix.
    pub legacy_watch: bool,
    /// For `{name}/proxy/...`: the path after `proxy` (with its leading `/`, encoded as sent).
    pub proxy_path: Option<String>,
}

/// Parse `path` against the resources `registry` serves.
pub fn parse(path: &str, registry: &Registry) -> Route {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let route = route(&segs, registry);
    match route {
        Route::Resource(mut p) if p.proxy_path.is_some() && path.ends_with('/') => {
            p.proxy_path = p.proxy_path.map(|mut rest| {
                if !rest.ends_with('/') {
                    rest.push('/');
                }
                rest
            });
            Route::Resource(p)
        }
        other => other,
    }
}

fn route(segs: &[&str], registry: &Registry) -> Route {
    match segs {
        ["version"] => Route::Version,
        ["metrics"] => Route::Metrics,
        [h, ..] if matches!(*h, "healthz" | "readyz" | "livez") => Route::Health,
        ["openapi", "v2"] => Route::OpenApiV2,
        ["openapi", "v3"] => Route::OpenApiV3Root,
        ["openapi", "v3", rest @ ..] => Route::OpenApiV3(rest.join("/")),
        ["api"] => Route::CoreVersions,
        ["api", v] => Route::ResourceList {
            group: String::new(),
            version: (*v).into(),
        },
        ["api", v, rest @ ..] => resource("", v, rest, registry),
        ["apis"] => Route::Groups,
        ["apis", g] => Route::Group((*g).into()),
        ["apis", g, v] => Route::ResourceList {
            group: (*g).into(),
            version: (*v).into(),
        },
        ["apis", g, v, rest @ ..] => resource(g, v, rest, registry),
        _ => Route::NotFound,
    }
}

fn resource(group: &str, version: &str, rest: &[&str], registry: &Registry) -> Route {
    let (legacy_watch, rest) = match rest {
        ["watch", tail @ ..] => (true, tail),
        _ => (false, rest),
    };
    let own = |s: Option<&&str>| s.map(|s| s.to_string());
    // `{name}/proxy/{path...}`: any depth; otherwise at most `{name}/{sub}`.
    let fits = |tail: &[&str]| tail.len() <= 2 || tail.get(1) == Some(&"proxy");
    let proxy_path = |tail: &[&str]| {
        (tail.get(1) == Some(&"proxy"))
            .then(|| format!("/{}", tail.get(2..).unwrap_or_default().join("/")))
    };
    // `namespaces/{ns}/{plural}` when `{plural}` is a namespaced resource; otherwise
    // `namespaces/{name}/{sub}` addresses a namespace object.
    let namespaced = match rest {
        ["namespaces", ns, plural, tail @ ..]
            if fits(tail)
                && registry
                    .get(group, version, plural)
                    .is_some_and(|d| d.namespaced) =>
        {
            Some(ResourcePath {
                group: group.into(),
                version: version.into(),
                namespace: Some((*ns).into()),
                plural: (*plural).into(),
                name: own(tail.first()),
                sub: own(tail.get(1)),
                legacy_watch,
                proxy_path: proxy_path(tail),
            })
        }
        _ => None,
    };
    if let Some(p) = namespaced {
        return Route::Resource(p);
    }
    match rest {
        [plural, tail @ ..] if fits(tail) => Route::Resource(ResourcePath {
            group: group.into(),
            version: version.into(),
            namespace: None,
            plural: (*plural).into(),
            name: own(tail.first()),
            sub: own(tail.get(1)),
            legacy_watch,
            proxy_path: proxy_path(tail),
        }),
        _ => Route::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::BUILTIN_RESOURCES;

    #[test]
    fn paths() {
        let r = Registry::from_table(BUILTIN_RESOURCES);
        let Route::Resource(p) = parse("/api/v1/namespaces/default/pods/web/status", &r) else {
            panic!("route")
        };
        assert_eq!(
            (
                p.namespace.as_deref(),
                p.plural.as_str(),
                p.name.as_deref(),
                p.sub.as_deref()
            ),
            (Some("default"), "pods", Some("web"), Some("status"))
        );
        let Route::Resource(p) = parse("/api/v1/namespaces/kube-system/status", &r) else {
            panic!("route")
        };
        assert_eq!(
            (
                p.namespace,
                p.plural.as_str(),
                p.name.as_deref(),
                p.sub.as_deref()
            ),
            (None, "namespaces", Some("kube-system"), Some("status"))
        );
        let Route::Resource(p) = parse("/apis/apps/v1/watch/namespaces/x/deployments", &r) else {
            panic!("route")
        };
        assert!(p.legacy_watch && p.plural == "deployments");
        assert_eq!(
            parse("/apis/apps/v1", &r),
            Route::ResourceList {
                group: "apps".into(),
                version: "v1".into()
            }
        );
        let Route::Resource(p) = parse("/api/v1/namespaces/x/pods/web:80/proxy/a/b%20c/", &r)
        else {
            panic!("route")
        };
        assert_eq!(
            (p.name.as_deref(), p.sub.as_deref(), p.proxy_path.as_deref()),
            (Some("web:80"), Some("proxy"), Some("/a/b%20c/"))
        );
        let Route::Resource(p) = parse("/api/v1/nodes/n1/proxy", &r) else {
            panic!("route")
        };
        assert_eq!(p.proxy_path.as_deref(), Some("/"));
        assert_eq!(
            parse("/api/v1/namespaces/x/pods/web/log/more", &r),
            Route::NotFound
        );
        assert_eq!(parse("/nope", &r), Route::NotFound);
        assert_eq!(parse("/openapi/v2", &r), Route::OpenApiV2);
        assert_eq!(
            parse("/openapi/v3/apis/apps/v1", &r),
            Route::OpenApiV3("apis/apps/v1".into())
        );
    }
}
