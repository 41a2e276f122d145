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
    /// Every `dryRun` value given (only `All` is valid).
    pub dry_run_values: Vec<String>,
    /// `fieldValidation` (`Ignore`, `Warn`, `Strict`).
    pub field_validation: Option<String>,
    /// Whether `force` was given at all (it is refused on non-apply patches).
    pub force_given: bool,
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

/// Which write an options check is for, as kube-apiserver names its options kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOptions {
    /// `CreateOptions`.
    Create,
    /// `UpdateOptions`.
    Update,
    /// `PatchOptions` of an apply patch.
    Apply,
    /// `PatchOptions` of any other patch.
    Patch,
    /// `DeleteOptions`.
    Delete,
}

impl Query {
    /// 422 for options kube-apiserver refuses (apimachinery's `Validate*Options`): dryRun
    /// values other than `All`, an unknown fieldValidation, apply without a fieldManager,
    /// force on other patches, an over-long or unprintable fieldManager.
    pub fn validate(&self, write: WriteOptions) -> Result<(), ApiError> {
        let mut errs: Vec<(&'static str, &'static str, String)> = Vec::new();
        let manager = self.field_manager.as_deref().unwrap_or("");
        match write {
            WriteOptions::Apply if manager.is_empty() => errs.push((
                "FieldValueRequired",
                "fieldManager",
                "Required value: is required for apply patch".into(),
            )),
            WriteOptions::Patch if self.force_given => errs.push((
                "FieldValueForbidden",
                "force",
                "Forbidden: may not be specified for non-apply patch".into(),
            )),
            _ => {}
        }
        if write != WriteOptions::Delete {
            if manager.chars().count() > 128 {
                errs.push((
                    "FieldValueTooLong",
                    "fieldManager",
                    "Too long: may not be more than 128 bytes".into(),
                ));
            }
            if let Some((i, c)) = manager.char_indices().find(|(_, c)| c.is_control()) {
                errs.push((
                    "FieldValueInvalid",
                    "fieldManager",
                    format!(
                        "Invalid value: {manager:?}: invalid character U+{:04X} (at position {i})",
                        u32::from(c)
                    ),
                ));
            }
        }
        if self.dry_run_values.iter().any(|v| v != "All") {
            let given = serde_json::to_string(&self.dry_run_values).unwrap_or_default();
            errs.push((
                "FieldValueNotSupported",
                "dryRun",
                format!("Unsupported value: {given}: supported values: \"All\""),
            ));
        }
        if write != WriteOptions::Delete {
            if let Some(v) = self
                .field_validation
                .as_deref()
                .filter(|v| !matches!(*v, "" | "Ignore" | "Warn" | "Strict"))
            {
                errs.push((
                    "FieldValueNotSupported",
                    "fieldValidation",
                    format!("Unsupported value: {v:?}: supported values: \"\", \"Ignore\", \"Strict\", \"Warn\""),
                ));
            }
        }
        if errs.is_empty() {
            return Ok(());
        }
        let kind = match write {
            WriteOptions::Create => "CreateOptions",
            WriteOptions::Update => "UpdateOptions",
            WriteOptions::Apply | WriteOptions::Patch => "PatchOptions",
            WriteOptions::Delete => "DeleteOptions",
        };
        Err(ApiError::invalid_options(kind, &errs))
    }
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
                "dryRun" => {
                    q.dry_run |= v == "All";
                    q.dry_run_values.push(v.into_owned());
                }
                "fieldValidation" => q.field_validation = Some(v.into_owned()),
                "fieldManager" => q.field_manager = Some(v.into_owned()),
                "force" => {
                    q.force = truthy(&v);
                    q.force_given = true;
                }
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
