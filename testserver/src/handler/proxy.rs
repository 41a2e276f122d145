//! `pods/{name}/proxy/...` and `services/{name}/proxy/...`: plain HTTP forwarded to a port of a
//! pod through the configured [`crate::kubelet::Kubelet`] (the local kubelet connects to the
//! host's port), as kube-apiserver forwards to a pod's IP. A service picks a pod its selector
//! matches and the port its `targetPort` names. Nodes have no kubelet API here.

use super::{full, Body, BodyError, Req, State, Target};
use crate::kubelet::Kubelet;
use crate::resources::StorageKey;
use crate::status::ApiError;
use http_body_util::BodyExt;
use hyper::header::{HeaderMap, HeaderName, HeaderValue, HOST};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::sync::Arc;

/// What a proxied request carries besides method, query and body.
#[derive(Debug)]
pub struct Forward {
    /// The path after `proxy` (leading `/`, percent-encoded as sent).
    pub path: String,
    /// The client's headers.
    pub headers: HeaderMap,
}

/// Headers that describe one connection, not the message, plus the client's credentials:
/// never forwarded either way.
const NOT_FORWARDED: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "authorization",
    "impersonate-user",
    "impersonate-group",
];

/// `[scheme:]name[:port]`, as the proxy subresources spell their target.
#[derive(Debug, PartialEq, Eq)]
struct Address<'a> {
    scheme: &'a str,
    name: &'a str,
    port: &'a str,
}

fn address(raw: &str) -> Address<'_> {
    let parts: Vec<&str> = raw.splitn(3, ':').collect();
    match parts.as_slice() {
        [scheme @ ("http" | "https"), name, port] => Address { scheme, name, port },
        [scheme @ ("http" | "https"), name] if !name.is_empty() => Address {
            scheme,
            name,
            port: "",
        },
        [name, port] => Address {
            scheme: "",
            name,
            port,
        },
        _ => Address {
            scheme: "",
            name: raw,
            port: "",
        },
    }
}

/// Forward `req` to the pod or service `raw_name` names.
pub async fn handle(
    state: &Arc<State>,
    t: &Target,
    raw_name: &str,
    req: Req,
) -> Result<Response<Body>, ApiError> {
    let addr = address(raw_name);
    if addr.scheme == "https" {
        return Err(ApiError::bad_request(format!(
            "{raw_name}: this test server proxies plain HTTP only"
        )));
    }
    let (pod, port) = match t.def.plural.as_str() {
        "pods" => {
            let pod = stored(state, &t.def.storage_key(), t, addr.name)?;
            let port = pod_port(&pod, addr.port, addr.name)?;
            (pod, port)
        }
        "services" => {
            let service = stored(state, &t.def.storage_key(), t, addr.name)?;
            service_backend(state, t, &service, addr.name, addr.port)?
        }
        other => {
            stored(state, &t.def.storage_key(), t, addr.name)?;
            return Err(ApiError::bad_request(format!(
                "{other}/proxy: this test server has no kubelet API to proxy to"
            )));
        }
    };
    let Some(kubelet) = state.kubelet.clone() else {
        return Err(super::connect::no_host(
            &pod,
            pod["metadata"]["name"].as_str().unwrap_or(addr.name),
        ));
    };
    let pod_name = pod["metadata"]["name"].as_str().unwrap_or_default();
    forward(kubelet, &t.namespace, pod_name, port, req).await
}

fn stored(state: &State, key: &StorageKey, t: &Target, name: &str) -> Result<Value, ApiError> {
    state
        .store()
        .get(key, &t.namespace, name)
        .map(|s| s.value.clone())
        .ok_or_else(|| ApiError::not_found(&t.err(name)))
}

/// The pod's port `port` names: a number, a container port's name, or (empty) 80.
fn pod_port(pod: &Value, port: &str, name: &str) -> Result<u16, ApiError> {
    if port.is_empty() {
        return Ok(80);
    }
    if let Ok(n) = port.parse::<u16>() {
        return Ok(n);
    }
    ["containers", "initContainers"]
        .iter()
        .flat_map(|list| pod["spec"][list].as_array().into_iter().flatten())
        .flat_map(|c| c["ports"].as_array().into_iter().flatten())
        .find(|p| p["name"].as_str() == Some(port))
        .and_then(|p| p["containerPort"].as_u64())
        .and_then(|n| u16::try_from(n).ok())
        .ok_or_else(|| {
            ApiError::bad_request(format!("pod {name} has no container port named {port:?}"))
        })
}

