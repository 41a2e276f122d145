//! A bound on YAML nesting depth, checked before parsing: the YAML parser's time grows with the
//! square of the nesting depth (32k levels in 64 KB took 6 s; 100k did not finish in 10 s), so
//! input nested deeper than any real kubeconfig or CRD is refused before it is parsed.
//!
//! The scan is one linear pass that over-estimates depth (it counts flow brackets, block
//! indicators and keys on a line, and indentation), skipping quoted scalars, comments and block
//! scalars, so a document it accepts is never deeper than the limit.
//! A copy of `kubeclient-runtime`'s `yaml_depth.rs` (the generator does not depend on the
//! runtime); change both together.

/// Deepest nesting accepted. Real kubeconfigs nest under 10 levels and CRD schemas under 100;
/// serde_json already refuses JSON nested deeper than 128.
pub const MAX_YAML_DEPTH: usize = 1000;

/// `Err(line)` (1-based) where `text`'s estimated nesting first exceeds `max`.
pub fn check_yaml_depth(text: &str, max: usize) -> Result<(), usize> {
    let mut flow = 0usize;
    let mut quote: Option<char> = None;
    let mut block_scalar: Option<usize> = None;
    for (n, line) in text.split('\n').enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(parent) = block_scalar {
            if line.trim().is_empty() || indent > parent {
                continue;
            }
            block_scalar = None;
        }
        // Indentation nests only two spaces a level in the worst case.
        let mut block = indent / 2;
        let mut at_value = true;
        let mut prev_space = true;
        let mut chars = line[indent..].chars().peekable();
        while let Some(c) = chars.next() {
            let next_is_space = chars.peek().is_none_or(|n| n.is_whitespace());
            if let Some(q) = quote {
                match c {
                    '\\' if q == '"' => {
                        chars.next();
                    }
                    '\'' if q == '\'' && chars.peek() == Some(&'\'') => {
                        chars.next();
                    }
                    c if c == q => {
                        quote = None;
                        at_value = false;
                    }
                    _ => {}
                }
                prev_space = false;
                continue;
            }
            match c {
                ' ' | '\t' | '\r' => {
                    prev_space = true;
                    continue;
                }
                '#' if prev_space => break,
                '"' | '\'' if at_value => quote = Some(c),
                '[' | '{' if at_value || flow > 0 => {
                    flow += 1;
                    at_value = true;
                }
                ']' | '}' if flow > 0 => {
                    flow -= 1;
                    at_value = false;
                }
                ',' if flow > 0 => at_value = true,
                '-' | '?' if at_value && flow == 0 && next_is_space => block += 1,
                ':' if next_is_space || flow > 0 => {
                    at_value = true;
                    if flow == 0 {
                        block += 1;
                    }
                }
                '|' | '>' if at_value && flow == 0 => {
                    block_scalar = Some(indent);
                    break;
                }
                // Anchors and tags precede the value they name.
                '&' | '!' if at_value => {
                    while chars.peek().is_some_and(|n| !n.is_whitespace()) {
                        chars.next();
                    }
                }
                _ => at_value = false,
            }
            prev_space = false;
            if flow + block > max {
                return Err(n + 1);
            }
        }
        if flow + block > max {
            return Err(n + 1);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{check_yaml_depth, MAX_YAML_DEPTH};

    #[test]
    fn real_documents_pass() {
        let doc = "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: \"https://x:1\"\n    list: [a, {b: [c]}]\n    text: |\n      [[[[[[[[[[\n      {{{{\n    quoted: \"[[[[[\\\"[[[\"\n    single: '[[''[['\n    note: range [0, 10) and { # comment [[[[\n";
        assert_eq!(check_yaml_depth(doc, 8), Ok(()));
    }

    #[test]
    fn deep_flow_and_block_nesting_is_refused() {
        let flow = "[".repeat(5000);
        assert_eq!(check_yaml_depth(&flow, MAX_YAML_DEPTH), Err(1));
        let block = format!("a:\n{}x\n", "- ".repeat(5000));
        assert_eq!(check_yaml_depth(&block, MAX_YAML_DEPTH), Err(2));
        let mapping = "{a: ".repeat(5000);
        assert_eq!(check_yaml_depth(&mapping, MAX_YAML_DEPTH), Err(1));
        let lines: String = (0..2000).map(|_| "[\n").collect();
        assert!(check_yaml_depth(&lines, MAX_YAML_DEPTH).is_err());
    }
}
