//! The contract between generated types and the runtime.
//!
//! A generated kind implements [`Resource`] plus one marker trait per verb and subresource the
//! OpenAPI spec declares for it. The generic [`crate::client::ResourceClient`] offers a method only
//! when its marker is implemented, so a typed client has exactly the spec's verbs while no code
//! is instantiated inside the generated crate.

use crate::meta::v1::ObjectMeta;
use serde::{de::DeserializeOwned, Serialize};

/// Whether objects of a kind live in a namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Objects live in a namespace (`/namespaces/{ns}/plural`).
    Namespaced,
    /// Objects are cluster-wide (`/plural`).
    Cluster,
}

/// A Kubernetes kind served by the API server.
pub trait Resource:
    Serialize + DeserializeOwned + Clone + Default + std::fmt::Debug + Send + Sync + 'static
{
    /// API group, `""` for the core group.
    const GROUP: &'static str;
    /// API version, e.g. `v1`.
    const VERSION: &'static str;
    /// `group/version`, or just `version` for the core group.
    const API_VERSION: &'static str;
    /// Kind, e.g. `Deployment`.
    const KIND: &'static str;
    /// Lower-case plural used in URLs, e.g. `deployments`.
    const PLURAL: &'static str;
    /// Namespaced or cluster scoped.
    const SCOPE: Scope;

    /// The object's metadata.
    fn metadata(&self) -> &ObjectMeta;
    /// The object's metadata, mutable.
    fn metadata_mut(&mut self) -> &mut ObjectMeta;

    /// The kind's protobuf codec, when it has one: Kubernetes' built-in kinds (generated from
    /// their `generated.proto`), which typed clients then send and accept in protobuf by
    /// default, as client-go does since 1.32 (see `rest::Config::content_type`). CRDs have
    /// none and stay JSON.
    fn protobuf() -> Option<crate::proto::ProtobufCodec<Self>> {
        None
    }
}

/// Marker traits for the verbs a resource's endpoints declare (`x-kubernetes-action`).
pub mod verbs {
    use super::Resource;
    /// `get` on `.../{name}`.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` has no `get` verb: the API server serves no `get` for this kind",
        label = "the spec declares no `get` endpoint for `{Self}`",
        note = "the verbs a kind has are the ones its OpenAPI paths declare (see `kubectl api-resources -o wide`)"
    )]
    pub trait Get: Resource {}
    /// `list` on the collection.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` has no `list` verb: the API server serves no `list` for this kind",
        label = "the spec declares no `list` endpoint for `{Self}`",
        note = "the verbs a kind has are the ones its OpenAPI paths declare (see `kubectl api-resources -o wide`)"
    )]
    pub trait List: Resource {}
    /// `watch` (or `watchlist`) on the collection.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` has no `watch` verb: the API server serves no `watch` for this kind",
        label = "the spec declares no `watch` endpoint for `{Self}`",
        note = "the verbs a kind has are the ones its OpenAPI paths declare (see `kubectl api-resources -o wide`)"
    )]
    pub trait Watch: Resource {}
    /// `post` on the collection.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` has no `create` verb: the API server serves no `create` for this kind",
        label = "the spec declares no `create` endpoint for `{Self}`",
        note = "the verbs a kind has are the ones its OpenAPI paths declare (see `kubectl api-resources -o wide`)"
    )]
    pub trait Create: Resource {}
    /// `put` on `.../{name}`.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` has no `update` verb: the API server serves no `update` for this kind",
        label = "the spec declares no `update` endpoint for `{Self}`",
        note = "the verbs a kind has are the ones its OpenAPI paths declare (see `kubectl api-resources -o wide`)"
    )]
    pub trait Update: Resource {}
    /// `patch` on `.../{name}`.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` has no `patch` verb: the API server serves no `patch` for this kind",
        label = "the spec declares no `patch` endpoint for `{Self}`",
        note = "the verbs a kind has are the ones its OpenAPI paths declare (see `kubectl api-resources -o wide`)"
    )]
    pub trait Patch: Resource {}
    /// `delete` on `.../{name}`.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` has no `delete` verb: the API server serves no `delete` for this kind",
        label = "the spec declares no `delete` endpoint for `{Self}`",
        note = "the verbs a kind has are the ones its OpenAPI paths declare (see `kubectl api-resources -o wide`)"
    )]
    pub trait Delete: Resource {}
    /// `deletecollection` on the collection.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` has no `deletecollection` verb: the API server serves no `deletecollection` for this kind",
        label = "the spec declares no `deletecollection` endpoint for `{Self}`",
        note = "the verbs a kind has are the ones its OpenAPI paths declare (see `kubectl api-resources -o wide`)"
    )]
    pub trait DeleteCollection: Resource {}
}

