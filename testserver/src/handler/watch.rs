//! Watch: newline-delimited JSON events from a resourceVersion, with bookmarks, timeouts,
//! initial events and 410 Gone for history that is no longer retained.

use super::{Body, Req, State, Target};
use crate::selector::FieldSelector;
use crate::status::ApiError;
use crate::store::{Event, EventType, Stored};
use bytes::{BufMut, Bytes, BytesMut};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::StreamBody;
use hyper::body::Frame;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::Response;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

/// One encoded event: a JSON line, or (protobuf watches) a length-prefixed `WatchEvent` whose
/// object is the enveloped protobuf of the JSON `object`.
fn event(protobuf: bool, kind: &str, object: &[u8]) -> Bytes {
    if protobuf {
        if let Some(pb) = crate::protobuf::json_to_body(object) {
            return Bytes::from(kubeclient_runtime::proto::envelope::encode_watch_event(
                kind, &pb,
            ));
        }
    }
    line(kind, object)
}

/// One JSON event line.
fn line(kind: &str, object: &[u8]) -> Bytes {
    let mut b = BytesMut::with_capacity(object.len() + 32);
    b.put_slice(b"{\"type\":\"");
    b.put_slice(kind.as_bytes());
    b.put_slice(b"\",\"object\":");
    b.put_slice(object);
    b.put_slice(b"}\n");
    b.freeze()
}

fn error_line(protobuf: bool, e: &ApiError) -> Bytes {
    event(
        protobuf,
        "ERROR",
        &serde_json::to_vec(&e.to_status()).unwrap_or_default(),
    )
}

/// What one watch selects.
struct Filter {
    key: crate::resources::StorageKey,
    namespace: Option<String>,
    labels: crate::selector::LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    fn matches(&self, v: &Value) -> bool {
        self.labels.matches(v) && self.fields.matches(v)
    }
    /// The event this watch sees for a store event, if any: a change that moves an object
    /// into the selection is ADDED, one that moves it out is DELETED.
    fn view<'a>(&self, e: &'a Event) -> Option<(EventType, &'a Arc<Stored>)> {
        if e.key != self.key || self.namespace.as_ref().is_some_and(|ns| ns != &e.namespace) {
            return None;
        }
        let now = self.matches(&e.object.value);
        let before = e.prev.as_ref().is_some_and(|p| self.matches(&p.value));
        match e.kind {
            EventType::Deleted => now.then_some((EventType::Deleted, &e.object)),
            EventType::Added => now.then_some((EventType::Added, &e.object)),
            EventType::Modified => match (before, now) {
                (true, true) => Some((EventType::Modified, &e.object)),
                (false, true) => Some((EventType::Added, &e.object)),
                (true, false) => Some((EventType::Deleted, &e.object)),
                (false, false) => None,
            },
        }
    }
}

/// Start a watch; the response streams until timeout, client disconnect or shutdown.
/// Turns stored objects into watch event objects: the object itself, or (when the client asked
/// for a Table, as `kubectl get -w` does) a one-row Table whose column definitions come with the
/// first event only, as kube-apiserver sends them.
struct Encoder {
    target: Target,
    table: Option<&'static str>,
    include: String,
    headers_sent: bool,
}

impl Encoder {
    fn encode(&mut self, obj: &Stored) -> Bytes {
        let Some(version) = self.table else {
            return super::objects::render(&self.target, obj);
        };
        let meta = json!({"resourceVersion": obj.rv.to_string()});
        let mut table =
            super::table::render(&self.target, version, &[&obj.value], meta, &self.include);
        if std::mem::replace(&mut self.headers_sent, true) {
            table["columnDefinitions"] = json!([]);
        }
        Bytes::from(serde_json::to_vec(&table).unwrap_or_default())
    }
}

