//! Status conditions, as apimachinery's `meta.SetStatusCondition` and friends treat them.

use crate::meta::v1::{Condition, Time};

/// The condition of `type_`, if present.
pub fn find<'a>(conditions: &'a [Condition], type_: &str) -> Option<&'a Condition> {
    conditions.iter().find(|c| c.type_ == type_)
}

/// Whether the condition of `type_` is present with status `"True"`.
pub fn is_true(conditions: &[Condition], type_: &str) -> bool {
    find(conditions, type_).is_some_and(|c| c.status == "True")
}

/// Whether the condition of `type_` is present with status `"False"`.
pub fn is_false(conditions: &[Condition], type_: &str) -> bool {
    find(conditions, type_).is_some_and(|c| c.status == "False")
}

/// Adds `new` or updates the condition of its type; returns whether anything changed.
/// `lastTransitionTime` changes only when the status does (to `new`'s when set, else now);
/// reason, message and `observedGeneration` are taken from `new`.
pub fn set(conditions: &mut Vec<Condition>, mut new: Condition) -> bool {
    let Some(existing) = conditions.iter_mut().find(|c| c.type_ == new.type_) else {
        if new.last_transition_time == Time::default() {
            new.last_transition_time = Time::now();
        }
        conditions.push(new);
        return true;
    };
    let mut changed = false;
    if existing.status != new.status {
        existing.status = new.status;
        existing.last_transition_time = if new.last_transition_time == Time::default() {
            Time::now()
        } else {
            new.last_transition_time
        };
        changed = true;
    }
    for (old, new) in [
        (&mut existing.reason, new.reason),
        (&mut existing.message, new.message),
    ] {
        if *old != new {
            *old = new;
            changed = true;
        }
    }
    if existing.observed_generation != new.observed_generation {
        existing.observed_generation = new.observed_generation;
        changed = true;
    }
    changed
}

/// Removes the condition of `type_`; returns whether it was there.
pub fn remove(conditions: &mut Vec<Condition>, type_: &str) -> bool {
    let before = conditions.len();
    conditions.retain(|c| c.type_ != type_);
    conditions.len() != before
}

/// A condition to [`set`]: `observed_generation` is the generation the controller acted on
/// (the object's `metadata.generation`), so readers can tell a stale condition.
pub fn new(
    type_: &str,
    status: bool,
    reason: &str,
    message: impl Into<crate::Str>,
    observed_generation: Option<i64>,
) -> Condition {
    Condition {
        type_: type_.into(),
        status: if status { "True" } else { "False" }.into(),
        reason: reason.into(),
        message: message.into(),
        observed_generation,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transition_time_moves_only_with_the_status() {
        let mut list = Vec::new();
        assert!(set(&mut list, new("Ready", false, "Starting", "", Some(1))));
        let first = list[0].last_transition_time;
        assert_ne!(first, Time::default());
        // Same status, new reason and generation: changed, same transition time.
        assert!(set(&mut list, new("Ready", false, "Waiting", "x", Some(2))));
        assert_eq!(list[0].last_transition_time, first);
        assert_eq!(
            (list[0].reason.as_str(), list[0].observed_generation),
            ("Waiting", Some(2))
        );
        // Nothing new: unchanged.
        assert!(!set(
            &mut list,
            new("Ready", false, "Waiting", "x", Some(2))
        ));
        // A given transition time is kept.
        let mut t = new("Ready", true, "Up", "", Some(2));
        t.last_transition_time = Time(jiff::Timestamp::from_second(1_000).unwrap());
        assert!(set(&mut list, t));
        assert_eq!(list[0].last_transition_time.0.as_second(), 1_000);
        assert!(is_true(&list, "Ready") && !is_false(&list, "Ready"));
        assert!(!is_true(&list, "Synced") && find(&list, "Synced").is_none());
        assert!(remove(&mut list, "Ready") && !remove(&mut list, "Ready"));
    }
}
