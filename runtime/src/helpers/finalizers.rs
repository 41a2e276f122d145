//! Finalizers on an object's metadata, as controller-runtime's `controllerutil` handles them.

use crate::meta::v1::ObjectMeta;

/// Whether `meta` lists `finalizer`.
pub fn has(meta: &ObjectMeta, finalizer: &str) -> bool {
    meta.finalizers
        .as_ref()
        .is_some_and(|f| f.iter().any(|x| x == finalizer))
}

/// Adds `finalizer` unless present; returns whether it was added (the object needs writing).
pub fn add(meta: &mut ObjectMeta, finalizer: &str) -> bool {
    if has(meta, finalizer) {
        return false;
    }
    meta.finalizers
        .get_or_insert_with(Vec::new)
        .push(finalizer.into());
    true
}

/// Removes `finalizer`; returns whether it was there. An emptied list becomes `None`, so the
/// field is left out of the written object.
pub fn remove(meta: &mut ObjectMeta, finalizer: &str) -> bool {
    let Some(list) = meta.finalizers.as_mut() else {
        return false;
    };
    let before = list.len();
    list.retain(|x| x != finalizer);
    let removed = list.len() != before;
    if list.is_empty() {
        meta.finalizers = None;
    }
    removed
}

/// Whether the object is being deleted (it has a `deletionTimestamp`): the moment to run the
/// clean-up a finalizer stands for, then [`remove`] it.
pub fn is_deleting(meta: &ObjectMeta) -> bool {
    meta.deletion_timestamp.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_and_remove_report_changes() {
        let mut m = ObjectMeta::default();
        assert!(add(&mut m, "example.com/cleanup"));
        assert!(!add(&mut m, "example.com/cleanup"));
        assert!(has(&m, "example.com/cleanup"));
        assert!(!remove(&mut m, "other"));
        assert!(remove(&mut m, "example.com/cleanup"));
        assert_eq!(m.finalizers, None);
        assert!(!is_deleting(&m));
    }
}
