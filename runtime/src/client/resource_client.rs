//! [`ResourceClient<K>`]: every verb and subresource of a kind, generic over the kind.

use super::{LogOptions, Patch};
use crate::apply::ApplyConfiguration;
use crate::meta::v1::{
    ApplyOptions, CreateOptions, DeleteOptions, GetOptions, List, ListOptions, PatchOptions,
    UpdateOptions,
};
use crate::proto::ProtobufCodec;
use crate::resource::{subresources, verbs, Resource, Scope};
use crate::rest::{ByteStream, Error, JsonFallback, Request, RestClient, Result, WatchStream};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// `Accept` of typed clients of built-in kinds, as client-go's default.
const PROTOBUF_THEN_JSON: &str = "application/vnd.kubernetes.protobuf, application/json";

/// What a client addresses: group, version, kind, plural and scope. For a generated kind it is
/// its [`Resource`] constants ([`ApiResource::of`], no allocation); for a
/// [`crate::dynamic::DynamicObject`] client it comes from discovery or the caller.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ApiResource {
    /// API group, `""` for core.
    pub group: Cow<'static, str>,
    /// Version.
    pub version: Cow<'static, str>,
    /// Kind of the objects.
    pub kind: Cow<'static, str>,
    /// URL plural.
    pub plural: Cow<'static, str>,
    /// Namespaced or cluster scoped.
    pub scope: Scope,
}

impl ApiResource {
    /// The constants of kind `K`.
    pub fn of<K: Resource>() -> Self {
        ApiResource {
            group: Cow::Borrowed(K::GROUP),
            version: Cow::Borrowed(K::VERSION),
            kind: Cow::Borrowed(K::KIND),
            plural: Cow::Borrowed(K::PLURAL),
            scope: K::SCOPE,
        }
    }

    /// A resource by its names, e.g. `("cert-manager.io", "v1", "Certificate", "certificates",
    /// Scope::Namespaced)`.
    pub fn new(group: &str, version: &str, kind: &str, plural: &str, scope: Scope) -> Self {
        ApiResource {
            group: Cow::Owned(group.to_owned()),
            version: Cow::Owned(version.to_owned()),
            kind: Cow::Owned(kind.to_owned()),
            plural: Cow::Owned(plural.to_owned()),
            scope,
        }
    }

    /// From a discovery table entry (`kubeclient::discovery::resources()`).
    pub fn from_info(info: &crate::discovery::ApiResourceInfo) -> Self {
        ApiResource {
            group: Cow::Borrowed(info.group),
            version: Cow::Borrowed(info.version),
            kind: Cow::Borrowed(info.kind),
            plural: Cow::Borrowed(info.plural),
            scope: if info.namespaced {
                Scope::Namespaced
            } else {
                Scope::Cluster
            },
        }
    }

    /// `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// A typed client for kind `K`, in one namespace, all namespaces, or cluster-wide.
///
/// The [`RestClient`] given is already rooted at `K`'s group/version
/// ([`RestClient::for_group_version`]). Methods exist only for the verbs and subresources
/// `K` implements the marker traits of.
pub struct ResourceClient<K> {
    rest: RestClient,
    api: ApiResource,
    /// `None` for cluster-scoped access and for all namespaces.
    namespace: Option<String>,
    _kind: PhantomData<fn() -> K>,
}

impl<K> Clone for ResourceClient<K> {
    fn clone(&self) -> Self {
        ResourceClient {
            rest: self.rest.clone(),
            api: self.api.clone(),
            namespace: self.namespace.clone(),
            _kind: PhantomData,
        }
    }
}

impl<K: Resource> fmt::Debug for ResourceClient<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceClient")
            .field("kind", &self.api.kind)
            .field("api_version", &self.api.api_version())
            .field("namespace", &self.namespace)
            .finish()
    }
}

