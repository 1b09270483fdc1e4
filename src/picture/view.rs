//! The per-node facts both renderers draw: class, label lines, taken edges.

use std::collections::BTreeSet;

use super::graph::{Graph, Point};
use super::overlay::{Overlay, Status};
use super::time::format_duration;

/// How a node is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Visited,
    Failed,
    Waiting,
    NotVisited,
    /// A Fail state in a picture without an execution.
    Fail,
    /// A placeholder for a state the definition lacks.
    Missing,
}

impl Class {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Class::Visited => "visited",
            Class::Failed => "failed",
            Class::Waiting => "waiting",
            Class::NotVisited => "notvisited",
            Class::Fail => "fail",
            Class::Missing => "missing",
        }
    }
}

/// A graph with what is known about one execution.
pub(crate) struct View<'a> {
    pub graph: &'a Graph,
    pub ov: Option<&'a Overlay>,
    /// (node, note) of waiting facts given by the caller.
    pub waiting: Vec<(usize, String)>,
    /// Whether the picture shows an execution (history or waiting facts).
    pub overlay: bool,
    pub taken: BTreeSet<usize>,
}

impl<'a> View<'a> {
    pub(crate) fn new(
        graph: &'a Graph,
        ov: Option<&'a Overlay>,
        facts: &[(String, String)],
    ) -> Self {
        let mut waiting = Vec::new();
        for (state, note) in facts {
            for &n in graph.by_name.get(state).into_iter().flatten() {
                waiting.push((n, note.clone()));
            }
        }
        View {
            graph,
            ov,
            overlay: ov.is_some() || !waiting.is_empty(),
            waiting,
            taken: ov.map(|o| o.taken.clone()).unwrap_or_default(),
        }
    }

    fn note(&self, n: usize) -> Option<&str> {
        self.waiting
            .iter()
            .find(|(w, _)| *w == n)
            .map(|(_, note)| note.as_str())
    }

    pub(crate) fn class(&self, n: usize) -> Option<Class> {
        let node = &self.graph.nodes[n];
        if node.ty == "missing" {
            return Some(Class::Missing);
        }
        if self.note(n).is_some() {
            return Some(Class::Waiting);
        }
        match self.ov {
            Some(ov) => {
                let s = &ov.nodes[n];
                Some(if s.waiting {
                    Class::Waiting
                } else if s.failed {
                    Class::Failed
                } else if s.entered > 0 {
                    Class::Visited
                } else {
                    Class::NotVisited
                })
            }
            None if self.overlay => None,
            None if node.ty == "Fail" => Some(Class::Fail),
            None => None,
        }
    }

    /// Name, definition details, then what the execution did.
    pub(crate) fn lines(&self, n: usize) -> Vec<String> {
        let node = &self.graph.nodes[n];
        let mut lines = vec![node.name.clone()];
        lines.extend(node.lines.iter().cloned());
        if let Some(ov) = self.ov {
            let s = &ov.nodes[n];
            if s.entered > 0 {
                let mut line = format!("×{}", s.entered);
                if let Some(secs) = s.seconds {
                    let more = if s.open_time { "≥" } else { "" };
                    line.push_str(&format!(" · {more}{}", format_duration(secs)));
                }
                lines.push(line);
            }
            if s.failed {
                let times = if s.failures > 1 {
                    format!(" ×{}", s.failures)
                } else {
                    String::new()
                };
                lines.push(format!(
                    "✗ {}{times}",
                    s.error.clone().unwrap_or_else(|| "failed".to_string())
                ));
            } else if s.failures > 0 {
                let plural = if s.failures == 1 { "" } else { "s" };
                lines.push(format!("↻ retried after {} failure{plural}", s.failures));
            }
            if s.waiting && self.note(n).is_none() {
                lines.push("◔ waiting".to_string());
            }
        }
        if let Some(note) = self.note(n) {
            lines.push(if note.is_empty() {
                "◔ waiting".to_string()
            } else {
                format!("◔ waiting: {note}")
            });
        }
        lines.into_iter().map(|l| super::graph::cut(&l)).collect()
    }

    pub(crate) fn point_id(&self, p: Point) -> &str {
        match p {
            Point::Start(s) => &self.graph.scopes[s].start,
            Point::End(s) => &self.graph.scopes[s].end,
            Point::Node(n) => &self.graph.nodes[n].id,
        }
    }

    /// `Start`/`End`; the machine's end marker carries the execution's status.
    pub(crate) fn marker_label(&self, p: Point) -> String {
        match p {
            Point::Start(_) => "Start".to_string(),
            Point::End(0) => match self.ov {
                Some(ov) => match (ov.status, &ov.error) {
                    (Status::Running, _) => "End · RUNNING".to_string(),
                    (st, Some(e)) if st != Status::Succeeded => {
                        format!("End · {} {e}", st.as_str())
                    }
                    (st, _) => format!("End · {}", st.as_str()),
                },
                None => "End".to_string(),
            },
            Point::End(_) => "End".to_string(),
            Point::Node(n) => self.graph.nodes[n].name.clone(),
        }
    }
}
