//! `Accept` header parsing for the endpoints that negotiate their response format (discovery,
//! OpenAPI). Resource endpoints answer JSON whatever was asked, so they do not use this.

/// One entry of an `Accept` list: `type/subtype;param=value;...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRange {
    /// `application/json`, `*/*`, ... (lower-case).
    pub essence: String,
    /// Parameters other than `q`, in order, names lower-cased.
    pub params: Vec<(String, String)>,
}

impl MediaRange {
    /// The value of parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// True when this range admits plain JSON (`application/json` without a target kind,
    /// `application/*`, `*/*`).
    pub fn admits_json(&self) -> bool {
        match self.essence.as_str() {
            "application/json" => self.param("as").is_none(),
            "application/*" | "*/*" => true,
            _ => false,
        }
    }
}

/// Parse `header` into its entries, most preferred first: higher `q` first, the order of
/// the header among equal `q` (what clients mean when they list several). A missing or empty
/// header means `*/*`; entries with `q=0` are dropped.
pub fn parse(header: Option<&str>) -> Vec<MediaRange> {
    let header = header
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .unwrap_or("*/*");
    let mut ranked: Vec<(u32, MediaRange)> = Vec::new();
    for entry in header.split(',') {
        let mut parts = entry.split(';').map(str::trim);
        let essence = parts.next().unwrap_or("").to_ascii_lowercase();
        if essence.is_empty() {
            continue;
        }
        let mut q = 1000;
        let mut params = Vec::new();
        for p in parts {
            let Some((k, v)) = p.split_once('=') else {
                continue;
            };
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().trim_matches('"'));
            if k == "q" {
                // Thousandths are enough for the three decimals HTTP allows.
                q = v
                    .parse::<f32>()
                    .map(|f| (f.clamp(0.0, 1.0) * 1000.0) as u32)
                    .unwrap_or(0);
            } else {
                params.push((k, v.to_string()));
            }
        }
        if q > 0 {
            ranked.push((q, MediaRange { essence, params }));
        }
    }
    // Stable: equal q keeps header order.
    ranked.sort_by_key(|(q, _)| std::cmp::Reverse(*q));
    ranked.into_iter().map(|(_, m)| m).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_params() {
        let r = parse(Some(
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;q=0.9,application/yaml;q=0",
        ));
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].param("v"), Some("v2"));
        assert!(!r[0].admits_json() && r[1].admits_json());
        let r = parse(Some("text/plain;q=0.5, application/json"));
        assert_eq!(r[0].essence, "application/json");
        assert!(parse(None)[0].admits_json());
    }
}
