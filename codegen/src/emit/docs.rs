//! Spec descriptions -> doc attributes that rustdoc renders as the text it is, without broken
//! intra-doc links, stray HTML tags or bare-URL warnings.
//!
//! Descriptions and names come from specs and CRDs we do not control. Rustdoc compiles and runs
//! every Rust code block of a doc comment (fenced with backticks or tildes, or indented by four
//! spaces, also inside list items), so none may survive: fence characters are escaped, indented
//! runs are fenced as `text`, and names are kept on one line.

use proc_macro2::TokenStream;
use quote::quote;

/// Escape markdown that rustdoc would misread in a Kubernetes description.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for word in split_keep_ws(text) {
        let url_at = word.find("https://").or_else(|| word.find("http://"));
        // A URL template such as `http://<host>/<path>` is prose, not a link.
        if let Some(at) = url_at.filter(|at| !word[*at..].contains(['<', '>', '`'])) {
            // Wrap URLs so rustdoc links them instead of warning; keep punctuation outside.
            escape_plain(&word[..at], &mut out);
            let url = &word[at..];
            let trimmed = url.trim_end_matches(['.', ',', ')', ';', ':', '"', '\'']);
            out.push('<');
            out.push_str(trimmed);
            out.push('>');
            escape_plain(&url[trimmed.len()..], &mut out);
            continue;
        }
        escape_plain(word, &mut out);
    }
    out
}

fn escape_plain(word: &str, out: &mut String) {
    {
        for c in word.chars() {
            match c {
                '[' | ']' | '<' | '>' | '*' | '_' | '`' | '~' | '\\' | '#' => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
    }
}

fn split_keep_ws(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let is_ws = rest.starts_with(char::is_whitespace);
        let end = rest
            .char_indices()
            .find(|(_, c)| c.is_whitespace() != is_ws)
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        let (head, tail) = rest.split_at(end);
        rest = tail;
        Some(head)
    })
}

/// `text` on one line: control characters (line breaks above all, which would end a comment or
/// start a markdown block) written as escapes.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A spec-derived name as a markdown code span, whatever backticks or line breaks it holds.
pub fn code(name: &str) -> String {
    let name = one_line(name);
    // A span's delimiter must be longer than any backtick run inside it.
    let mut longest = 0;
    let mut run = 0;
    for c in name.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let ticks = "`".repeat(longest + 1);
    if longest == 0 {
        format!("{ticks}{name}{ticks}")
    } else {
        format!("{ticks} {name} {ticks}")
    }
}

/// A prose line whose inner runs of four or more spaces are one space: a list marker followed by
/// five spaces would otherwise open an indented code block inside the list item.
fn collapse_inner_ws(line: &str) -> String {
    let body = line.trim_start_matches(' ');
    let mut out = String::with_capacity(line.len());
    out.push_str(&line[..line.len() - body.len()]);
    let mut run = 0;
    for c in body.chars() {
        if c == ' ' {
            run += 1;
            continue;
        }
        out.push_str(if run >= 4 { " " } else { &"   "[..run] });
        run = 0;
        out.push(c);
    }
    out
}

/// Markdown for one description: prose lines escaped; runs of indented lines (which markdown
/// would make code blocks and rustdoc would try to compile as Rust) fenced as `text`.
pub fn markdown(description: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut in_block = false;
    // Markdown also ends lines at a lone CR; `str::lines` does not.
    let normalized = description.replace("\r\n", "\n").replace('\r', "\n");
    for line in normalized.lines() {
        let line = one_line_keep_tabs(line.trim_end()).replace('\t', "    ");
        let indented = line.starts_with("    ");
        if indented && !in_block {
            out.push("```text".into());
            in_block = true;
        } else if !indented && in_block && !line.is_empty() {
            out.push("```".into());
            in_block = false;
        }
        out.push(if in_block {
            line
        } else {
            escape(&collapse_inner_ws(&line))
        });
    }
    if in_block {
        while out.last().is_some_and(|l| l.is_empty()) {
            out.pop();
        }
        out.push("```".into());
    }
    out.join("\n")
}

/// [`one_line`] that leaves tabs to the caller (they become indentation).
fn one_line_keep_tabs(line: &str) -> String {
    line.split('\t')
        .map(one_line)
        .collect::<Vec<_>>()
        .join("\t")
}

/// `#[doc = "..."]` attributes for an optional description plus extra paragraphs.
pub fn doc_attrs(description: Option<&str>, extra: &[String]) -> TokenStream {
    let mut paragraphs: Vec<String> = Vec::new();
    if let Some(d) = description.map(str::trim).filter(|d| !d.is_empty()) {
        paragraphs.push(markdown(d));
    }
    paragraphs.extend(extra.iter().cloned());
    let text = paragraphs.join("\n\n");
    if text.is_empty() {
        return TokenStream::new();
    }
    // One attribute per line: prettyplease prints them as `///` lines.
    let lines = text.lines().map(|l| format!(" {l}"));
    quote! { #( #[doc = #lines] )* }
}

#[cfg(test)]
mod tests {
    #[test]
    fn indented_lines_become_text_blocks() {
        let md = super::markdown("Example:\n\n    [\n      {op: x}\n    ]\nafter [x]");
        assert_eq!(
            md,
            "Example:\n\n```text\n    [\n      {op: x}\n    ]\n```\nafter \\[x\\]"
        );
    }

    #[test]
    fn escapes_markdown_and_wraps_urls() {
        assert_eq!(
            super::escape("see [x] <y> at https://k8s.io/docs."),
            "see \\[x\\] \\<y\\> at <https://k8s.io/docs>."
        );
    }
}
