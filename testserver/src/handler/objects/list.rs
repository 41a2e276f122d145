//! LIST: which state a list reads (resourceVersion, resourceVersionMatch, continue tokens)
//! and the list body.

use super::{render, table_response};
use crate::handler::{json_response, Body, Req, State, Target};
use crate::objmeta::meta_str;
use crate::status::ApiError;
use crate::store::Stored;
use base64::Engine;
use bytes::{BufMut, Bytes, BytesMut};
use hyper::Response;
use serde_json::{json, Value};
use std::sync::Arc;

/// Where a paginated list continues: the snapshot rv and the last key returned.
pub(super) fn encode_continue(rv: u64, ns: &str, name: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{rv}\n{ns}\n{name}"))
}

pub(super) fn decode_continue(token: &str) -> Result<(u64, String, String), ApiError> {
    // Go's base64.RawURLEncoding is lenient about the unused bits of the last character.
    let lenient = base64::engine::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let raw = lenient
        .decode(token)
        .map_err(|e| {
            let at = match e {
                base64::DecodeError::InvalidByte(at, _) => at,
                _ => token.len(),
            };
            ApiError::bad_request(format!(
                "invalid continue token: continue key is not valid: illegal base64 data at input byte {at}"
            ))
        })?;
    // kube-apiserver's tokens are JSON: what it says of bytes that do not start one.
    let first = raw.first().copied().unwrap_or(0);
    let bad = || {
        let shown = match first {
            b'\'' => "\\'".to_string(),
            0x20..=0x7e => char::from(first).to_string(),
            _ => format!("\\u{first:04x}"),
        };
        ApiError::bad_request(format!(
            "invalid continue token: continue key is not valid: invalid character '{shown}' looking for beginning of value"
        ))
    };
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let mut parts = text.splitn(3, '\n');
    let rv = parts.next().and_then(|r| r.parse().ok()).ok_or_else(bad)?;
    let ns = parts.next().ok_or_else(bad)?.to_string();
    let name = parts.next().ok_or_else(bad)?.to_string();
    Ok((rv, ns, name))
}

/// Which state a list reads, from `resourceVersion`, `resourceVersionMatch` and `continue`,
/// validated as kube-apiserver validates `ListOptions`.
pub(super) fn read_at(
    q: &crate::handler::query::Query,
    after: Option<u64>,
    current: u64,
) -> Result<Option<u64>, ApiError> {
    let rv = q.resource_version.as_deref().filter(|v| !v.is_empty());
    let parse = |v: &str| {
        v.parse::<u64>().map_err(|_| {
            ApiError::bad_request(format!(
                "invalid resource version: resourceVersion: Invalid value: {v:?}: strconv.ParseUint: parsing {v:?}: invalid syntax"
            ))
        })
    };
    if let Some(snapshot) = after {
        if rv.is_some_and(|v| v != "0") {
            return Err(ApiError::invalid_list_options(
                "resourceVersion",
                "specifying resourceVersion is not allowed when using continue",
            ));
        }
        if q.resource_version_match.is_some() {
            return Err(ApiError::invalid_list_options(
                "resourceVersionMatch",
                "resourceVersionMatch is forbidden when continue is provided",
            ));
        }
        return Ok(Some(snapshot));
    }
    let exact = match (q.resource_version_match.as_deref(), rv) {
        (Some(_), None) => {
            return Err(ApiError::invalid_list_options(
                "resourceVersionMatch",
                "resourceVersionMatch is forbidden unless resourceVersion is provided",
            ))
        }
        (Some("Exact"), Some("0")) => {
            return Err(ApiError::invalid_list_options(
                "resourceVersionMatch",
                "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"",
            ))
        }
        (Some("Exact"), Some(_)) => true,
        (Some("NotOlderThan"), _) => false,
        (Some(other), _) => {
            return Err(ApiError::invalid_options(
                "ListOptions",
                &[(
                    "FieldValueNotSupported",
                    "resourceVersionMatch",
                    format!("Unsupported value: {other:?}: supported values: \"Exact\", \"NotOlderThan\", \"\""),
                )],
            ))
        }
        // Legacy: a non-zero resourceVersion with a limit reads that exact version.
        (None, Some(v)) => v != "0" && q.limit > 0,
        (None, None) => false,
    };
    let Some(v) = rv else { return Ok(None) };
    let wanted = parse(v)?;
    if wanted > current {
        // The store has no lag to wait out: a version it has not reached is in the future.
        return Err(ApiError::too_large_resource_version(wanted, current));
    }
    Ok(exact.then_some(wanted))
}

