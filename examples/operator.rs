//! A complete operator for the `Greeting` CRD: each Greeting gets a ConfigMap holding its
//! message, controlled by it (the garbage collector deletes it with its owner); status carries
//! a `Ready` condition and `observedGeneration`; Events tell what happened; a finalizer gives
//! deletion a clean-up step; replicas elect one leader, and a replica that loses the lease
//! stops reconciling at once. Writes retry on conflict.

use crate::crds::api::example_kubeclient::v1::Greeting;
use kubeclient::api::core::v1::{ConfigMap, ConfigMapApplyConfiguration};
use kubeclient::client::ResourceClient;
use kubeclient::controller::{predicates, Action, Controller};
use kubeclient::events::{EventType, Recorder};
use kubeclient::helpers::{conditions, finalizers, owners, retry::retry_on_conflict};
use kubeclient::leaderelection::{Config as LeaseConfig, LeaderElector, Outcome};
use kubeclient::meta::v1::{ApplyOptions, Condition};
use kubeclient::rest::{Config, Error, RestClient};
use kubeclient::runtime::serde::{de::DeserializeOwned, Serialize};
use kubeclient::runtime::serde_json;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Marks Greetings whose deletion waits for this operator's clean-up.
pub const FINALIZER: &str = "example.kubeclient.dev/cleanup";
/// The field manager of what the operator applies, and the Lease name.
pub const MANAGER: &str = "greeting-operator";

/// What every reconcile needs.
struct Ctx {
    greetings: ResourceClient<Greeting>,
    config_maps: ResourceClient<ConfigMap>,
    events: Recorder,
}

/// Run one replica for `namespace` as `identity` until `shutdown` completes (then the lease is
/// released) or leadership is lost.
///
/// # Errors
/// When `config` does not make a client.
pub async fn run(
    config: Config,
    namespace: &str,
    identity: &str,
    lease: LeaseConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<Outcome, Error> {
    let rest = RestClient::new(&config)?;
    let crds = crate::crds::Clientset::from_rest_client(rest.clone());
    let core = kubeclient::Clientset::from_rest_client(rest.clone());
    let ctx = Arc::new(Ctx {
        greetings: crds.example_kubeclient_v1().greetings(namespace),
        config_maps: core.core_v1().config_maps(namespace),
        events: Recorder::new(&rest, MANAGER, identity),
    });
    let controller = Controller::new(ctx.greetings.clone())
        .owns(ctx.config_maps.clone())
        .filter(predicates::generation_changed)
        .concurrency(4);
    let elector = LeaderElector::new(&rest, namespace, MANAGER, identity, lease);
    let work = controller.run(move |g| reconcile(g, ctx.clone()), shutdown);
    Ok(elector.run(work).await)
}

/// Make the world match one Greeting.
async fn reconcile(g: Arc<Greeting>, ctx: Arc<Ctx>) -> Result<Action, Error> {
    let name = g.metadata.name.clone().unwrap_or_default();
    if finalizers::is_deleting(&g.metadata) {
        if finalizers::has(&g.metadata, FINALIZER) {
            // The clean-up this finalizer stands for; the ConfigMap goes with its owner.
            let note = format!("greeting {name} removed");
            ctx.events
                .publish_for(g.as_ref(), EventType::Normal, "Deleted", "Cleanup", &note);
            edit(&ctx.greetings, &name, |g| {
                finalizers::remove(&mut g.metadata, FINALIZER)
            })
            .await?;
        }
        return Ok(Action::await_change());
    }
    edit(&ctx.greetings, &name, |g| {
        finalizers::add(&mut g.metadata, FINALIZER)
    })
    .await?;

    let message = g
        .spec
        .as_ref()
        .map(|s| s.message.clone())
        .unwrap_or_default();
    // Typed server-side apply: only the fields set here are sent, and owned by MANAGER.
    let cm_name = format!("{name}-greeting");
    let namespace = g.metadata.namespace.clone().unwrap_or_default();
    let cm = ConfigMapApplyConfiguration::new(&cm_name, namespace)
        .with_owner_references(owners::controller_reference(g.as_ref()))
        .with_data([("message", message)]);
    let apply = ApplyOptions::new(MANAGER).force();
    ctx.config_maps.apply(&cm, &apply).await?;

    let generation = g.metadata.generation;
    let ready = conditions::new("Ready", true, "ConfigMapApplied", cm_name, generation);
    let changed = retry_on_conflict(|| async {
        let mut current = ctx.greetings.get(&name, &Default::default()).await?;
        let status = current.status.get_or_insert_with(Default::default);
        let mut conds: Vec<Condition> =
            convert::<_, Option<_>>(&status.conditions)?.unwrap_or_default();
        let changed =
            conditions::set(&mut conds, ready.clone()) | (status.observed_generation != generation);
        if changed {
            (status.conditions, status.observed_generation) = (convert(&conds)?, generation);
            ctx.greetings
                .update_status(&current, &Default::default())
                .await?;
        }
        Ok(changed)
    })
    .await?;
    if changed {
        let note = format!("generation {} applied", generation.unwrap_or(0));
        ctx.events
            .publish_for(g.as_ref(), EventType::Normal, "Synced", "Reconcile", &note);
    }
    // Check for drift now and then even without changes.
    Ok(Action::requeue(Duration::from_secs(300)))
}

/// Read `name` afresh, change it with `f`, write it back if `f` changed it; again on conflict.
async fn edit(
    c: &ResourceClient<Greeting>,
    name: &str,
    f: impl Fn(&mut Greeting) -> bool,
) -> Result<(), Error> {
    retry_on_conflict(|| async {
        let mut g = c.get(name, &Default::default()).await?;
        if f(&mut g) {
            c.update(&g, &Default::default()).await?;
        }
        Ok(())
    })
    .await
}

/// The generated condition type and the runtime's have the same JSON.
fn convert<A: Serialize, B: DeserializeOwned>(a: &A) -> Result<B, Error> {
    serde_json::from_value(serde_json::to_value(a).map_err(Error::Encode)?).map_err(Error::Encode)
}
