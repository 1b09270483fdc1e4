//! State names a worker can be mounted on, and the nearest ones to a name no machine has: the
//! warning for a worker that would otherwise be a silent no-op (`did you mean 'ShipItem'?`).

use std::sync::Arc;

use crate::asl::{Definition, StateKind};
use crate::engine::StateMachine;

/// Every state name of `def`, its Parallel branches and Map processors included, in
/// definition order.
fn collect(def: &Definition, out: &mut Vec<String>) {
    for s in &def.states {
        if !out.contains(&s.name) {
            out.push(s.name.clone());
        }
        match &s.kind {
            StateKind::Parallel(p) => p.branches.iter().for_each(|b| collect(b, out)),
            StateKind::Map(m) => collect(&m.processor, out),
            _ => {}
        }
    }
}

/// The number of single-character edits (insert, delete, substitute) from `a` to `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The warning for a worker mounted on `state` when no machine of `machines` has a state of
/// that name; `None` when one has, or when there are no machines yet to judge by.
pub(crate) fn unknown_state(
    label: &str,
    state: &str,
    machines: &[Arc<StateMachine>],
) -> Option<String> {
    let mut names = Vec::new();
    for m in machines {
        collect(&m.definition, &mut names);
    }
    if names.is_empty() || names.iter().any(|n| n == state) {
        return None;
    }
    let mut near: Vec<(usize, &String)> = names
        .iter()
        .map(|n| (edit_distance(&state.to_lowercase(), &n.to_lowercase()), n))
        .filter(|(d, _)| *d <= (state.chars().count() / 3).max(2))
        .collect();
    near.sort();
    let hint = match near.first() {
        Some((_, n)) => format!("did you mean '{n}'?"),
        None => {
            let shown: Vec<String> = names.iter().take(8).map(|n| format!("'{n}'")).collect();
            let more = if names.len() > 8 { ", …" } else { "" };
            format!("the states are {}{more}", shown.join(", "))
        }
    };
    Some(format!(
        "{label} is mounted on state '{state}', which no state machine of this harness has: it will never take a task ({hint})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_are_counted() {
        assert_eq!(edit_distance("ShipItem", "ShipItem"), 0);
        assert_eq!(edit_distance("ShipItme", "ShipItem"), 2);
        assert_eq!(edit_distance("Ship", "ShipItem"), 4);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
