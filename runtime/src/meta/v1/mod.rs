//! apimachinery `meta/v1`: object and list metadata, `Status`, watch events, discovery documents,
//! selectors, conditions and the per-verb options.

mod condition;
mod delete_options;
mod discovery;
mod fields_v1;
mod group_resource;
mod label_selector;
mod list;
mod list_meta;
mod object_meta;
mod option_values;
mod options;
mod patch;
mod raw_watch_event;
mod status;
mod time;
mod watch_event;

pub use condition::Condition;
pub use delete_options::{DeleteOptions, Preconditions};
pub use discovery::{
    APIGroup, APIGroupList, APIResource, APIResourceList, APIVersions, GroupVersionForDiscovery,
    ServerAddressByClientCIDR,
};
pub use fields_v1::FieldsV1;
pub use group_resource::GroupResource;
pub use label_selector::{FieldSelectorRequirement, LabelSelector, LabelSelectorRequirement};
pub use list::List;
pub use list_meta::ListMeta;
pub use object_meta::{ManagedFieldsEntry, ObjectMeta, OwnerReference, LAST_APPLIED_ANNOTATION};
pub use option_values::{DryRun, FieldValidation, PropagationPolicy, ResourceVersionMatch};
pub use options::{
    ApplyOptions, CreateOptions, GetOptions, ListOptions, PatchOptions, UpdateOptions,
};
pub use patch::PatchBody;
pub use raw_watch_event::RawWatchEvent;
pub use status::{Status, StatusCause, StatusDetails};
pub use time::{MicroTime, Time};
pub use watch_event::WatchEvent;