/// A pod the service selects and the pod port its `targetPort` leads to.
fn service_backend(
    state: &State,
    t: &Target,
    service: &Value,
    name: &str,
    port: &str,
) -> Result<(Value, u16), ApiError> {
    let unavailable =
        || ApiError::service_unavailable(format!("no endpoints available for service \"{name}\""));
    let ports = service["spec"]["ports"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let chosen = ports
        .iter()
        .find(|p| {
            port.is_empty()
                || p["name"].as_str() == Some(port)
                || p["port"].as_u64().is_some_and(|n| n.to_string() == port)
        })
        .ok_or_else(unavailable)?;
    let selector = service["spec"]["selector"]
        .as_object()
        .filter(|s| !s.is_empty())
        .ok_or_else(unavailable)?;
    let registry = state.registry();
    let pods_key = registry
        .get("", "v1", "pods")
        .map(|d| d.storage_key())
        .ok_or_else(unavailable)?;
    drop(registry);
    let mut pods = state.store().list(&pods_key, Some(&t.namespace));
    pods.sort_by(|a, b| {
        a.value["metadata"]["name"]
            .as_str()
            .cmp(&b.value["metadata"]["name"].as_str())
    });
    let pod = pods
        .iter()
        .map(|p| &p.value)
        .find(|p| {
            let labels = &p["metadata"]["labels"];
            selector.iter().all(|(k, v)| labels[k] == *v)
                && !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
        })
        .cloned()
        .ok_or_else(unavailable)?;
    let target = &chosen["targetPort"];
    let pod_name = pod["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let port = match (target.as_u64(), target.as_str()) {
        (Some(n), _) => u16::try_from(n).map_err(|_| unavailable())?,
        (None, Some(named)) => pod_port(&pod, named, &pod_name)?,
        (None, None) => chosen["port"]
            .as_u64()
            .and_then(|n| u16::try_from(n).ok())
            .ok_or_else(unavailable)?,
    };
    Ok((pod, port))
}

/// Send `req` to `port` of the pod over one HTTP/1.1 connection and stream the answer back.
async fn forward(
    kubelet: Arc<dyn Kubelet>,
    namespace: &str,
    pod: &str,
    port: u16,
    req: Req,
) -> Result<Response<Body>, ApiError> {
    let reach = |e: &dyn std::fmt::Display| {
        ApiError::service_unavailable(format!("error trying to reach service: {e}"))
    };
    let Some(fwd) = req.proxy else {
        return Err(ApiError::internal("proxy request without a path"));
    };
    let conn = kubelet
        .port_forward(namespace, pod, port)
        .await
        .map_err(|e| reach(&e))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(conn))
        .await
        .map_err(|e| reach(&e))?;
    tokio::spawn(connection);
    let uri = match req.connect.raw_query.as_str() {
        "" => fwd.path,
        q => format!("{}?{q}", fwd.path),
    };
    let mut out = Request::builder()
        .method(req.method)
        .uri(&uri)
        .body(full(req.body))
        .map_err(|e| ApiError::bad_request(format!("proxy path {uri:?}: {e}")))?;
    copy_headers(&fwd.headers, out.headers_mut());
    if let Ok(host) = HeaderValue::from_str(&format!("{pod}:{port}")) {
        out.headers_mut().insert(HOST, host);
    }
    let answer = sender.send_request(out).await.map_err(|e| reach(&e))?;
    let (parts, body) = answer.into_parts();
    let mut resp = Response::new(body.map_err(|e| Box::new(e) as BodyError).boxed_unsync());
    *resp.status_mut() = parts.status;
    copy_headers(&parts.headers, resp.headers_mut());
    Ok(resp)
}

fn copy_headers(from: &HeaderMap, to: &mut HeaderMap) {
    // Headers the `Connection` header names are hop-by-hop too.
    let named: Vec<String> = from
        .get_all(hyper::header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    for (name, value) in from {
        let n = name.as_str();
        if NOT_FORWARDED.contains(&n) || named.iter().any(|c| c == n) {
            continue;
        }
        to.append(HeaderName::clone(name), value.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let a = |scheme, name, port| Address { scheme, name, port };
        assert_eq!(address("web"), a("", "web", ""));
        assert_eq!(address("web:8080"), a("", "web", "8080"));
        assert_eq!(address("web:http-alt"), a("", "web", "http-alt"));
        assert_eq!(address("https:web:443"), a("https", "web", "443"));
        assert_eq!(address("http:web"), a("http", "web", ""));
    }
}
