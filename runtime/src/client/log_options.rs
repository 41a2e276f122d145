//! Query options of `pods/log` (core/v1 `PodLogOptions`).

/// Options of a container log request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogOptions {
    /// Container to read; optional when the pod has one container.
    pub container: Option<String>,
    /// Keep the stream open and follow new output.
    pub follow: bool,
    /// Logs of the previous, terminated container instance.
    pub previous: bool,
    /// Only lines newer than this many seconds.
    pub since_seconds: Option<i64>,
    /// Only the last this many lines.
    pub tail_lines: Option<i64>,
    /// Prefix every line with an RFC 3339 timestamp.
    pub timestamps: bool,
    /// Stop after this many bytes.
    pub limit_bytes: Option<i64>,
}

impl LogOptions {
    /// The options as query parameters, skipping unset ones.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(c) = &self.container {
            q.push(("container", c.clone()));
        }
        if self.follow {
            q.push(("follow", "true".into()));
        }
        if self.previous {
            q.push(("previous", "true".into()));
        }
        if let Some(s) = self.since_seconds {
            q.push(("sinceSeconds", s.to_string()));
        }
        if let Some(t) = self.tail_lines {
            q.push(("tailLines", t.to_string()));
        }
        if self.timestamps {
            q.push(("timestamps", "true".into()));
        }
        if let Some(l) = self.limit_bytes {
            q.push(("limitBytes", l.to_string()));
        }
        q
    }
}
