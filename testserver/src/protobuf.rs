//! Protobuf on the wire: kubectl 1.32+ and client-go send built-in kinds in protobuf (`k8s\0`
//! envelope) and ask for protobuf answers. The server keeps JSON inside, so a body is turned
//! into the JSON of its kind before anything else sees it, and an answer is turned into
//! protobuf last, both through `kubeclient::kinds`.

use crate::handler::accept::MediaRange;
use kubeclient_runtime::proto::CONTENT_TYPE;

/// The JSON bytes of a protobuf body, or why it cannot be read (`None`: not a kind with a
/// protobuf form, answered 415).
pub fn body_to_json(body: &[u8]) -> Option<Result<Vec<u8>, String>> {
    kubeclient::kinds::protobuf_to_json(body).map(|r| r.map_err(|e| e.to_string()))
}

/// The protobuf body of a JSON answer, when its kind has a protobuf form.
pub fn json_to_body(json: &[u8]) -> Option<Vec<u8>> {
    kubeclient::kinds::json_to_protobuf(json).and_then(Result::ok)
}

/// The format an answer of a resource endpoint takes, negotiated from `Accept` as
/// kube-apiserver does (`negotiation.NegotiateMediaTypeOptions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (also a Table when asked for one).
    Json,
    /// `application/vnd.kubernetes.protobuf` (watches: `;stream=watch`).
    Protobuf,
}

/// The first `Accept` entry (by q, then order) the endpoint can serve: protobuf only for
/// built-in kinds and never as a transformation (`as=Table` is JSON-only, as upstream), JSON
/// for the JSON ranges. `Err` when protobuf was asked for and nothing else fits: the 406
/// kube-apiserver answers for custom resources asked for protobuf alone. Other unservable
/// headers get JSON, as this server always answered them.
pub fn negotiate(accept: &[MediaRange], builtin: bool) -> Result<Format, Vec<&'static str>> {
    let mut asked_protobuf = false;
    for range in accept {
        if range.essence == CONTENT_TYPE {
            asked_protobuf = true;
            if builtin && range.param("as").is_none() {
                return Ok(Format::Protobuf);
            }
        } else if range.admits_json() || range.essence == "application/json" {
            return Ok(Format::Json);
        }
    }
    if asked_protobuf {
        let mut types = vec!["application/json", "application/yaml"];
        if builtin {
            types.push(CONTENT_TYPE);
        }
        return Err(types);
    }
    Ok(Format::Json)
}
