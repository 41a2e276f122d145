//! Spec descriptions -> doc attributes that rustdoc renders as the text it is, without broken
//! intra-doc links, stray HTML tags or bare-URL warnings.

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
                '[' | ']' | '<' | '>' | '*' | '_' | '`' | '\\' | '#' => {
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

/// Markdown for one description: prose lines escaped; runs of indented lines (which markdown
/// would make code blocks and rustdoc would try to compile as Rust) fenced as `text`.
pub fn markdown(description: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut in_block = false;
    for line in description.lines() {
        let line = line.trim_end().replace('\t', "    ");
        let indented = line.starts_with("    ");
        if indented && !in_block {
            out.push("```text".into());
            in_block = true;
        } else if !indented && in_block && !line.is_empty() {
            out.push("```".into());
            in_block = false;
        }
        out.push(if in_block { line } else { escape(&line) });
    }
    if in_block {
        while out.last().is_some_and(|l| l.is_empty()) {
            out.pop();
        }
        out.push("```".into());
    }
    out.join("\n")
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
