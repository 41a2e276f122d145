//! What the generator did not fully understand. Instead of silently dropping an unknown
//! `x-kubernetes-action`, a subresource it has no method for, a schema format it does not know,
//! a fixup whose quirk is gone or a property a handwritten apimachinery type lacks, every stage
//! records a [`Diagnostic`]; [`crate::Generated::report`] holds them and the CLI prints the
//! summary. Generation fails only where the output would be wrong (those are [`crate::Error`]s).

use std::collections::BTreeMap;
use std::fmt;

/// What a diagnostic is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Topic {
    /// An operation's `x-kubernetes-action` is not one the generator knows; the operation is
    /// not part of any typed client.
    UnknownAction,
    /// A subresource the typed clients have no method for (reachable through the REST builder;
    /// listed in the discovery table).
    SubresourceWithoutMethod,
    /// A query parameter of a `connect` operation (exec, attach, portforward, proxy) that the
    /// runtime's option type has no field for.
    UnknownConnectParameter,
    /// A `format` the generator does not know; the property uses its plain `type`.
    UnknownFormat,
    /// A fixup found its upstream quirk gone: it changed nothing and can be removed.
    StaleFixup,
    /// A property of a handwritten apimachinery type that the Rust type has no field for.
    HandwrittenFieldMissing,
    /// An apimachinery definition without a handwritten type, generated from the spec.
    GeneratedApimachinery,
    /// A definition or property of Kubernetes with no protobuf counterpart in the proto files:
    /// it is not written in protobuf bodies.
    ProtobufMissing,
    /// A protobuf field the OpenAPI spec does not describe: skipped when decoding.
    ProtobufExtra,
}

impl Topic {
    /// Short label for summaries.
    pub fn label(self) -> &'static str {
        match self {
            Topic::UnknownAction => "unknown x-kubernetes-action",
            Topic::SubresourceWithoutMethod => "subresource without a typed method",
            Topic::UnknownConnectParameter => "connect parameter without a typed option",
            Topic::UnknownFormat => "unknown format",
            Topic::StaleFixup => "stale fixup",
            Topic::HandwrittenFieldMissing => "property missing from a handwritten type",
            Topic::GeneratedApimachinery => "apimachinery definition generated from the spec",
            Topic::ProtobufMissing => "no protobuf counterpart",
            Topic::ProtobufExtra => "protobuf field not in the spec",
        }
    }
}

/// How much a diagnostic matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Expected and handled (generated apimachinery types).
    Note,
    /// Something the generator should learn; nothing is lost from the output's data.
    Warning,
    /// Data of this shape is dropped on decode (never silently: this entry says where).
    Lossy,
}

/// One thing the generator reports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// How much it matters.
    pub severity: Severity,
    /// What it is about.
    pub topic: Topic,
    /// Where: a definition and property, a path and method, a fixup name.
    pub subject: String,
    /// What was found and what the generator did about it.
    pub detail: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Lossy => "lossy",
        };
        write!(
            f,
            "{level}: {}: {}: {}",
            self.topic.label(),
            self.subject,
            self.detail
        )
    }
}

/// Every diagnostic of one run, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Build from unsorted diagnostics (sorted and deduplicated here, so output is stable).
    pub fn new(mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics.sort();
        diagnostics.dedup();
        Report { diagnostics }
    }

    /// Diagnostics of one topic.
    pub fn of(&self, topic: Topic) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(move |d| d.topic == topic)
    }

    /// Diagnostics at or above `severity`.
    pub fn at_least(&self, severity: Severity) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(move |d| d.severity >= severity)
    }

    /// One line per topic with its count, then every warning and lossy entry in full (notes
    /// are counted only).
    pub fn summary(&self) -> String {
        let mut counts: BTreeMap<Topic, usize> = BTreeMap::new();
        for d in &self.diagnostics {
            *counts.entry(d.topic).or_default() += 1;
        }
        let mut out = String::new();
        if counts.is_empty() {
            out.push_str("report: every part of the input was understood\n");
            return out;
        }
        let warnings = self.at_least(Severity::Warning).count();
        let lossy = self.at_least(Severity::Lossy).count();
        out.push_str(&format!(
            "report: {} diagnostics ({warnings} warnings, {lossy} lossy)\n",
            self.diagnostics.len()
        ));
        for (topic, n) in &counts {
            out.push_str(&format!("{n:>4} {}\n", topic.label()));
        }
        for d in self.at_least(Severity::Warning) {
            out.push_str(&format!("{d}\n"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_topics_and_lists_warnings() {
        let r = Report::new(vec![
            Diagnostic {
                severity: Severity::Note,
                topic: Topic::SubresourceWithoutMethod,
                subject: "v1/pods/exec".into(),
                detail: "connect".into(),
            },
            Diagnostic {
                severity: Severity::Warning,
                topic: Topic::UnknownAction,
                subject: "POST /apis/x/v1/things".into(),
                detail: "`frobnicate`".into(),
            },
        ]);
        let s = r.summary();
        assert!(
            s.starts_with("report: 2 diagnostics (1 warnings, 0 lossy)"),
            "{s}"
        );
        assert!(s.contains("   1 unknown x-kubernetes-action"), "{s}");
        assert!(
            s.contains("warning: unknown x-kubernetes-action: POST"),
            "{s}"
        );
        assert!(!s.contains("note:"), "{s}");
    }
}