impl<K: Resource> ResourceClient<K> {
    /// Objects in namespace `ns`; `""` means all namespaces (list and watch across them), as
    /// client-go's `Pods("")`. Creating or updating through an all-namespaces client uses the
    /// object's own `metadata.namespace`. For a cluster-scoped `K` the namespace is ignored.
    pub fn namespaced(rest: RestClient, ns: &str) -> Self {
        let namespace = (!ns.is_empty()).then(|| ns.to_owned());
        ResourceClient {
            rest,
            api: ApiResource::of::<K>(),
            namespace,
            _kind: PhantomData,
        }
    }

    /// Cluster-scoped objects (or a namespaced kind across all namespaces).
    pub fn cluster(rest: RestClient) -> Self {
        ResourceClient {
            rest,
            api: ApiResource::of::<K>(),
            namespace: None,
            _kind: PhantomData,
        }
    }

    /// The same client addressing `api` instead (for [`crate::dynamic::DynamicObject`]).
    pub(crate) fn with_api_resource(mut self, api: ApiResource) -> Self {
        self.api = api;
        self
    }

    /// What this client addresses.
    pub fn api_resource(&self) -> &ApiResource {
        &self.api
    }

    /// The underlying REST client, rooted at `K`'s group/version.
    pub fn rest_client(&self) -> &RestClient {
        &self.rest
    }

    /// The namespace this client is bound to, if any.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// Start a request on the collection, in `ns_hint` when this client has no namespace
    /// (creating into an all-namespaces client uses the object's own namespace).
    /// The kind's protobuf codec when requests speak protobuf: a built-in kind (not a dynamic
    /// view through another type), and neither the config nor the server ruled it out.
    fn protobuf(&self) -> Option<ProtobufCodec<K>> {
        K::protobuf().filter(|_| self.rest.prefers_protobuf() && self.api == ApiResource::of::<K>())
    }

    /// Ask for protobuf, then JSON (or `Config::accept_content_types`), as client-go does.
    fn accepting(&self, req: Request) -> (Request, Option<ProtobufCodec<K>>) {
        let codec = self.protobuf();
        let req = match (&self.rest.config().accept_content_types, codec) {
            (_, None) => req,
            (Some(accept), Some(_)) => req.accept_owned(accept.clone()),
            (None, Some(_)) => req.accept(PROTOBUF_THEN_JSON),
        };
        (req, codec)
    }

    /// Send `req` and decode a `K` in whichever format the server answered.
    async fn send_for_kind(&self, req: Request) -> Result<K> {
        let (req, codec) = self.accepting(req);
        match codec {
            Some(c) => req.do_either(c.decode).await,
            None => req.do_().await,
        }
    }

    /// `obj` as the request body: protobuf (with JSON should the server refuse it) or JSON.
    fn with_body(&self, req: Request, obj: &K) -> Request {
        match self.protobuf() {
            Some(c) => {
                let copy = obj.clone();
                let json: JsonFallback =
                    std::sync::Arc::new(move || serde_json::to_vec(&copy).map(bytes::Bytes::from));
                req.body_protobuf((c.encode)(obj), json)
            }
            None => req.body_json(obj),
        }
    }

    fn collection(&self, req: Request, ns_hint: Option<&str>) -> Request {
        let req = match (self.api.scope, self.namespace.as_deref().or(ns_hint)) {
            (Scope::Namespaced, Some(ns)) => req.namespace(ns),
            _ => req,
        };
        req.resource(&self.api.plural)
    }

    pub(super) fn object(&self, req: Request, name: &str) -> Request {
        self.collection(req, None).name(name)
    }

