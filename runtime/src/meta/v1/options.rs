//! Query options of the verbs: list/watch, get, create, update, patch.
//!
//! These are not spec definitions (the spec lists them as per-operation query parameters); they
//! render to the API's query names with [`ListOptions::query_pairs`] and friends. Unset options
//! are left out so the server applies its own defaults.

use super::{DryRun, FieldValidation, ResourceVersionMatch};

/// Options of `list` and `watch`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// Label selector, e.g. `app=web,tier!=db`.
    pub label_selector: Option<String>,
    /// Field selector, e.g. `metadata.name=x,status.phase=Running`.
    pub field_selector: Option<String>,
    /// Resource version to list at or watch from (see `resource_version_match`).
    pub resource_version: Option<String>,
    /// How `resource_version` is applied to a list.
    pub resource_version_match: Option<ResourceVersionMatch>,
    /// Maximum number of items per page; the response carries a continue token for the rest.
    pub limit: Option<i64>,
    /// Continue token from the previous page's `ListMeta`.
    pub continue_: Option<String>,
    /// Server-side timeout of the list or watch call, in seconds.
    pub timeout_seconds: Option<i64>,
    /// Ask for BOOKMARK events on watches.
    pub allow_watch_bookmarks: Option<bool>,
    /// Start a watch with synthetic ADDED events for the current state (watch-list).
    pub send_initial_events: Option<bool>,
}

impl ListOptions {
    /// These options selecting by `selector` (built with [`crate::labels::Selector`]).
    pub fn with_label_selector(mut self, selector: &crate::labels::Selector) -> Self {
        self.label_selector = Some(selector.to_string());
        self
    }

    /// The options as query parameters, with the API's names, skipping unset ones.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        push(&mut q, "labelSelector", &self.label_selector);
        push(&mut q, "fieldSelector", &self.field_selector);
        push(&mut q, "resourceVersion", &self.resource_version);
        push(&mut q, "resourceVersionMatch", &self.resource_version_match);
        push(&mut q, "limit", &self.limit);
        push(&mut q, "continue", &self.continue_);
        push(&mut q, "timeoutSeconds", &self.timeout_seconds);
        push(&mut q, "allowWatchBookmarks", &self.allow_watch_bookmarks);
        push(&mut q, "sendInitialEvents", &self.send_initial_events);
        q
    }
}

/// Options of `get`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetOptions {
    /// Serve from the cache at least this fresh (`"0"` = any cached version); unset = quorum read.
    pub resource_version: Option<String>,
}

impl GetOptions {
    /// The options as query parameters, with the API's names, skipping unset ones.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        push(&mut q, "resourceVersion", &self.resource_version);
        q
    }
}

/// Options of `create`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateOptions {
    /// Validate and admit the request without persisting it (`dryRun=All`).
    pub dry_run: Option<DryRun>,
    /// Name of the actor making the change, recorded in managedFields.
    pub field_manager: Option<String>,
    /// What to do with unknown or duplicate fields.
    pub field_validation: Option<FieldValidation>,
}

impl CreateOptions {
    /// The options as query parameters, with the API's names, skipping unset ones.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        write_options(self.dry_run, &self.field_manager, &self.field_validation)
    }
}

/// Options of `update` (PUT).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateOptions {
    /// Validate and admit the request without persisting it (`dryRun=All`).
    pub dry_run: Option<DryRun>,
    /// Name of the actor making the change, recorded in managedFields.
    pub field_manager: Option<String>,
    /// What to do with unknown or duplicate fields.
    pub field_validation: Option<FieldValidation>,
}

impl UpdateOptions {
    /// The options as query parameters, with the API's names, skipping unset ones.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        write_options(self.dry_run, &self.field_manager, &self.field_validation)
    }
}

/// Options of `patch`, including server-side apply.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PatchOptions {
    /// Validate and admit the request without persisting it (`dryRun=All`).
    pub dry_run: Option<DryRun>,
    /// Name of the actor making the change; required for apply patches.
    pub field_manager: Option<String>,
    /// What to do with unknown or duplicate fields.
    pub field_validation: Option<FieldValidation>,
    /// Apply patches only: take ownership of fields other managers own instead of conflicting.
    pub force: Option<bool>,
}

