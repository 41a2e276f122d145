//! Who is calling: users from client certificates (CN = user, O = groups) and from a table of
//! bearer tokens.

use kubeclient_runtime::secret::Secret;

/// An authenticated user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    /// User name.
    pub name: String,
    /// Groups.
    pub groups: Vec<String>,
}

impl UserInfo {
    /// A user in `groups`.
    pub fn new(name: impl Into<String>, groups: &[&str]) -> Self {
        UserInfo {
            name: name.into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
        }
    }
}

/// The user a verified client certificate names; `None` when it has no CN.
pub fn user_from_certificate(der: &[u8]) -> Option<UserInfo> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let subject = cert.subject();
    let name = subject
        .iter_common_name()
        .next()?
        .as_str()
        .ok()?
        .to_string();
    let groups = subject
        .iter_organization()
        .filter_map(|o| o.as_str().ok().map(str::to_string))
        .collect();
    Some(UserInfo { name, groups })
}

/// Bearer tokens the server accepts.
#[derive(Debug, Default, Clone)]
pub struct TokenTable(Vec<(Secret, UserInfo)>);

impl TokenTable {
    /// Accept `token` as `user`.
    pub fn insert(&mut self, token: Secret, user: UserInfo) {
        self.0.push((token, user));
    }
    /// The user of an `Authorization` header value, if it carries a known bearer token.
    pub fn authenticate(&self, authorization: &str) -> Option<UserInfo> {
        let token = authorization
            .strip_prefix("Bearer ")
            .or_else(|| authorization.strip_prefix("bearer "))?
            .trim();
        self.0
            .iter()
            .find(|(t, _)| t.expose() == token)
            .map(|(_, u)| u.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_authenticate_only_exact_matches() {
        let mut t = TokenTable::default();
        t.insert(Secret::new("abc"), UserInfo::new("alice", &["devs"]));
        assert_eq!(
            t.authenticate("Bearer abc").map(|u| u.name),
            Some("alice".into())
        );
        assert!(t.authenticate("Bearer abcd").is_none());
        assert!(t.authenticate("Basic abc").is_none());
    }

    #[test]
    fn certificate_subject_names_user_and_group() {
        let pki = crate::tls::Pki::generate().expect("pki");
        let (pem, _key) = pki
            .issue_client("bob", Some("system:masters"))
            .expect("client cert");
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64)
            .expect("pem body");
        let u = user_from_certificate(&der).expect("parsed");
        assert_eq!(u, UserInfo::new("bob", &["system:masters"]));
    }
}

/// One permission: who may do which verbs on which resources in which namespaces. `"*"`
/// matches anything in each list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// User names and group names the rule applies to.
    pub subjects: Vec<String>,
    /// Verbs (`get`, `list`, ..., `impersonate`).
    pub verbs: Vec<String>,
    /// Resources as RBAC names them: `pods`, `pods/log`, `deployments`, `users` (impersonation).
    pub resources: Vec<String>,
    /// Namespaces (`""` names cluster-scoped requests).
    pub namespaces: Vec<String>,
}

impl Rule {
    /// A rule from string lists.
    pub fn new(subjects: &[&str], verbs: &[&str], resources: &[&str], namespaces: &[&str]) -> Self {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Rule {
            subjects: own(subjects),
            verbs: own(verbs),
            resources: own(resources),
            namespaces: own(namespaces),
        }
    }
    fn allows(&self, user: &UserInfo, verb: &str, resource: &str, namespace: &str) -> bool {
        let any = |list: &[String], x: &str| list.iter().any(|v| v == "*" || v == x);
        let subject = self
            .subjects
            .iter()
            .any(|s| s == &user.name || user.groups.contains(s));
        subject
            && any(&self.verbs, verb)
            && any(&self.resources, resource)
            && any(&self.namespaces, namespace)
    }
}

/// Decides whether a user may perform a request (403 Forbidden otherwise).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Authorizer {
    /// Every authenticated user may do everything.
    #[default]
    AllowAll,
    /// Members of `system:masters` may do everything; others what a rule allows.
    Rules(Vec<Rule>),
}

impl Authorizer {
    /// True when `user` may `verb` the `resource` (RBAC spelling, `pods/log` for subresources)
    /// in `namespace` (`""` for cluster scope).
    pub fn allows(&self, user: &UserInfo, verb: &str, resource: &str, namespace: &str) -> bool {
        match self {
            Authorizer::AllowAll => true,
            Authorizer::Rules(rules) => {
                // Everyone may ask about themselves (the `system:basic-user` cluster role).
                let about_self = verb == "create"
                    && matches!(
                        resource,
                        "selfsubjectaccessreviews"
                            | "selfsubjectrulesreviews"
                            | "selfsubjectreviews"
                    );
                about_self
                    || user.groups.iter().any(|g| g == "system:masters")
                    || rules
                        .iter()
                        .any(|r| r.allows(user, verb, resource, namespace))
            }
        }
    }
}

#[cfg(test)]
mod rule_tests {
    use super::*;

    #[test]
    fn rules_match_subjects_verbs_resources_namespaces() {
        let a = Authorizer::Rules(vec![Rule::new(
            &["devs"],
            &["get", "list"],
            &["pods"],
            &["dev"],
        )]);
        let alice = UserInfo::new("alice", &["devs"]);
        assert!(a.allows(&alice, "list", "pods", "dev"));
        assert!(!a.allows(&alice, "delete", "pods", "dev"));
        assert!(!a.allows(&alice, "list", "pods", "prod"));
        assert!(!a.allows(&alice, "list", "secrets", "dev"));
        assert!(a.allows(
            &UserInfo::new("root", &["system:masters"]),
            "delete",
            "secrets",
            "x"
        ));
        assert!(Authorizer::AllowAll.allows(&alice, "delete", "x", ""));
    }
}