/// LIST: selectors, limit/continue, resourceVersion/resourceVersionMatch. Pages after the
/// first, and `Exact` reads, come from the state at their resourceVersion (rebuilt from the
/// retained history; 410 once it is compacted away), as the real server reads them from etcd.
pub fn list(state: &State, t: &Target, req: &Req) -> Result<Response<Body>, ApiError> {
    let q = &req.query;
    let ns = t.namespace_given.then_some(t.namespace.as_str());
    let after = q
        .continue_token
        .as_deref()
        .map(decode_continue)
        .transpose()?;
    let (objects, list_rv) = {
        let store = state.store();
        let current = store.current_rv();
        match read_at(q, after.as_ref().map(|a| a.0), current)? {
            None => (store.list(&t.def.storage_key(), ns), current),
            Some(at) => {
                let objects = store.list_at(&t.def.storage_key(), ns, at).map_err(|e| {
                    if after.is_some() {
                        ApiError::continue_expired()
                    } else {
                        e
                    }
                })?;
                (objects, at)
            }
        }
    };
    let selected = objects.into_iter().filter(|o| {
        let key_ok = after.as_ref().is_none_or(|(_, ans, aname)| {
            let ons = meta_str(&o.value, "namespace").unwrap_or("");
            let oname = meta_str(&o.value, "name").unwrap_or("");
            (ons, oname) > (ans.as_str(), aname.as_str())
        });
        key_ok && q.labels.matches(&o.value) && q.fields.matches(&o.value)
    });
    let mut items: Vec<Arc<Stored>> = selected.collect();
    let mut cont = None;
    if q.limit > 0 && items.len() > q.limit {
        let remaining = items.len() - q.limit;
        items.truncate(q.limit);
        if let Some(last) = items.last() {
            let token = encode_continue(
                list_rv,
                meta_str(&last.value, "namespace").unwrap_or(""),
                meta_str(&last.value, "name").unwrap_or(""),
            );
            cont = Some((token, remaining));
        }
    }
    let mut meta = json!({"resourceVersion": list_rv.to_string()});
    if let (Some((token, remaining)), Some(m)) = (&cont, meta.as_object_mut()) {
        m.insert("continue".into(), json!(token));
        // The count is only known without selectors (etcd counts keys, not matches).
        if q.labels.is_empty() && q.fields.is_empty() {
            m.insert("remainingItemCount".into(), json!(remaining));
        }
    }
    if let (None, true, Some(m)) = (&cont, t.def.crd.is_some(), meta.as_object_mut()) {
        // Unstructured list metadata keeps the empty continue the storage sets.
        m.insert("continue".into(), json!(""));
    }
    if let Some(version) = req.table {
        let values: Vec<&Value> = items.iter().map(|i| &i.value).collect();
        return Ok(table_response(t, req, version, &values, meta));
    }
    if req.protobuf && t.def.crd.is_none() {
        if let Some(resp) = protobuf_list(t, &meta, &items) {
            return Ok(resp);
        }
    }
    Ok(json_response(200, list_body(t, &meta, &items)))
}

/// A protobuf list answer written from the items' kept messages; `None` when an item has no
/// protobuf form, or is stored in another version than the one listed (the JSON answer is then
/// converted whole, its items read as the listed version's type, or sent as JSON).
fn protobuf_list(t: &Target, meta: &Value, items: &[Arc<Stored>]) -> Option<Response<Body>> {
    let api_version = t.def.api_version();
    let messages = items
        .iter()
        .map(|i| {
            i.stored_as(&api_version)
                .then(|| i.protobuf_message().cloned())
                .flatten()
        })
        .collect::<Option<Vec<Bytes>>>()?;
    let body = crate::protobuf::list_body(&api_version, &t.def.list_kind(), meta, messages).ok()?;
    let mut resp = Response::new(crate::handler::full(body));
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(kubeclient_runtime::proto::CONTENT_TYPE),
    );
    Some(resp)
}

/// A list of `items` with list metadata `meta`, copied from the stored bytes. Items of
/// built-in kinds carry no apiVersion and kind (Go's typed lists hold items with an empty
/// TypeMeta); custom resources' items are unstructured and keep theirs.
pub(super) fn list_body(t: &Target, meta: &Value, items: &[Arc<Stored>]) -> Bytes {
    let head = format!(
        "{{\"kind\":\"{}\",\"apiVersion\":\"{}\",\"metadata\":{},\"items\":[",
        t.def.list_kind(),
        t.def.api_version(),
        meta
    );
    let size: usize = items.iter().map(|i| i.bytes.len() + 1).sum();
    let mut buf = BytesMut::with_capacity(head.len() + size + 2);
    buf.put_slice(head.as_bytes());
    let keep_type = t.def.crd.is_some();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            buf.put_u8(b',');
        }
        if keep_type {
            buf.put_slice(&render(t, item));
        } else {
            item.write_untyped(&mut buf);
        }
    }
    buf.put_slice(b"]}");
    buf.freeze()
}
