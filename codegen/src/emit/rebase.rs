//! Code generated into a user's crate names the runtime through the crate the user depends on
//! (`::kubeclient::runtime`), so `kubeclient` is their only runtime dependency. Emitters write
//! `::kubeclient_runtime`, `::serde` and `::serde_json`; this rewrites those path roots.

use proc_macro2::{Group, TokenStream, TokenTree};

/// Rewrites every path rooted at `::kubeclient_runtime` to `runtime`, and every path rooted at
/// `::serde` / `::serde_json` to `runtime::serde` / `runtime::serde_json` (the runtime
/// re-exports both). `runtime` is a path such as `::kubeclient::runtime`.
pub fn rebase_runtime(tokens: TokenStream, runtime: &TokenStream) -> TokenStream {
    let tts: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(tts.len());
    let mut i = 0;
    while i < tts.len() {
        if let Some(root) = rooted_ident(&tts, i) {
            out.extend(runtime.clone());
            if root != "kubeclient_runtime" {
                let rest: TokenStream = format!(":: {root}").parse().unwrap_or_default();
                out.extend(rest);
            }
            i += 3;
            continue;
        }
        out.push(match &tts[i] {
            TokenTree::Group(g) => {
                let mut ng = Group::new(g.delimiter(), rebase_runtime(g.stream(), runtime));
                ng.set_span(g.span());
                TokenTree::Group(ng)
            }
            other => other.clone(),
        });
        i += 1;
    }
    out.into_iter().collect()
}

/// Keywords after which `::` starts a path rather than continuing one.
const STARTS_A_PATH: &[&str] = &[
    "as", "box", "const", "dyn", "else", "for", "if", "impl", "in", "let", "match", "move", "mut",
    "pub", "ref", "return", "static", "type", "unsafe", "use", "where", "while",
];

/// The crate name when `tts[i..]` starts a path `::name` at a path root (not `a::name`).
fn rooted_ident(tts: &[TokenTree], i: usize) -> Option<String> {
    let colon =
        |t: Option<&TokenTree>| matches!(t, Some(TokenTree::Punct(p)) if p.as_char() == ':');
    if !colon(tts.get(i)) || !colon(tts.get(i + 1)) {
        return None;
    }
    // `a::name`, `a::<T>::name`, `::a::name`: the `::` continues a path; after a keyword
    // (`impl ::x`, `dyn ::x`) or a lifetime (`&'a ::x`) it starts one.
    let before = |n: usize| i.checked_sub(n).and_then(|p| tts.get(p));
    let continues = match before(1) {
        Some(TokenTree::Ident(id)) => {
            let lifetime = matches!(before(2), Some(TokenTree::Punct(p)) if p.as_char() == '\'');
            !lifetime && !STARTS_A_PATH.contains(&id.to_string().as_str())
        }
        // After punctuation (`field: ::x`, `=> ::x`, `impl<'de> ::x`, `&::x`) a path starts.
        // `<T as Tr>::name` would continue one, but no associated item is named like these
        // crates.
        _ => false,
    };
    match tts.get(i + 2) {
        Some(TokenTree::Ident(id))
            if !continues
                && ["kubeclient_runtime", "serde", "serde_json"]
                    .contains(&id.to_string().as_str()) =>
        {
            Some(id.to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn only_path_roots_are_rewritten() {
        let runtime = quote!(::kubeclient::runtime);
        let code = quote! {
            impl ::kubeclient_runtime::Resource for X {}
            struct R<'a>(&'a ::serde_json::Value);
            impl<'de> ::serde::Deserialize<'de> for X {}
            struct S { field: ::kubeclient_runtime::meta::Quantity }
            fn g() -> ::serde_json::Value { match 1 { _ => ::serde_json::Value::Null } }
            fn f(v: ::serde_json::Value, s: &dyn ::serde::Serializer) -> a::serde::Y {
                vec![::std::string::String::new()]; T::<U>::serde
            }
        };
        let out = rebase_runtime(code, &runtime).to_string();
        assert!(
            out.contains(":: kubeclient :: runtime :: Resource"),
            "{out}"
        );
        assert!(
            out.contains(":: kubeclient :: runtime :: serde_json :: Value"),
            "{out}"
        );
        assert!(
            out.contains(":: kubeclient :: runtime :: serde :: Serializer"),
            "{out}"
        );
        assert!(out.contains("a :: serde :: Y"), "{out}");
        assert!(
            out.contains("'a :: kubeclient :: runtime :: serde_json"),
            "{out}"
        );
        assert!(out.contains(":: std :: string"), "{out}");
        assert!(!out.contains("kubeclient_runtime"), "{out}");
        assert!(!out.contains("> :: serde ::"), "{out}");
    }
}
