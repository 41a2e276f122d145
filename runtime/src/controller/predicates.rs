//! Which informer events are worth a reconcile (controller-runtime's `predicate` package), for
//! [`super::Controller::filter`]. Additions and deletions always pass; an update passes when
//! the part the predicate looks at changed. Without a filter, each status write a reconcile
//! makes comes back as an update and reconciles the object again.

use crate::cache::Event;
use crate::Resource;

fn updated<K: Resource>(event: &Event<K>, changed: impl Fn(&K, &K) -> bool) -> bool {
    match event {
        Event::Updated { old, new } => changed(old, new),
        Event::Added { .. } | Event::Deleted(_) => true,
    }
}

/// The spec changed (`metadata.generation` moved), or deletion began. Objects without a
/// generation (the API server sets it for CRDs and most built-in kinds) always pass.
pub fn generation_changed<K: Resource>(event: &Event<K>) -> bool {
    updated(event, |old, new| {
        let (o, n) = (old.metadata(), new.metadata());
        n.generation.is_none()
            || o.generation != n.generation
            || o.deletion_timestamp.is_some() != n.deletion_timestamp.is_some()
    })
}

/// The labels changed.
pub fn labels_changed<K: Resource>(event: &Event<K>) -> bool {
    updated(event, |old, new| {
        old.metadata().labels != new.metadata().labels
    })
}

/// The annotations changed.
pub fn annotations_changed<K: Resource>(event: &Event<K>) -> bool {
    updated(event, |old, new| {
        old.metadata().annotations != new.metadata().annotations
    })
}

/// The finalizers changed (a finalizer added or removed).
pub fn finalizers_changed<K: Resource>(event: &Event<K>) -> bool {
    updated(event, |old, new| {
        old.metadata().finalizers != new.metadata().finalizers
    })
}

/// Passes when any of `predicates` passes.
pub fn any<K: Resource>(
    predicates: impl IntoIterator<Item = fn(&Event<K>) -> bool>,
) -> impl Fn(&Event<K>) -> bool + Send + Sync + 'static {
    let list: Vec<fn(&Event<K>) -> bool> = predicates.into_iter().collect();
    move |e| list.iter().any(|p| p(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::v1::ObjectMeta;
    use crate::Scope;
    use std::sync::Arc;

    #[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
    struct Widget {
        metadata: ObjectMeta,
    }

    impl Resource for Widget {
        const GROUP: &'static str = "example.com";
        const VERSION: &'static str = "v1";
        const API_VERSION: &'static str = "example.com/v1";
        const KIND: &'static str = "Widget";
        const PLURAL: &'static str = "widgets";
        const SCOPE: Scope = Scope::Namespaced;
        fn metadata(&self) -> &ObjectMeta {
            &self.metadata
        }
        fn metadata_mut(&mut self) -> &mut ObjectMeta {
            &mut self.metadata
        }
    }

    fn update(old: ObjectMeta, new: ObjectMeta) -> Event<Widget> {
        Event::Updated {
            old: Arc::new(Widget { metadata: old }),
            new: Arc::new(Widget { metadata: new }),
        }
    }

    #[test]
    fn updates_pass_only_when_their_part_changed() {
        let g1 = ObjectMeta {
            generation: Some(1),
            ..Default::default()
        };
        let mut status_write = g1.clone();
        status_write.resource_version = Some("9".into());
        assert!(!generation_changed(&update(g1.clone(), status_write)));
        let mut g2 = g1.clone();
        g2.generation = Some(2);
        assert!(generation_changed(&update(g1.clone(), g2.clone())));
        let mut labelled = g1.clone();
        labelled.labels = Some([("a".into(), "b".into())].into());
        assert!(!generation_changed(&update(g1.clone(), labelled.clone())));
        assert!(labels_changed(&update(g1.clone(), labelled.clone())));
        assert!(!annotations_changed(&update(g1.clone(), labelled.clone())));
        let either = any([generation_changed, labels_changed]);
        assert!(either(&update(g1.clone(), labelled)));
        assert!(generation_changed(&Event::Added {
            obj: Arc::new(Widget { metadata: g1 }),
            initial_list: false
        }));
    }
}