pub fn handle(
    state: &Arc<State>,
    t: &Target,
    name: Option<&str>,
    req: &Req,
) -> Result<Response<Body>, ApiError> {
    let q = &req.query;
    let mut fields = q.fields.clone();
    if let Some(n) = name {
        fields = FieldSelector::parse(&format!("metadata.name={n}"))?;
    }
    let filter = Filter {
        key: t.def.storage_key(),
        namespace: t.namespace_given.then(|| t.namespace.clone()),
        labels: q.labels.clone(),
        fields,
    };
    let from = match q.resource_version.as_deref() {
        None | Some("") | Some("0") => None,
        Some(rv) => Some(
            rv.parse::<u64>()
                .map_err(|_| ApiError::bad_request(format!("invalid resourceVersion {rv:?}")))?,
        ),
    };
    let initial_events = q.send_initial_events.unwrap_or(from.is_none());
    let render_av = t.def.api_version();
    let pb = req.protobuf;
    let bookmark = {
        let kind = t.def.kind.clone();
        let av = render_av.clone();
        move |rv: u64, initial_end: bool| {
            let mut meta = json!({"resourceVersion": rv.to_string()});
            if initial_end {
                meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
            }
            event(
                pb,
                "BOOKMARK",
                &serde_json::to_vec(&json!({"kind": kind, "apiVersion": av, "metadata": meta}))
                    .unwrap_or_default(),
            )
        }
    };

    let mut encoder = Encoder {
        target: t.clone(),
        table: req.table,
        include: q
            .include_object
            .clone()
            .unwrap_or_else(|| "Metadata".into()),
        headers_sent: false,
    };
    let mut first: Vec<Bytes> = Vec::new();
    let (rx, start_rv) = {
        let store = state.store();
        let start_rv = store.current_rv();
        if initial_events {
            for obj in store.list(&filter.key, filter.namespace.as_deref()) {
                if filter.matches(&obj.value) {
                    first.push(event(pb, "ADDED", &encoder.encode(&obj)));
                }
            }
            if q.send_initial_events == Some(true) && q.allow_bookmarks {
                first.push(bookmark(start_rv, true));
            }
            (Some(store.subscribe_live()), start_rv)
        } else {
            let from = from.unwrap_or(start_rv);
            match store.subscribe(&filter.key, from) {
                Ok((replay, rx)) => {
                    for e in &replay {
                        if let Some((kind, obj)) = filter.view(e) {
                            first.push(event(pb, kind.as_str(), &encoder.encode(obj)));
                        }
                    }
                    // A resourceVersion ahead of the store: events up to it are not sent.
                    (Some(rx), start_rv.max(from))
                }
                Err(e) => {
                    first.push(error_line(pb, &e));
                    (None, start_rv)
                }
            }
        }
    };

    let (tx, out) = mpsc::channel::<Bytes>(256);
    let timeout = q.timeout_seconds.map(Duration::from_secs);
    let bookmarks = q.allow_bookmarks.then_some(state.bookmark_interval);
    let mut shutdown = state.shutdown.clone();
    let mut budget = req.cut_watch_after.unwrap_or(usize::MAX);
    tokio::spawn(async move {
        // Cut after zero events: the stream ends at once, as a server closing every watch does.
        if budget == 0 {
            return;
        }
        for b in first {
            if budget == 0 || tx.send(b).await.is_err() {
                return;
            }
            budget -= 1;
        }
        let Some(mut rx) = rx else { return };
        let deadline = timeout.map(|d| tokio::time::Instant::now() + d);
        let mut last_rv = start_rv;
        let mut tick =
            bookmarks.map(|d| tokio::time::interval_at(tokio::time::Instant::now() + d, d));
        loop {
            let sleep_until = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            let next_tick = async {
                match tick.as_mut() {
                    Some(t) => {
                        t.tick().await;
                    }
                    None => std::future::pending().await,
                }
            };
            let out = tokio::select! {
                ev = rx.recv() => match ev {
                    Ok(e) => {
                        if e.rv <= last_rv {
                            continue;
                        }
                        last_rv = e.rv;
                        match filter.view(&e) {
                            Some((kind, obj)) => event(pb, kind.as_str(), &encoder.encode(obj)),
                            None => continue,
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        // This watcher fell behind the retained channel: like a compacted
                        // history, the client must relist.
                        let _ = tx.send(error_line(pb, &ApiError::expired(last_rv, last_rv + 1))).await;
                        return;
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = next_tick => bookmark(last_rv, false),
                _ = sleep_until => return,
                _ = shutdown.changed() => return,
                _ = tx.closed() => return,
            };
            if budget == 0 || tx.send(out).await.is_err() {
                return;
            }
            budget -= 1;
        }
    });

    let stream = futures_util::stream::unfold(out, |mut out| async move {
        out.recv()
            .await
            .map(|b| (Ok::<_, super::BodyError>(Frame::data(b)), out))
    });
    let mut resp = Response::new(UnsyncBoxBody::new(StreamBody::new(stream)));
    let content_type = match req.table {
        _ if pb => HeaderValue::from_static("application/vnd.kubernetes.protobuf;stream=watch"),
        Some(version) => HeaderValue::from_str(&super::table::content_type(version))
            .unwrap_or(HeaderValue::from_static("application/json")),
        None => HeaderValue::from_static("application/json"),
    };
    resp.headers_mut().insert(CONTENT_TYPE, content_type);
    Ok(resp)
}
