//! Mermaid flowchart text.
//!
//! Labels are always written in the quoted form (`id["text"]`, `-->|"text"|`), and inside the
//! quotes the characters Mermaid would read as syntax or markup are written as Mermaid's entity
//! codes (`#quot;`, `#35;`, `#lt;`, `#gt;`, `#amp;`, ...), the escape Mermaid documents for
//! flowchart text ("Entity codes to escape characters", <https://mermaid.js.org/syntax/flowchart.html>;
//! introduced in mermaid-js/mermaid issue #193: `#quot;` and decimal codes like `#9829;`).
//! Other non-ASCII text is kept as it is: Mermaid reads UTF-8.

use std::fmt::Write as _;

use super::graph::{EdgeKind, Point};
use super::view::{Class, View};

/// Colours shared with the HTML page: (class, fill, stroke, text).
pub(crate) const CLASSES: [(&str, &str, &str, &str); 4] = [
    ("visited", "#d4edda", "#2e7d32", "#1b3d1f"),
    ("failed", "#f8d7da", "#c62828", "#5a1010"),
    ("waiting", "#fff3cd", "#f9a825", "#5a4500"),
    ("notvisited", "#f4f4f4", "#bdbdbd", "#8a8a8a"),
];
/// Colour of an edge the execution took.
pub(crate) const TAKEN: &str = "#2e7d32";

/// Text for inside a quoted Mermaid label.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '|' => out.push_str("#124;"),
            ';' => out.push_str("#59;"),
            '%' => out.push_str("#37;"),
            '\\' => out.push_str("#92;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn label(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| escape(l))
        .collect::<Vec<_>>()
        .join("<br/>")
}

/// `open` and `close` of the node's shape.
fn shape(ty: &str) -> (&'static str, &'static str) {
    match ty {
        "Task" => ("[", "]"),
        "Choice" => ("{{", "}}"),
        "Succeed" | "Fail" => ("([", "])"),
        "missing" | "?" => ("[/", "/]"),
        _ => ("(", ")"),
    }
}

pub(crate) fn render(view: &View) -> String {
    let g = view.graph;
    // Wider labels than Mermaid's default of 200 px, so that resources and conditions wrap
    // less; room under subgraph titles, which Mermaid otherwise draws over their contents
    // when they wrap (Mermaid wraps them at about 24 characters whatever `wrappingWidth` says).
    let longest = g
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.is_container())
        .map(|(i, _)| view.lines(i).join(" · ").chars().count())
        .max()
        .unwrap_or(0);
    let title_lines = longest.div_ceil(24).max(1);
    let mut out = String::new();
    let _ = write!(
        out,
        "---\nconfig:\n  flowchart:\n    wrappingWidth: 320\n    subGraphTitleMargin:\n      top: 4\n      bottom: {}\n---\nflowchart TD\n",
        6 + 24 * (title_lines - 1)
    );
    scope(view, 0, 1, &mut out);

    for (i, e) in g.edges.iter().enumerate() {
        let from = view.point_id(e.from);
        let to = view.point_id(e.to);
        let arrow = if e.kind == EdgeKind::Catch {
            "-.->"
        } else {
            "-->"
        };
        let _ = i;
        match &e.label {
            Some(l) => {
                let _ = writeln!(out, "    {from} {arrow}|\"{}\"| {to}", escape(l));
            }
            None => {
                let _ = writeln!(out, "    {from} {arrow} {to}");
            }
        }
    }

    out.push_str("    classDef marker fill:#37474f,stroke:#37474f,color:#ffffff\n");
    if view.overlay {
        for (name, fill, stroke, color) in CLASSES {
            let extra = match name {
                "failed" | "waiting" => ",stroke-width:2px",
                _ => "",
            };
            let _ = writeln!(
                out,
                "    classDef {name} fill:{fill},stroke:{stroke},color:{color}{extra}"
            );
        }
    } else {
        out.push_str("    classDef fail fill:#fdecea,stroke:#c62828,color:#5a1010\n");
        out.push_str("    classDef missing fill:#fff8e1,stroke:#ff8f00,stroke-dasharray:4 3\n");
    }
    let markers: Vec<&str> = g
        .scopes
        .iter()
        .flat_map(|s| [s.start.as_str(), s.end.as_str()])
        .collect();
    let _ = writeln!(out, "    class {} marker", markers.join(","));
    for class in [
        Class::Visited,
        Class::Failed,
        Class::Waiting,
        Class::NotVisited,
        Class::Fail,
        Class::Missing,
    ] {
        let ids: Vec<&str> = g
            .nodes
            .iter()
            .enumerate()
            .filter(|(n, _)| view.class(*n) == Some(class))
            .map(|(_, node)| node.id.as_str())
            .collect();
        if !ids.is_empty() {
            let _ = writeln!(out, "    class {} {}", ids.join(","), class.name());
        }
    }
    if view.overlay && !g.edges.is_empty() {
        out.push_str("    linkStyle default stroke:#9e9e9e\n");
    }
    if !view.taken.is_empty() {
        let list: Vec<String> = view.taken.iter().map(usize::to_string).collect();
        let _ = writeln!(
            out,
            "    linkStyle {} stroke:{TAKEN},stroke-width:3px",
            list.join(",")
        );
    }
    out
}

fn indent(depth: usize) -> String {
    "    ".repeat(depth)
}

fn scope(view: &View, s: usize, depth: usize, out: &mut String) {
    let g = view.graph;
    let sc = &g.scopes[s];
    let pad = indent(depth);
    let marker = |p: Point| {
        let text = view.marker_label(p);
        format!("{}([\"{}\"])", view.point_id(p), escape(&text))
    };
    let _ = writeln!(out, "{pad}{}", marker(Point::Start(s)));
    for &n in &sc.members {
        let node = &g.nodes[n];
        let lines = view.lines(n);
        if node.is_container() {
            // One line: Mermaid draws a subgraph title of several lines over its contents.
            let title = lines
                .iter()
                .map(|l| escape(l))
                .collect::<Vec<_>>()
                .join(" · ");
            let _ = writeln!(out, "{pad}subgraph {} [\"{title}\"]", node.id);
            let _ = writeln!(out, "{}direction TB", indent(depth + 1));
            for &child in &node.children {
                let c = &g.scopes[child];
                match &c.subgraph {
                    Some(id) => {
                        let inner = indent(depth + 1);
                        let _ = writeln!(out, "{inner}subgraph {id} [\"{}\"]", escape(&c.title));
                        let _ = writeln!(out, "{}direction TB", indent(depth + 2));
                        scope(view, child, depth + 2, out);
                        let _ = writeln!(out, "{inner}end");
                    }
                    None => scope(view, child, depth + 1, out),
                }
            }
            let _ = writeln!(out, "{pad}end");
        } else {
            let (open, close) = shape(&node.ty);
            let _ = writeln!(out, "{pad}{}{open}\"{}\"{close}", node.id, label(&lines));
        }
    }
    let _ = writeln!(out, "{pad}{}", marker(Point::End(s)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_syntax_characters() {
        assert_eq!(
            escape("a \"b\" [c] #1 <d> & e|f; 100% `g` \\ ü"),
            "a #quot;b#quot; [c] #35;1 #lt;d#gt; #amp; e#124;f#59; 100#37; #96;g#96; #92; ü"
        );
        assert_eq!(escape("line\nbreak"), "line break");
    }
}
