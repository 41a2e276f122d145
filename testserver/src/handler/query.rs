//! Query parameters of resource requests.

use crate::selector::{FieldSelector, LabelSelector};
use crate::status::ApiError;

/// The query parameters the server understands; unknown ones are ignored, as the real server
/// ignores them unless strict field validation applies.
#[derive(Debug, Default, Clone)]
pub struct Query {
    /// `labelSelector`.
    pub labels: LabelSelector,
    /// `fieldSelector`.
    pub fields: FieldSelector,
    /// `limit` (0 = no limit).
    pub limit: usize,
    /// `continue`.
    pub continue_token: Option<String>,
    /// `watch=true|1`.
    pub watch: bool,
    /// `resourceVersion`.
    pub resource_version: Option<String>,
    /// `resourceVersionMatch` (`Exact`, `NotOlderThan`).
    pub resource_version_match: Option<String>,
    /// `timeoutSeconds`.
    pub timeout_seconds: Option<u64>,
    /// `allowWatchBookmarks`.
    pub allow_bookmarks: bool,
    /// `sendInitialEvents`.
    pub send_initial_events: Option<bool>,
    /// `dryRun=All`.
    pub dry_run: bool,
    /// `fieldManager`.
    pub field_manager: Option<String>,
    /// `force` (server-side apply).
    pub force: bool,
    /// `follow` (pods/log).
    pub follow: bool,
    /// `includeObject` of Table responses (`None`, `Metadata`, `Object`).
    pub include_object: Option<String>,
    /// `tailLines` (pods/log).
    pub tail_lines: Option<usize>,
}

fn truthy(v: &str) -> bool {
    matches!(v, "true" | "1" | "True")
}

impl Query {
    /// Parse a raw query string.
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let mut q = Query::default();
        for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
            let num = |what: &str| {
                v.parse::<u64>().map_err(|_| {
                    ApiError::bad_request(format!(
                        "invalid {what} {v:?}: not a non-negative integer"
                    ))
                })
            };
            match k.as_ref() {
                "labelSelector" => q.labels = LabelSelector::parse(&v)?,
                "fieldSelector" => q.fields = FieldSelector::parse(&v)?,
                "limit" => q.limit = usize::try_from(num("limit")?).unwrap_or(usize::MAX),
                "continue" if !v.is_empty() => q.continue_token = Some(v.into_owned()),
                "watch" => q.watch = truthy(&v),
                "resourceVersion" => q.resource_version = Some(v.into_owned()),
                "resourceVersionMatch" if !v.is_empty() => {
                    q.resource_version_match = Some(v.into_owned())
                }
                "timeoutSeconds" => q.timeout_seconds = Some(num("timeoutSeconds")?),
                "allowWatchBookmarks" => q.allow_bookmarks = truthy(&v),
                "sendInitialEvents" => q.send_initial_events = Some(truthy(&v)),
                "dryRun" => q.dry_run = v == "All",
                "fieldManager" => q.field_manager = Some(v.into_owned()),
                "force" => q.force = truthy(&v),
                "follow" => q.follow = truthy(&v),
                "includeObject" => q.include_object = Some(v.into_owned()),
                "tailLines" => {
                    q.tail_lines = Some(usize::try_from(num("tailLines")?).unwrap_or(usize::MAX))
                }
                _ => {}
            }
        }
        Ok(q)
    }
}