    fn name_of<'o>(&self, obj: &'o K) -> Result<&'o str> {
        obj.metadata()
            .name
            .as_deref()
            .filter(|n| !n.is_empty())
            .ok_or_else(|| {
                Error::InvalidRequest(format!(
                    "{} has no metadata.name; update needs one",
                    self.api.kind
                ))
            })
    }

    fn patch_request<P: Serialize>(
        &self,
        name: &str,
        sub: Option<&str>,
        patch: &Patch<P>,
        opts: &PatchOptions,
    ) -> Request {
        let mut req = self.object(self.rest.patch(patch.patch_type()), name);
        if let Some(sub) = sub {
            req = req.sub_resource(sub);
        }
        if matches!(patch, Patch::Apply(_))
            && opts.field_manager.as_deref().is_none_or(str::is_empty)
        {
            return req.fail(Error::InvalidRequest(
                "server-side apply needs PatchOptions::field_manager".into(),
            ));
        }
        req.params(opts.query_pairs()).body_json(patch.body())
    }

    /// A server-side apply of `ac` on the object it names (in this client's namespace, or the
    /// configuration's own for an all-namespaces client), as client-go's `Apply`.
    fn apply_request<A: ApplyConfiguration>(
        &self,
        sub: Option<&str>,
        ac: &A,
        opts: &ApplyOptions,
    ) -> Request {
        let req = self.rest.patch(crate::rest::PatchType::Apply);
        let object = ac.object();
        let Some(name) = object.name().filter(|n| !n.is_empty()) else {
            return req.fail(Error::InvalidRequest(format!(
                "the {} apply configuration has no metadata.name; apply needs one",
                self.api.kind
            )));
        };
        if opts.field_manager.is_empty() {
            return req.fail(Error::InvalidRequest(
                "server-side apply needs ApplyOptions::field_manager".into(),
            ));
        }
        let mut req = self.collection(req, object.namespace()).name(name);
        if let Some(sub) = sub {
            req = req.sub_resource(sub);
        }
        req.params(opts.query_pairs()).body_json(ac)
    }

    async fn get_sub<T: DeserializeOwned>(
        &self,
        name: &str,
        sub: &str,
        opts: &GetOptions,
    ) -> Result<T> {
        self.object(self.rest.get(), name)
            .sub_resource(sub)
            .params(opts.query_pairs())
            .do_()
            .await
    }

    async fn put_sub<B: Serialize, T: DeserializeOwned>(
        &self,
        name: &str,
        ns_hint: Option<&str>,
        sub: &str,
        body: &B,
        opts: &UpdateOptions,
    ) -> Result<T> {
        self.collection(self.rest.put(), ns_hint)
            .name(name)
            .sub_resource(sub)
            .params(opts.query_pairs())
            .body_json(body)
            .do_()
            .await
    }

    async fn post_sub<B: Serialize, T: DeserializeOwned>(
        &self,
        name: &str,
        sub: &str,
        body: &B,
    ) -> Result<T> {
        self.object(self.rest.post(), name)
            .sub_resource(sub)
            .body_json(body)
            .do_()
            .await
    }

    async fn update_same_kind(&self, obj: &K, sub: &str, opts: &UpdateOptions) -> Result<K> {
        let name = self.name_of(obj)?;
        self.put_sub(name, obj.metadata().namespace.as_deref(), sub, obj, opts)
            .await
    }

    /// An informer over what this client lists: its namespace (or all), its kind
    /// (see [`crate::cache::Informer`]).
    pub fn informer(&self) -> crate::cache::InformerBuilder<K>
    where
        K: verbs::List + verbs::Watch,
    {
        crate::cache::Informer::builder(self.clone())
    }

    /// `get`: one object by name.
    ///
    /// ```no_run
    /// # async fn demo(cs: kubeclient_runtime::client::ResourceClient<impl kubeclient_runtime::Resource + kubeclient_runtime::resource::verbs::Get>) -> Result<(), kubeclient_runtime::rest::Error> {
    /// use kubeclient_runtime::meta::v1::GetOptions;
    /// let obj = cs.get("web", &GetOptions::default()).await?;
    /// # let _ = obj; Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Api`] with the server's `Status` ([`Error::is_not_found`] for a missing object,
    /// 403 for RBAC), a transport error, or a body that does not decode as `K`.
    pub async fn get(&self, name: &str, opts: &GetOptions) -> Result<K>
    where
        K: verbs::Get,
    {
        let req = self
            .object(self.rest.get(), name)
            .params(opts.query_pairs());
        self.send_for_kind(req).await
    }

    /// `list`: one page of objects (set `limit`/`continue_` to page).
    ///
    /// # Errors
    /// As [`Self::get`]; 400 for a malformed selector, 410 ([`Error::is_gone`]) for a
    /// `continue` token whose snapshot was compacted away.
    pub async fn list(&self, opts: &ListOptions) -> Result<List<K>>
    where
        K: verbs::List,
    {
        let req = self
            .collection(self.rest.get(), None)
            .params(opts.query_pairs());
        match self.accepting(req) {
            (req, Some(c)) => req.do_either(c.decode_list).await,
            (req, None) => req.do_().await,
        }
    }

    /// `watch`: a stream of events from `opts.resource_version`. An `ERROR` event arrives as
    /// `Err(Error::Api(status))` (410 → [`Error::is_gone`]: relist); the stream ends when the
    /// server closes the watch.
    pub async fn watch(&self, opts: &ListOptions) -> Result<WatchStream<K>>
    where
        K: verbs::Watch,
    {
        let req = self
            .collection(self.rest.get(), None)
            .params(opts.query_pairs())
            .param("watch", "true");
        match self.accepting(req) {
            (req, Some(c)) => req.watch_either(c.decode).await,
            (req, None) => req.watch::<K>().await,
        }
    }

    /// `create`: post a new object; returns it as stored.
    ///
    /// # Errors
    /// As [`Self::get`]; [`Error::is_already_exists`] when the name is taken, 422 Invalid with
    /// the offending fields as causes.
    pub async fn create(&self, obj: &K, opts: &CreateOptions) -> Result<K>
    where
        K: verbs::Create,
    {
        let req = self
            .collection(self.rest.post(), obj.metadata().namespace.as_deref())
            .params(opts.query_pairs());
        let req = self.with_body(req, obj);
        self.send_for_kind(req).await
    }

    /// `update`: replace the object named by `obj.metadata.name`.
    ///
    /// # Errors
    /// As [`Self::create`]; [`Error::is_conflict`] when `obj`'s resourceVersion is stale (read
    /// again and retry); an error without a request when `obj` has no name.
    pub async fn update(&self, obj: &K, opts: &UpdateOptions) -> Result<K>
    where
        K: verbs::Update,
    {
        let name = self.name_of(obj)?;
        let req = self
            .collection(self.rest.put(), obj.metadata().namespace.as_deref())
            .name(name)
            .params(opts.query_pairs());
        let req = self.with_body(req, obj);
        self.send_for_kind(req).await
    }

    /// `patch`: apply `patch` in its format; server-side apply needs `opts.field_manager`.
    ///
    /// # Errors
    /// As [`Self::get`]; for server-side apply, [`Error::is_conflict`] when another manager
    /// owns a field this apply changes (set `opts.force` to take it).
    pub async fn patch<P: Serialize>(
        &self,
        name: &str,
        patch: &Patch<P>,
        opts: &PatchOptions,
    ) -> Result<K>
    where
        K: verbs::Patch,
    {
        // The patch itself is JSON (or YAML); the answer comes back in protobuf.
        self.send_for_kind(self.patch_request(name, None, patch, opts))
            .await
    }

    /// `apply`: server-side apply `ac` as `opts.field_manager`; returns the object as stored.
    /// Only the fields `ac` sets are sent, so the manager owns exactly those.
    ///
    /// ```no_run
    /// # async fn demo<K, A>(c: kubeclient_runtime::client::ResourceClient<K>, ac: A) -> Result<(), kubeclient_runtime::rest::Error>
    /// # where K: kubeclient_runtime::resource::verbs::Patch, A: kubeclient_runtime::apply::ApplyConfiguration<Resource = K> {
    /// use kubeclient_runtime::meta::v1::ApplyOptions;
    /// let stored = c.apply(&ac, &ApplyOptions::new("my-controller").force()).await?;
    /// # let _ = stored; Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Self::patch`]; [`Error::is_conflict`] when another manager owns a field `ac` sets
    /// to a different value (set `opts.force` to take it); an error without a request when
    /// `ac` has no `metadata.name` or `opts.field_manager` is empty.
    pub async fn apply<A>(&self, ac: &A, opts: &ApplyOptions) -> Result<K>
    where
        K: verbs::Patch,
        A: ApplyConfiguration<Resource = K>,
    {
        self.send_for_kind(self.apply_request(None, ac, opts)).await
    }

    /// `apply` on `/status`: server-side apply of the status fields `ac` sets.
    ///
    /// # Errors
    /// As [`Self::apply`].
    pub async fn apply_status<A>(&self, ac: &A, opts: &ApplyOptions) -> Result<K>
    where
        K: subresources::Status,
        A: ApplyConfiguration<Resource = K>,
    {
        self.apply_request(Some("status"), ac, opts).do_().await
    }

    /// `delete`: delete one object.
    ///
    /// # Errors
    /// As [`Self::get`]; [`Error::is_conflict`] when a precondition in `opts` fails.
    pub async fn delete(&self, name: &str, opts: &DeleteOptions) -> Result<()>
    where
        K: verbs::Delete,
    {
        self.object(self.rest.delete(), name)
            .body_json(opts)
            .do_raw()
            .await
            .map(drop)
    }

    /// `deletecollection`: delete every object `list_opts` selects.
    pub async fn delete_collection(
        &self,
        opts: &DeleteOptions,
        list_opts: &ListOptions,
    ) -> Result<()>
    where
        K: verbs::DeleteCollection,
    {
        self.collection(self.rest.delete(), None)
            .params(list_opts.query_pairs())
            .body_json(opts)
            .do_raw()
            .await
            .map(drop)
    }

    /// `get` on `/status`.
    pub async fn get_status(&self, name: &str, opts: &GetOptions) -> Result<K>
    where
        K: subresources::Status,
    {
        // The status subresource returns the whole kind: protobuf, as the main endpoint.
        let req = self
            .object(self.rest.get(), name)
            .sub_resource("status")
            .params(opts.query_pairs());
        self.send_for_kind(req).await
    }

    /// `update` on `/status` (only the status is changed).
    pub async fn update_status(&self, obj: &K, opts: &UpdateOptions) -> Result<K>
    where
        K: subresources::Status,
    {
        let name = self.name_of(obj)?;
        let req = self
            .collection(self.rest.put(), obj.metadata().namespace.as_deref())
            .name(name)
            .sub_resource("status")
            .params(opts.query_pairs());
        self.send_for_kind(self.with_body(req, obj)).await
    }

    /// `patch` on `/status`.
    pub async fn patch_status<P: Serialize>(
        &self,
        name: &str,
        patch: &Patch<P>,
        opts: &PatchOptions,
    ) -> Result<K>
    where
        K: subresources::Status,
    {
        self.send_for_kind(self.patch_request(name, Some("status"), patch, opts))
            .await
    }

    /// `get` on `/scale`.
    pub async fn get_scale(&self, name: &str, opts: &GetOptions) -> Result<K::Scale>
    where
        K: subresources::Scale,
    {
        self.get_sub(name, "scale", opts).await
    }

    /// `update` on `/scale`.
    pub async fn update_scale(
        &self,
        name: &str,
        scale: &K::Scale,
        opts: &UpdateOptions,
    ) -> Result<K::Scale>
    where
        K: subresources::Scale,
    {
        self.put_sub(name, None, "scale", scale, opts).await
    }

    /// `patch` on `/scale`.
    pub async fn patch_scale<P: Serialize>(
        &self,
        name: &str,
        patch: &Patch<P>,
        opts: &PatchOptions,
    ) -> Result<K::Scale>
    where
        K: subresources::Scale,
    {
        self.patch_request(name, Some("scale"), patch, opts)
            .do_()
            .await
    }

    /// Create an eviction for pod `name` (`pods/eviction`); the server answers with a Status.
    pub async fn evict(&self, name: &str, eviction: &K::Eviction) -> Result<()>
    where
        K: subresources::Eviction,
    {
        self.object(self.rest.post(), name)
            .sub_resource("eviction")
            .body_json(eviction)
            .do_raw()
            .await
            .map(drop)
    }

    /// Bind pod `name` to a node (`pods/binding`).
    pub async fn bind(&self, name: &str, binding: &K::Binding) -> Result<()>
    where
        K: subresources::Binding,
    {
        self.object(self.rest.post(), name)
            .sub_resource("binding")
            .body_json(binding)
            .do_raw()
            .await
            .map(drop)
    }

    /// The log of pod `name` as text (invalid UTF-8 is replaced, logs are not guaranteed UTF-8).
    pub async fn logs(&self, name: &str, opts: &LogOptions) -> Result<String>
    where
        K: subresources::Log,
    {
        let body = self
            .object(self.rest.get(), name)
            .sub_resource("log")
            .params(opts.query_pairs())
            .do_raw()
            .await?;
        Ok(String::from_utf8_lossy(&body).into_owned())
    }

    /// The log of pod `name` as a byte stream (use with `follow`).
    pub async fn log_stream(&self, name: &str, opts: &LogOptions) -> Result<ByteStream>
    where
        K: subresources::Log,
    {
        self.object(self.rest.get(), name)
            .sub_resource("log")
            .params(opts.query_pairs())
            .stream()
            .await
    }

    /// Request a token for service account `name` (`serviceaccounts/token`).
    pub async fn create_token(
        &self,
        name: &str,
        request: &K::TokenRequest,
    ) -> Result<K::TokenRequest>
    where
        K: subresources::Token,
    {
        self.post_sub(name, "token", request).await
    }

    /// `get` on `/ephemeralcontainers`.
    pub async fn get_ephemeral_containers(&self, name: &str, opts: &GetOptions) -> Result<K>
    where
        K: subresources::EphemeralContainers,
    {
        self.get_sub(name, "ephemeralcontainers", opts).await
    }

    /// `update` on `/ephemeralcontainers`.
    pub async fn update_ephemeral_containers(&self, obj: &K, opts: &UpdateOptions) -> Result<K>
    where
        K: subresources::EphemeralContainers,
    {
        self.update_same_kind(obj, "ephemeralcontainers", opts)
            .await
    }

    /// `patch` on `/ephemeralcontainers`.
    pub async fn patch_ephemeral_containers<P: Serialize>(
        &self,
        name: &str,
        patch: &Patch<P>,
        opts: &PatchOptions,
    ) -> Result<K>
    where
        K: subresources::EphemeralContainers,
    {
        self.patch_request(name, Some("ephemeralcontainers"), patch, opts)
            .do_()
            .await
    }

    /// `get` on `/resize`.
    pub async fn get_resize(&self, name: &str, opts: &GetOptions) -> Result<K>
    where
        K: subresources::Resize,
    {
        self.get_sub(name, "resize", opts).await
    }

    /// `update` on `/resize`.
    pub async fn update_resize(&self, obj: &K, opts: &UpdateOptions) -> Result<K>
    where
        K: subresources::Resize,
    {
        self.update_same_kind(obj, "resize", opts).await
    }

    /// `patch` on `/resize`.
    pub async fn patch_resize<P: Serialize>(
        &self,
        name: &str,
        patch: &Patch<P>,
        opts: &PatchOptions,
    ) -> Result<K>
    where
        K: subresources::Resize,
    {
        self.patch_request(name, Some("resize"), patch, opts)
            .do_()
            .await
    }

    /// `update` on `/approval` (certificate signing requests).
    pub async fn update_approval(&self, obj: &K, opts: &UpdateOptions) -> Result<K>
    where
        K: subresources::Approval,
    {
        self.update_same_kind(obj, "approval", opts).await
    }

    /// `update` on `/finalize` (namespaces).
    pub async fn finalize(&self, obj: &K, opts: &UpdateOptions) -> Result<K>
    where
        K: subresources::Finalize,
    {
        self.update_same_kind(obj, "finalize", opts).await
    }
}
