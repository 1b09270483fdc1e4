//! Procedural macros for `sfn-harness`: [`macro@test`].
//!
//! Use them through the main crate: `#[sfn_harness::test]`.

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Error, FnArg, ItemFn, Lit, Meta, ReturnType, Stmt, Token, Type};

struct Options {
    seed: Option<syn::LitInt>,
    real_time: bool,
    timeout_secs: Option<syn::LitInt>,
}

impl Parse for Options {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut o = Options {
            seed: None,
            real_time: false,
            timeout_secs: None,
        };
        let metas = Punctuated::<Meta, Token![,]>::parse_terminated(input)?;
        for meta in metas {
            let name = meta
                .path()
                .get_ident()
                .map(|i| i.to_string())
                .unwrap_or_default();
            match (name.as_str(), &meta) {
                ("seed", Meta::NameValue(nv)) => match &nv.value {
                    syn::Expr::Lit(syn::ExprLit { lit: Lit::Int(i), .. }) => o.seed = Some(i.clone()),
                    other => return Err(Error::new(other.span(), "`seed` takes an integer, e.g. `seed = 7`")),
                },
                ("timeout", Meta::NameValue(nv)) => match &nv.value {
                    syn::Expr::Lit(syn::ExprLit { lit: Lit::Int(i), .. }) => o.timeout_secs = Some(i.clone()),
                    other => {
                        return Err(Error::new(
                            other.span(),
                            "`timeout` takes whole seconds of wall time, e.g. `timeout = 30`",
                        ))
                    }
                },
                ("real_time", Meta::Path(_)) => o.real_time = true,
                ("virtual_time", Meta::Path(_)) => o.real_time = false,
                ("seed" | "timeout", _) => {
                    return Err(Error::new(meta.span(), format!("`{name}` needs a value, e.g. `{name} = 7`")))
                }
                ("real_time" | "virtual_time", _) => {
                    return Err(Error::new(meta.span(), format!("`{name}` is a flag and takes no value")))
                }
                _ => {
                    return Err(Error::new(
                        meta.span(),
                        format!(
                            "unknown option `{}`; expected `seed = N`, `timeout = SECONDS`, `real_time` or `virtual_time`",
                            if name.is_empty() { "?".to_string() } else { name }
                        ),
                    ))
                }
            }
        }
        Ok(o)
    }
}

/// A Tokio test that receives a fresh `Harness`.
///
/// ```ignore
/// #[sfn_harness::test(seed = 7)]
/// async fn approves(h: Harness) {
///     let m = h.create_state_machine("m", DEFINITION).await?;   // `?` works
///     let done = m.start(json!({})).await?.finish().await?;
///     assert_eq!(done.status(), Status::Succeeded);
/// }
/// ```
///
/// Options: `seed = N` (deterministic ids, tokens and start time), `real_time` /
/// `virtual_time` (the default), `timeout = SECONDS` (the wall-time bound of `finish()`).
/// The test runs on a multi-thread runtime with two workers. Expectations of scripted workers
/// are verified when it ends.
///
/// # What `?` accepts
///
/// A body without a return type runs as an `async` block returning
/// `Result<(), Box<dyn std::error::Error + Send + Sync>>`, so `?` takes any error that converts
/// into that box: `sfn_harness::HarnessError` (every harness call), the
/// `sfn_harness::VerificationError` of `h.verify()`, the AWS SDKs' errors,
/// `serde_json::Error`, `std::io::Error`, a `String` or `&str`. An error fails the test with
/// `` test `name` returned an error: `` and the error's text. A body that declares its own
/// return type (`-> Result<(), MyError>`) keeps it, and the test is an ordinary Tokio test
/// returning it.
#[proc_macro_attribute]
pub fn test(attr: TokenStream, item: TokenStream) -> TokenStream {
    let options = match syn::parse::<Options>(attr) {
        Ok(o) => o,
        Err(e) => return e.to_compile_error().into(),
    };
    let func = match syn::parse::<ItemFn>(item) {
        Ok(f) => f,
        Err(e) => return e.to_compile_error().into(),
    };
    match expand(options, func) {
        Ok(ts) => ts.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(options: Options, mut func: ItemFn) -> syn::Result<proc_macro2::TokenStream> {
    if func.sig.asyncness.is_none() {
        return Err(Error::new(
            func.sig.fn_token.span(),
            "#[sfn_harness::test] functions must be `async fn`",
        ));
    }
    let inputs: Vec<FnArg> = func.sig.inputs.iter().cloned().collect();
    let pattern = match inputs.as_slice() {
        [FnArg::Typed(arg)] => {
            let is_harness = match &*arg.ty {
                Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Harness"),
                _ => false,
            };
            if !is_harness {
                return Err(Error::new(
                    arg.ty.span(),
                    "the parameter of a #[sfn_harness::test] function must be a `Harness`, e.g. `h: Harness`",
                ));
            }
            arg.pat.clone()
        }
        [] => Box::new(syn::parse_quote!(_harness)),
        _ => return Err(Error::new(
            func.sig.inputs.span(),
            "#[sfn_harness::test] functions take one parameter, the `Harness` (e.g. `h: Harness`)",
        )),
    };
    if !func.sig.generics.params.is_empty() {
        return Err(Error::new(
            func.sig.generics.span(),
            "#[sfn_harness::test] functions cannot be generic",
        ));
    }
    let mut builder = quote!(::sfn_harness::Harness::builder());
    if let Some(seed) = &options.seed {
        builder = quote!(#builder.seed(#seed));
    }
    if options.real_time {
        builder = quote!(#builder.real_time());
    }
    if let Some(t) = &options.timeout_secs {
        builder = quote!(#builder.finish_timeout(::std::time::Duration::from_secs(#t)));
    }
    let name = &func.sig.ident;
    let attrs = &func.attrs;
    let vis = &func.vis;
    let span = Span::call_site();
    let body = match &func.sig.output {
        ReturnType::Default => {
            let mut stmts = std::mem::take(&mut func.block.stmts);
            if let Some(Stmt::Expr(e, semi @ None)) = stmts.last_mut() {
                let _ = e;
                *semi = Some(Default::default());
            }
            quote_spanned! {span=>
                let __sfn_result: ::core::result::Result<(), ::sfn_harness::__private::BoxError> = async {
                    #(#stmts)*
                    #[allow(unreachable_code)]
                    ::core::result::Result::Ok(())
                }
                .await;
                if let ::core::result::Result::Err(e) = __sfn_result {
                    ::core::panic!("test `{}` returned an error: {}", ::core::stringify!(#name), e);
                }
            }
        }
        ReturnType::Type(..) => {
            let block = &func.block;
            quote!(#block)
        }
    };
    let output = &func.sig.output;
    Ok(quote! {
        #(#attrs)*
        #[::sfn_harness::__private::tokio::test(flavor = "multi_thread", worker_threads = 2, crate = "::sfn_harness::__private::tokio")]
        #vis async fn #name() #output {
            #[allow(unused_mut)]
            let #pattern: ::sfn_harness::Harness = #builder.start().await;
            #body
        }
    })
}
