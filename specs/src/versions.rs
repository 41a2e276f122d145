//! The Kubernetes versions kubeclient knows (upstream URL and checksum of each spec), and the
//! parsing of a requested version.

use crate::LocateError;

/// A Kubernetes version we generate for, with the upstream file it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KubernetesVersion {
    /// Folder name, e.g. `v1.35`.
    pub name: &'static str,
    /// Upstream release the spec was taken from.
    pub release: &'static str,
    /// Where upstream publishes it.
    pub url: &'static str,
    /// sha256 of the file.
    pub sha256: &'static str,
}

/// Every supported version, oldest first.
pub const VERSIONS: &[KubernetesVersion] = &[
    KubernetesVersion {
        name: "v1.31",
        release: "v1.31.1",
        url: "https://raw.githubusercontent.com/kubernetes/kubernetes/v1.31.1/api/openapi-spec/swagger.json",
        sha256: "ddcb3d5c3d85849f1fadb56387d3a7bf44712da291e5bd08b34df4e8a4247f8d",
    },
    KubernetesVersion {
        name: "v1.33",
        release: "v1.33.1",
        url: "https://raw.githubusercontent.com/kubernetes/kubernetes/v1.33.1/api/openapi-spec/swagger.json",
        sha256: "2af5abf98554af1599e516f31f7f1698085e6faa12b816401f569c097b9f7ef6",
    },
    KubernetesVersion {
        name: "v1.34",
        release: "v1.34.0",
        url: "https://raw.githubusercontent.com/kubernetes/kubernetes/v1.34.0/api/openapi-spec/swagger.json",
        sha256: "d3b0cdc2fda15c753206d25ab459dc7c12df64e2fd652b6809687471ea751c37",
    },
    KubernetesVersion {
        name: "v1.35",
        release: "v1.35.0",
        url: "https://raw.githubusercontent.com/kubernetes/kubernetes/v1.35.0/api/openapi-spec/swagger.json",
        sha256: "483500149ee52ce5753d75f5639101d985bb4f5e902cc05b1ba7627465d62446",
    },
];

/// The version built when `KUBECLIENT_K8S_VERSION` is not set: the newest.
pub const DEFAULT_VERSION: &str = "v1.35";

/// A requested Kubernetes version: any `vMAJOR.MINOR`, with its table entry when it has one.
/// Versions missing from [`VERSIONS`] are generated too, from whatever spec the search order
/// finds; only the upstream checksum is then unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedVersion {
    /// Folder name, e.g. `v1.36`.
    pub name: String,
    /// The table entry (upstream URL, sha256), when the version is in [`VERSIONS`].
    pub known: Option<&'static KubernetesVersion>,
}

impl SelectedVersion {
    /// Upstream URL of the swagger file: the table's, or the one the release tag
    /// `vMAJOR.MINOR.0` would have.
    pub fn url(&self) -> String {
        match self.known {
            Some(k) => k.url.to_owned(),
            None => format!(
                "https://raw.githubusercontent.com/kubernetes/kubernetes/{}.0/api/openapi-spec/swagger.json",
                self.name
            ),
        }
    }
}

/// Accept `1.35`, `v1.35` or `v1.35.0` (any minor version, known to the table or not).
///
/// # Errors
/// [`LocateError::BadVersion`] when `requested` is not of that form.
pub fn select(requested: &str) -> Result<SelectedVersion, LocateError> {
    let r = requested.trim().trim_start_matches('v');
    let parts: Vec<&str> = r.split('.').collect();
    let numeric = |s: &&str| !s.is_empty() && s.len() <= 6 && s.bytes().all(|b| b.is_ascii_digit());
    if !(2..=3).contains(&parts.len()) || !parts.iter().all(numeric) {
        return Err(LocateError::BadVersion {
            requested: requested.to_owned(),
            known: VERSIONS
                .iter()
                .map(|v| v.name)
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let name = format!("v{}.{}", parts[0], parts[1]);
    let known = VERSIONS.iter().find(|v| v.name == name);
    Ok(SelectedVersion { name, known })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_minor_version_is_accepted() {
        let v = select("1.36").unwrap();
        assert_eq!((v.name.as_str(), v.known.is_none()), ("v1.36", true));
        assert!(v.url().contains("/v1.36.0/"), "{}", v.url());
        let v = select("v1.35.2").unwrap();
        assert_eq!(v.name, "v1.35");
        assert_eq!(v.known.map(|k| k.release), Some("v1.35.0"));
        for bad in ["", "latest", "v1", "v1.x", "v1.2.3.4", "v1.35/../x"] {
            assert!(
                matches!(select(bad), Err(LocateError::BadVersion { .. })),
                "{bad}"
            );
        }
    }
}
