//! The closed sets of values some options take, as enums that render to the API's exact
//! strings (client-go's `metav1.DeletePropagationForeground`, `metav1.DryRunAll`, ...).

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! option_value {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            /// The value as the API spells it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => stringify!($variant),)*
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

option_value!(
    /// What happens to an object's dependents when it is deleted (`propagationPolicy`).
    PropagationPolicy {
        /// Keep the dependents and remove their owner reference.
        Orphan,
        /// Delete the owner now and the dependents afterwards, in the background.
        Background,
        /// Delete the dependents first (those with `blockOwnerDeletion`); the owner waits.
        Foreground,
    }
);

option_value!(
    /// How the server treats unknown or duplicate fields in a write (`fieldValidation`).
    FieldValidation {
        /// Drop them silently.
        Ignore,
        /// Drop them and answer with a warning header per field.
        Warn,
        /// Fail the request.
        Strict,
    }
);

option_value!(
    /// How a list applies `resourceVersion` (`resourceVersionMatch`).
    ResourceVersionMatch {
        /// Exactly that version (from the watch cache or etcd history).
        Exact,
        /// That version or newer.
        NotOlderThan,
    }
);

option_value!(
    /// Dry-run stages of a write (`dryRun`); `All` is the only one the API defines.
    DryRun {
        /// Run every stage (validation, admission) but persist nothing.
        All,
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_render_as_the_api_spells_them() {
        assert_eq!(PropagationPolicy::Foreground.to_string(), "Foreground");
        assert_eq!(FieldValidation::Strict.as_str(), "Strict");
        assert_eq!(ResourceVersionMatch::NotOlderThan.as_str(), "NotOlderThan");
        assert_eq!(
            serde_json::to_string(&PropagationPolicy::Orphan)
                .ok()
                .as_deref(),
            Some("\"Orphan\"")
        );
        assert_eq!(DryRun::All.as_str(), "All");
    }
}
