//! Label selectors in the string form of `labelSelector` (`a=b,c!=d,e in (f,g),h notin (i),j,!k`),
//! as client-go's `labels.Parse`: used by listers on the client and by the test server.

use std::fmt;

/// One requirement of a selector.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A parsed label selector: every requirement must hold. The empty selector selects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector(Vec<Requirement>);

/// Why a selector string does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unable to parse requirement {requirement:?}: {why}")]
pub struct ParseError {
    /// The requirement text that failed.
    pub requirement: String,
    /// What is wrong with it.
    pub why: &'static str,
}

/// Split a selector string into its requirements: on commas that are not inside parentheses
/// (field selectors share the syntax).
pub fn split_requirements(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

fn set_values(rest: &str, whole: &str) -> Result<Vec<String>, ParseError> {
    let inner = rest
        .trim()
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| ParseError {
            requirement: whole.to_string(),
            why: "expected a parenthesised value set",
        })?;
    Ok(inner
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect())
}

impl Selector {
    /// Parse the string form; `""` selects everything.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let mut reqs = Vec::new();
        for part in split_requirements(s) {
            let own = |k: &str| k.trim().to_string();
            let req = if let Some(key) = part.strip_prefix('!') {
                Requirement::NotExists(own(key))
            } else if let Some((k, v)) = part.split_once("!=") {
                Requirement::NotEq(own(k), own(v))
            } else if let Some((k, v)) = part.split_once("==") {
                Requirement::Eq(own(k), own(v))
            } else if let Some((k, v)) = part.split_once('=') {
                Requirement::Eq(own(k), own(v))
            } else if let Some((k, rest)) = part.split_once(" notin ") {
                Requirement::NotIn(own(k), set_values(rest, part)?)
            } else if let Some((k, rest)) = part.split_once(" in ") {
                Requirement::In(own(k), set_values(rest, part)?)
            } else if part.contains(char::is_whitespace) || part.contains('(') {
                return Err(ParseError {
                    requirement: part.to_string(),
                    why: "not a label requirement",
                });
            } else {
                Requirement::Exists(part.to_string())
            };
            reqs.push(req);
        }
        Ok(Selector(reqs))
    }

    /// True when the labels `get` looks up satisfy every requirement.
    pub fn matches_with<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> bool {
        self.0.iter().all(|r| match r {
            Requirement::Eq(k, v) => get(k) == Some(v.as_str()),
            Requirement::NotEq(k, v) => get(k) != Some(v.as_str()),
            Requirement::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Requirement::NotIn(k, vs) => get(k).is_none_or(|x| vs.iter().all(|v| v != x)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::NotExists(k) => get(k).is_none(),
        })
    }

    /// True when `labels` (an object's `metadata.labels`) satisfy every requirement.
    pub fn matches<K, V>(&self, labels: Option<&crate::Map<K, V>>) -> bool
    where
        K: std::borrow::Borrow<str> + Ord,
        V: AsRef<str>,
    {
        self.matches_with(|k| labels.and_then(|l| l.get(k)).map(AsRef::as_ref))
    }

    /// True when it selects everything.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Building a selector requirement by requirement (client-go `labels.NewRequirement`); its
/// `to_string()` is the `labelSelector` query value.
///
/// ```
/// use kubeclient_runtime::labels::Selector;
/// let s = Selector::new().equals("app", "web").in_values("tier", ["front", "edge"]).does_not_exist("canary");
/// assert_eq!(s.to_string(), "app=web,tier in (front,edge),!canary");
/// ```
impl Selector {
    /// The empty selector (selects everything).
    pub fn new() -> Self {
        Self::default()
    }

    /// `key=value`.
    pub fn equals(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.with(Requirement::Eq(key.into(), value.into()))
    }

    /// `key!=value` (also selects objects without `key`).
    pub fn not_equals(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.with(Requirement::NotEq(key.into(), value.into()))
    }

    /// `key in (values)`.
    pub fn in_values(
        self,
        key: impl Into<String>,
        values: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        let values = values.into_iter().map(Into::into).collect();
        self.with(Requirement::In(key.into(), values))
    }

    /// `key notin (values)` (also selects objects without `key`).
    pub fn not_in_values(
        self,
        key: impl Into<String>,
        values: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        let values = values.into_iter().map(Into::into).collect();
        self.with(Requirement::NotIn(key.into(), values))
    }

    /// `key` (the label is present).
    pub fn exists(self, key: impl Into<String>) -> Self {
        self.with(Requirement::Exists(key.into()))
    }

    /// `!key` (the label is absent).
    pub fn does_not_exist(self, key: impl Into<String>) -> Self {
        self.with(Requirement::NotExists(key.into()))
    }

    /// The selector a `LabelSelector` (a Deployment's `spec.selector`) stands for, as client-go's
    /// `metav1.LabelSelectorAsSelector`.
    ///
    /// # Errors
    /// [`ParseError`] for an operator other than `In`, `NotIn`, `Exists`, `DoesNotExist`, or
    /// `In`/`NotIn` without values.
    pub fn from_label_selector(ls: &crate::meta::v1::LabelSelector) -> Result<Self, ParseError> {
        let mut s = Selector::new();
        for (k, v) in ls.match_labels.iter().flatten() {
            s = s.equals(k.as_str(), v.as_str());
        }
        for e in ls.match_expressions.iter().flatten() {
            let values: Vec<String> = e.values.iter().flatten().map(|v| v.to_string()).collect();
            let bad = |why| ParseError {
                requirement: format!("{} {}", e.key, e.operator),
                why,
            };
            s = match e.operator.as_str() {
                "In" | "NotIn" if values.is_empty() => {
                    return Err(bad("In and NotIn need at least one value"))
                }
                "In" => s.in_values(e.key.as_str(), values),
                "NotIn" => s.not_in_values(e.key.as_str(), values),
                "Exists" => s.exists(e.key.as_str()),
                "DoesNotExist" => s.does_not_exist(e.key.as_str()),
                _ => return Err(bad("unknown operator")),
            };
        }
        Ok(s)
    }

    fn with(mut self, r: Requirement) -> Self {
        self.0.push(r);
        self
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|r| match r {
                Requirement::Eq(k, v) => format!("{k}={v}"),
                Requirement::NotEq(k, v) => format!("{k}!={v}"),
                Requirement::In(k, vs) => format!("{k} in ({})", vs.join(",")),
                Requirement::NotIn(k, vs) => format!("{k} notin ({})", vs.join(",")),
                Requirement::Exists(k) => k.clone(),
                Requirement::NotExists(k) => format!("!{k}"),
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Map;

    #[test]
    fn built_selectors_render_and_parse_back() {
        let s = Selector::new()
            .equals("app", "web")
            .not_equals("tier", "db")
            .not_in_values("zone", ["a"])
            .exists("team");
        assert_eq!(s.to_string(), "app=web,tier!=db,zone notin (a),team");
        assert_eq!(Selector::parse(&s.to_string()).ok(), Some(s));
        let ls = crate::meta::v1::LabelSelector {
            match_labels: Some(Map::from([("app".into(), "web".into())])),
            match_expressions: Some(vec![crate::meta::v1::LabelSelectorRequirement {
                key: "env".into(),
                operator: "In".into(),
                values: Some(vec!["prod".into()]),
                ..Default::default()
            }]),
            ..Default::default()
        };
        let from = Selector::from_label_selector(&ls).map(|s| s.to_string());
        assert_eq!(from.ok().as_deref(), Some("app=web,env in (prod)"));
    }

    #[test]
    fn every_operator() {
        let labels: Map<String, String> = [("app", "web"), ("tier", "front")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let yes = [
            "app=web",
            "app==web",
            "tier!=back",
            "app in (web,db)",
            "tier notin (back)",
            "app",
            "!missing",
            "",
        ];
        for s in yes {
            assert!(Selector::parse(s).expect(s).matches(Some(&labels)), "{s}");
        }
        let no = [
            "app=db",
            "tier!=front",
            "app in (db)",
            "tier notin (front)",
            "missing",
            "!app",
        ];
        for s in no {
            assert!(!Selector::parse(s).expect(s).matches(Some(&labels)), "{s}");
        }
        assert!(Selector::parse("a in b").is_err());
        assert_eq!(
            Selector::parse("a=b, c in (d,e),!f")
                .expect("parses")
                .to_string(),
            "a=b,c in (d,e),!f"
        );
    }
}
