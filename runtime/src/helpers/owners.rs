//! Owner references, as `metav1.NewControllerRef` and `metav1.GetControllerOf` make and read
//! them: the garbage collector deletes what an owner owns, and controllers map a dependent's
//! events to its controller.

use crate::meta::v1::{ObjectMeta, OwnerReference};
use crate::Resource;

/// The reference that makes `owner` the controller of a dependent (`controller: true`,
/// `blockOwnerDeletion: true`); `None` when `owner` has no name or uid yet (it was never
/// stored).
pub fn controller_reference<K: Resource>(owner: &K) -> Option<OwnerReference> {
    let meta = owner.metadata();
    Some(OwnerReference {
        api_version: K::API_VERSION.into(),
        kind: K::KIND.into(),
        name: meta.name.clone()?,
        uid: meta.uid.clone()?,
        controller: Some(true),
        block_owner_deletion: Some(true),
        ..Default::default()
    })
}

/// The reference to the object's controller, if it has one.
pub fn controller_of(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references
        .as_ref()?
        .iter()
        .find(|r| r.controller == Some(true))
}

/// Whether `owner` is the controller of the object `meta` describes (by uid).
pub fn is_controlled_by<K: Resource>(meta: &ObjectMeta, owner: &K) -> bool {
    controller_of(meta).is_some_and(|r| Some(&r.uid) == owner.metadata().uid.as_ref())
}

/// Another object already controls this one (an object has at most one controller).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} {name:?} already controls this object")]
pub struct AlreadyControlled {
    /// Kind of the existing controller.
    pub kind: String,
    /// Name of the existing controller.
    pub name: String,
}

/// Adds `reference` to `meta`, replacing one to the same uid; refuses a second controller, as
/// the API server does. Returns whether `meta` changed.
///
/// # Errors
/// [`AlreadyControlled`] when another object already controls this one.
pub fn set_owner(
    meta: &mut ObjectMeta,
    reference: OwnerReference,
) -> Result<bool, AlreadyControlled> {
    if reference.controller == Some(true) {
        if let Some(other) = controller_of(meta).filter(|r| r.uid != reference.uid) {
            return Err(AlreadyControlled {
                kind: other.kind.to_string(),
                name: other.name.to_string(),
            });
        }
    }
    let refs = meta.owner_references.get_or_insert_with(Vec::new);
    match refs.iter_mut().find(|r| r.uid == reference.uid) {
        Some(r) if *r == reference => Ok(false),
        Some(r) => {
            *r = reference;
            Ok(true)
        }
        None => {
            refs.push(reference);
            Ok(true)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scope;

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

    fn widget(name: &str, uid: &str) -> Widget {
        Widget {
            metadata: ObjectMeta {
                name: Some(name.into()),
                uid: Some(uid.into()),
                ..Default::default()
            },
        }
    }

    #[test]
    fn one_controller_per_object() {
        assert!(
            controller_reference(&Widget::default()).is_none(),
            "never stored"
        );
        let (a, b) = (widget("a", "u-a"), widget("b", "u-b"));
        let r = controller_reference(&a).unwrap();
        assert_eq!(
            (r.kind.as_str(), r.api_version.as_str()),
            ("Widget", "example.com/v1")
        );
        assert_eq!(
            (r.controller, r.block_owner_deletion),
            (Some(true), Some(true))
        );

        let mut dependent = ObjectMeta::default();
        assert_eq!(set_owner(&mut dependent, r.clone()), Ok(true));
        assert_eq!(set_owner(&mut dependent, r), Ok(false));
        assert!(is_controlled_by(&dependent, &a) && !is_controlled_by(&dependent, &b));
        let other = controller_reference(&b).unwrap();
        let err = set_owner(&mut dependent, other).unwrap_err();
        assert_eq!(err.to_string(), "Widget \"a\" already controls this object");
    }
}
