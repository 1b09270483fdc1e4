//! Walks over a parsed expression: refuse the JSONata 2.1 operators AWS's 2.0.6 rejects, and
//! rewrite calls of guarded built-ins to pass their context. Both walks keep an explicit
//! stack (the parser allows about 1000 levels of nesting).

use std::collections::HashSet;

use jsonata_core::ast::{AstNode, BinaryOp, Stage};

use super::error::{ErrorKind, JsonataError};
use super::functions::{context_name, GUARDED};

/// The direct children of a node: one body for the shared and the mutable walk (`$m` is
/// `mut` or nothing, `$iter` the matching slice iterator).
macro_rules! children_of {
    ($node:expr, $iter:ident $(, $m:tt)?) => {{
        let mut out: Vec<&$($m)? AstNode> = Vec::new();
        match $node {
            AstNode::Path { steps } => {
                for step in steps {
                    out.push(&$($m)? step.node);
                    for stage in &$($m)? step.stages {
                        if let Stage::Filter(f) = stage {
                            out.push(f);
                        }
                    }
                }
            }
            AstNode::Binary { lhs, rhs, .. } => {
                out.push(lhs);
                out.push(rhs);
            }
            AstNode::Unary { operand, .. } => out.push(operand),
            AstNode::Function { args, .. } => out.extend(args.$iter()),
            AstNode::Call { procedure, args } => {
                out.push(procedure);
                out.extend(args.$iter());
            }
            AstNode::Lambda { body, .. } => out.push(body),
            AstNode::Array(items) | AstNode::Block(items) | AstNode::ArrayGroup(items) => {
                out.extend(items.$iter())
            }
            AstNode::Object(pairs) => {
                for (k, v) in pairs {
                    out.push(k);
                    out.push(v);
                }
            }
            AstNode::ObjectTransform { input, pattern } => {
                out.push(input);
                for (k, v) in pattern {
                    out.push(k);
                    out.push(v);
                }
            }
            AstNode::Conditional {
                condition,
                then_branch,
                else_branch,
            } => {
                out.push(condition);
                out.push(then_branch);
                if let Some(e) = else_branch {
                    out.push(e);
                }
            }
            AstNode::FunctionApplication(e) => out.push(e),
            AstNode::Sort { input, terms } => {
                out.push(input);
                out.extend(terms.$iter().map(|(t, _)| t));
            }
            AstNode::Transform {
                location,
                update,
                delete,
            } => {
                out.push(location);
                out.push(update);
                if let Some(d) = delete {
                    out.push(d);
                }
            }
            AstNode::String(_)
            | AstNode::Name(_)
            | AstNode::Number(_)
            | AstNode::Boolean(_)
            | AstNode::Null
            | AstNode::Undefined
            | AstNode::Placeholder
            | AstNode::Regex { .. }
            | AstNode::Variable(_)
            | AstNode::ParentVariable(_)
            | AstNode::Wildcard
            | AstNode::Descendant
            | AstNode::Parent(_) => {}
        }
        out
    }};
}

/// The direct children of a node.
fn children(node: &AstNode) -> Vec<&AstNode> {
    children_of!(node, iter)
}

/// The direct children of a node, mutably.
fn children_mut(node: &mut AstNode) -> Vec<&mut AstNode> {
    children_of!(node, iter_mut, mut)
}

/// Refuse `??` and `?:` (JSONata 2.1), which AWS's JSONata 2.0.6 does not parse: AWS answers
/// with a syntax error; jsonata-js 2.0.6 raises S0211 (`?` followed by a symbol that cannot
/// start an operand).
///
/// Also collects the names the expression binds (`$x := ...`, lambda parameters), for
/// [`rewrite_guarded_calls`].
pub(crate) fn check(root: &AstNode) -> Result<HashSet<String>, JsonataError> {
    let mut bound = HashSet::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match node {
            AstNode::Binary { op, lhs, .. } => {
                let symbol = match op {
                    BinaryOp::Coalesce => Some("??"),
                    BinaryOp::Default => Some("?:"),
                    _ => None,
                };
                if let Some(symbol) = symbol {
                    return Err(JsonataError::new(
                        ErrorKind::Syntax,
                        Some("S0211".to_string()),
                        format!(
                            "S0211: The symbol {} cannot be used as a unary operator (the {symbol} \
                             operator is JSONata 2.1; AWS Step Functions runs JSONata 2.0.6, \
                             which does not have it: a JSONata 2.0 (AWS) restriction)",
                            &symbol[1..]
                        ),
                    ));
                }
                if *op == BinaryOp::ColonEqual {
                    if let AstNode::Variable(name) = &**lhs {
                        bound.insert(name.clone());
                    }
                }
            }
            AstNode::Lambda { params, .. } => bound.extend(params.iter().cloned()),
            _ => {}
        }
        stack.extend(children(node));
    }
    Ok(bound)
}

/// Rewrite each call `$pad(args)` of a guarded built-in (one the expression does not rebind) to
/// `$__sfnh_ctx_pad($, args)`, so the guard sees the context the built-in would fill in.
pub(crate) fn rewrite_guarded_calls(root: &mut AstNode, bound: &HashSet<String>) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if let AstNode::Function {
            name,
            args,
            is_builtin: true,
        } = node
        {
            if GUARDED.contains(&name.as_str()) && !bound.contains(name.as_str()) {
                *name = context_name(name);
                args.insert(0, AstNode::Variable(String::new()));
            }
        }
        stack.extend(children_mut(node));
    }
}