/// Marker traits for subresources. Each is implemented only when the spec declares the path;
/// the associated types name the body type the subresource speaks when it is not the kind itself.
pub mod subresources {
    use super::Resource;
    use serde::{de::DeserializeOwned, Serialize};

    /// `/status`: get, update and patch the status of the kind.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` has no `/status` subresource",
        label = "the spec declares no `/status` path for `{Self}`"
    )]
    pub trait Status: Resource {}
    /// `/scale` (apps, replicationcontrollers, CRDs that declare it).
    #[diagnostic::on_unimplemented(
        message = "`{Self}` has no `/scale` subresource",
        label = "the spec declares no `/scale` path for `{Self}`"
    )]
    pub trait Scale: Resource {
        /// Usually `autoscaling/v1` `Scale`.
        type Scale: Serialize + DeserializeOwned + Clone + Send + Sync + 'static;
    }
    /// `pods/eviction` (create only).
    #[diagnostic::on_unimplemented(
        message = "`{Self}` has no `/eviction` subresource",
        label = "the spec declares no `/eviction` path for `{Self}`"
    )]
    pub trait Eviction: Resource {
        /// `policy/v1` `Eviction`.
        type Eviction: Serialize + DeserializeOwned + Send + Sync + 'static;
    }
    /// `pods/binding` (create only).
    #[diagnostic::on_unimplemented(
        message = "`{Self}` has no `/binding` subresource",
        label = "the spec declares no `/binding` path for `{Self}`"
    )]
    pub trait Binding: Resource {
        /// core/v1 `Binding`.
        type Binding: Serialize + DeserializeOwned + Send + Sync + 'static;
    }
    /// `pods/log` (get, returns plain text; may stream with `follow`).
    #[diagnostic::on_unimplemented(
        message = "`{Self}` has no `/log` subresource",
        label = "the spec declares no `/log` path for `{Self}`"
    )]
    pub trait Log: Resource {}
    /// `serviceaccounts/token` (create).
    #[diagnostic::on_unimplemented(
        message = "`{Self}` has no `/token` subresource",
        label = "the spec declares no `/token` path for `{Self}`"
    )]
    pub trait Token: Resource {
        /// `authentication/v1` `TokenRequest`.
        type TokenRequest: Serialize + DeserializeOwned + Send + Sync + 'static;
    }
    /// `pods/ephemeralcontainers`: get, update, patch with the kind itself as body.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` has no `/ephemeralcontainers` subresource",
        label = "the spec declares no `/ephemeralcontainers` path for `{Self}`"
    )]
    pub trait EphemeralContainers: Resource {}
    /// `pods/resize`: get, update, patch with the kind itself as body.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` has no `/resize` subresource",
        label = "the spec declares no `/resize` path for `{Self}`"
    )]
    pub trait Resize: Resource {}
    /// `certificatesigningrequests/approval`: get, update, patch with the kind itself.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` has no `/approval` subresource",
        label = "the spec declares no `/approval` path for `{Self}`"
    )]
    pub trait Approval: Resource {}
    /// `namespaces/finalize`: update with the kind itself.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` has no `/finalize` subresource",
        label = "the spec declares no `/finalize` path for `{Self}`"
    )]
    pub trait Finalize: Resource {}
    /// `pods/exec` (connect): run a command in a container over a WebSocket.
    pub trait Exec: Resource {}
    /// `pods/attach` (connect): attach to a container's main process.
    pub trait Attach: Resource {}
    /// `pods/portforward` (connect): streams to a pod's ports.
    pub trait PortForward: Resource {}
    /// `pods/proxy`, `services/proxy`, `nodes/proxy` (connect): HTTP to the object, with a path.
    pub trait Proxy: Resource {}
}
