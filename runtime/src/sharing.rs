//! Equal texts kept once while decoding a batch of objects.
//!
//! The pods of one ReplicaSet carry the same managedFields sets, a few kilobytes each: a list of
//! 10,000 such pods would otherwise hold 10,000 copies. Inside [`scope`], each distinct
//! [`FieldsV1`](crate::meta::v1::FieldsV1) text is allocated once and shared (`Arc<str>`) by every
//! object decoded there. The REST client decodes every response body, JSON or protobuf, inside a
//! scope; call it yourself when you decode bodies with `serde_json` directly.
//!
//! The table lives only as long as the outermost scope, so it never outgrows what was decoded in
//! it.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;

type Table = HashSet<Arc<str>, foldhash::fast::RandomState>;

thread_local! {
    static TABLE: RefCell<Option<Table>> = const { RefCell::new(None) };
}

/// Run `decode` with equal texts shared among everything it decodes on this thread. Nested
/// scopes share the outermost one's table.
pub fn scope<R>(decode: impl FnOnce() -> R) -> R {
    let outermost = TABLE.with(|t| {
        let mut t = t.borrow_mut();
        let fresh = t.is_none();
        if fresh {
            *t = Some(Table::default());
        }
        fresh
    });
    // Dropped on return or unwind, so a panic inside cannot leave the table behind.
    struct Clear(bool);
    impl Drop for Clear {
        fn drop(&mut self) {
            if self.0 {
                TABLE.with(|t| t.borrow_mut().take());
            }
        }
    }
    let _clear = Clear(outermost);
    decode()
}

/// `text` as a shared string: the copy already made in this scope if there is one.
pub(crate) fn text(text: &str) -> Arc<str> {
    TABLE.with(|t| match t.borrow_mut().as_mut() {
        None => Arc::from(text),
        Some(table) => match table.get(text) {
            Some(seen) => Arc::clone(seen),
            None => {
                let new: Arc<str> = Arc::from(text);
                table.insert(Arc::clone(&new));
                new
            }
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_are_one_allocation_inside_a_scope_only() {
        let (a, b) = scope(|| (text("{\"f:spec\":{}}"), text("{\"f:spec\":{}}")));
        assert!(Arc::ptr_eq(&a, &b));
        let (c, d) = (text("{}"), text("{}"));
        assert!(!Arc::ptr_eq(&c, &d), "outside a scope nothing is kept");
    }

    #[test]
    fn nested_scopes_share_the_outer_table_and_it_is_dropped_after() {
        let (a, b) = scope(|| (text("x"), scope(|| text("x"))));
        assert!(Arc::ptr_eq(&a, &b));
        assert!(TABLE.with(|t| t.borrow().is_none()));
        let _ = std::panic::catch_unwind(|| scope(|| panic!("decode failed")));
        assert!(
            TABLE.with(|t| t.borrow().is_none()),
            "a panic clears the table"
        );
    }
}