impl PatchOptions {
    /// The options as query parameters, with the API's names, skipping unset ones.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = write_options(self.dry_run, &self.field_manager, &self.field_validation);
        push(&mut q, "force", &self.force);
        q
    }
}

/// Options of server-side `apply` (client-go `metav1.ApplyOptions`): who applies, and whether
/// to take fields other managers own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Name of the field manager applying; required (the server records it as the owner).
    pub field_manager: String,
    /// Take ownership of fields other managers own instead of failing with a conflict.
    pub force: bool,
    /// Validate and admit the request without persisting it (`dryRun=All`).
    pub dry_run: Option<DryRun>,
}

impl ApplyOptions {
    /// Apply as `field_manager`, without force.
    pub fn new(field_manager: impl Into<String>) -> Self {
        ApplyOptions {
            field_manager: field_manager.into(),
            ..Default::default()
        }
    }

    /// The same options with `force` set.
    pub fn force(mut self) -> Self {
        self.force = true;
        self
    }

    /// The options as query parameters, with the API's names.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = write_options(self.dry_run, &Some(self.field_manager.clone()), &None);
        if self.force {
            q.push(("force", "true".to_owned()));
        }
        q
    }
}

/// The parameters create, update and patch share.
fn write_options(
    dry_run: Option<DryRun>,
    field_manager: &Option<String>,
    field_validation: &Option<FieldValidation>,
) -> Vec<(&'static str, String)> {
    let mut q = Vec::new();
    push(&mut q, "dryRun", &dry_run);
    push(&mut q, "fieldManager", field_manager);
    push(&mut q, "fieldValidation", field_validation);
    q
}

fn push<T: ToString>(q: &mut Vec<(&'static str, String)>, name: &'static str, value: &Option<T>) {
    if let Some(v) = value {
        q.push((name, v.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_options_use_api_names_and_skip_unset() {
        assert!(ListOptions::default().query_pairs().is_empty());
        let o = ListOptions {
            label_selector: Some("app=web".into()),
            field_selector: Some("metadata.name=x".into()),
            resource_version: Some("0".into()),
            resource_version_match: Some(ResourceVersionMatch::NotOlderThan),
            limit: Some(500),
            continue_: Some("tok".into()),
            timeout_seconds: Some(300),
            allow_watch_bookmarks: Some(true),
            send_initial_events: Some(false),
        };
        let pairs = o.query_pairs();
        let expect = [
            ("labelSelector", "app=web"),
            ("fieldSelector", "metadata.name=x"),
            ("resourceVersion", "0"),
            ("resourceVersionMatch", "NotOlderThan"),
            ("limit", "500"),
            ("continue", "tok"),
            ("timeoutSeconds", "300"),
            ("allowWatchBookmarks", "true"),
            ("sendInitialEvents", "false"),
        ];
        assert_eq!(pairs, expect.map(|(k, v)| (k, v.to_owned())));
    }

    #[test]
    fn write_options_render_dry_run_all() {
        assert!(CreateOptions::default().query_pairs().is_empty());
        let c = CreateOptions {
            dry_run: Some(DryRun::All),
            field_manager: Some("me".into()),
            field_validation: Some(FieldValidation::Strict),
        };
        assert_eq!(
            c.query_pairs(),
            vec![
                ("dryRun", "All".into()),
                ("fieldManager", "me".into()),
                ("fieldValidation", "Strict".into())
            ]
        );
        let u = UpdateOptions {
            dry_run: Some(DryRun::All),
            ..Default::default()
        };
        assert_eq!(u.query_pairs(), vec![("dryRun", "All".to_owned())]);
        let p = PatchOptions {
            force: Some(true),
            field_manager: Some("me".into()),
            ..Default::default()
        };
        assert_eq!(
            p.query_pairs(),
            vec![("fieldManager", "me".into()), ("force", "true".into())]
        );
        let g = GetOptions {
            resource_version: Some("5".into()),
        };
        assert_eq!(g.query_pairs(), vec![("resourceVersion", "5".to_owned())]);
    }
}
