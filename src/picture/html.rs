//! The self-contained HTML page: the picture drawn as inline SVG with a simple layered
//! layout of its own (no Mermaid script, nothing fetched), and the history as a table.
//!
//! Layout, per scope, innermost first: the scope's items (start marker, states, end marker)
//! are put in layers by the longest path from the start marker over the forward edges (edges
//! that close a loop are found by a depth-first search and drawn as back edges on the right);
//! the end marker gets the last layer. Within a layer, items sit under the mean of their
//! predecessors. A Parallel or Map state is a framed group around its inner scopes, laid out
//! side by side. All numbers are computed with fixed rules from the input, so the page is
//! deterministic.

use std::fmt::Write as _;

use super::graph::{EdgeKind, Point};
use super::mermaid::{CLASSES, TAKEN};
use super::time::format_duration;
use super::view::{Class, View};

const CHAR_W: f64 = 7.2;
const LINE_H: f64 = 15.0;
const PAD_X: f64 = 10.0;
const PAD_Y: f64 = 7.0;
const HGAP: f64 = 28.0;
const VGAP: f64 = 48.0;
const MIN_W: f64 = 90.0;
const FRAME: f64 = 12.0;
const LANE: f64 = 12.0;

/// HTML/XML text escaping.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Display width of a line in monospace cells (East Asian wide characters count two).
fn cells(s: &str) -> f64 {
    s.chars()
        .map(|c| {
            let u = c as u32;
            if (0x1100..=0x115F).contains(&u)
                || (0x2E80..=0xA4CF).contains(&u)
                || (0xAC00..=0xD7A3).contains(&u)
                || (0xF900..=0xFAFF).contains(&u)
                || (0xFE30..=0xFE4F).contains(&u)
                || (0xFF00..=0xFF60).contains(&u)
                || (0x1F300..=0x1FAFF).contains(&u)
            {
                2.0
            } else {
                1.0
            }
        })
        .sum()
}

fn text_w(lines: &[String]) -> f64 {
    lines.iter().map(|l| cells(l)).fold(0.0, f64::max) * CHAR_W
}

#[derive(Clone, Copy, PartialEq)]
enum Item {
    Start,
    End,
    Node(usize),
}

struct Placed {
    item: Item,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    lines: Vec<String>,
    /// Inner scopes of a container: (dx, dy, titled frame?, title, layout).
    panels: Vec<(f64, f64, Option<String>, Layout)>,
}

struct Route {
    edge: usize,
    pts: Vec<(f64, f64)>,
    label: Option<(f64, f64, String, bool)>,
}

struct Layout {
    w: f64,
    h: f64,
    items: Vec<Placed>,
    routes: Vec<Route>,
}

fn layout(view: &View, s: usize) -> Layout {
    let g = view.graph;
    let sc = &g.scopes[s];
    let mut items: Vec<Placed> = Vec::new();
    let marker = |item: Item, p: Point| {
        let lines = vec![view.marker_label(p)];
        Placed {
            item,
            x: 0.0,
            y: 0.0,
            w: (text_w(&lines) + 2.0 * PAD_X).max(56.0),
            h: 24.0,
            lines,
            panels: Vec::new(),
        }
    };
    items.push(marker(Item::Start, Point::Start(s)));
    for &n in &sc.members {
        let lines = view.lines(n);
        let node = &g.nodes[n];
        let head_h = lines.len() as f64 * LINE_H + 2.0 * PAD_Y;
        let mut w = (text_w(&lines) + 2.0 * PAD_X).max(MIN_W);
        let mut h = head_h;
        let mut panels = Vec::new();
        if node.is_container() {
            let mut x = FRAME;
            let mut inner_h: f64 = 0.0;
            for &child in &node.children {
                let l = layout(view, child);
                let title = g.scopes[child]
                    .subgraph
                    .as_ref()
                    .map(|_| g.scopes[child].title.clone());
                let (pw, ph, dx, dy) = match title {
                    Some(_) => (
                        l.w + 2.0 * FRAME,
                        l.h + 2.0 * FRAME + LINE_H,
                        FRAME,
                        FRAME + LINE_H,
                    ),
                    None => (l.w, l.h, 0.0, 0.0),
                };
                panels.push((x + dx, head_h + dy, title, l));
                x += pw + FRAME;
                inner_h = inner_h.max(ph);
            }
            // Centre the panels when the title is wider than they are.
            let content_w = x;
            if w > content_w {
                let shift = (w - content_w) / 2.0;
                for p in &mut panels {
                    p.0 += shift;
                }
            }
            w = w.max(content_w);
            h = head_h + inner_h + FRAME;
        }
        items.push(Placed {
            item: Item::Node(n),
            x: 0.0,
            y: 0.0,
            w,
            h,
            lines,
            panels,
        });
    }
    items.push(marker(Item::End, Point::End(s)));
    let end = items.len() - 1;

    let index = |p: Point| -> Option<usize> {
        match p {
            Point::Start(x) if x == s => Some(0),
            Point::End(x) if x == s => Some(end),
            Point::Node(n) if g.nodes[n].scope == s => {
                sc.members.iter().position(|&m| m == n).map(|i| i + 1)
            }
            _ => None,
        }
    };
    let edges: Vec<(usize, usize, usize)> = g
        .edges
        .iter()
        .enumerate()
        .filter_map(|(i, e)| Some((i, index(e.from)?, index(e.to)?)))
        .collect();
    let n_items = items.len();
    let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n_items];
    for &(i, a, b) in &edges {
        out[a].push((b, i));
    }

    // Iterative DFS: preorder, postorder, back edges.
    let mut pre = vec![usize::MAX; n_items];
    let mut on_stack = vec![false; n_items];
    let mut post: Vec<usize> = Vec::new();
    let mut back = vec![false; g.edges.len()];
    let mut counter = 0;
    let roots: Vec<usize> = std::iter::once(0).chain(1..n_items).collect();
    for root in roots {
        if pre[root] != usize::MAX {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        pre[root] = counter;
        counter += 1;
        on_stack[root] = true;
        while let Some(&mut (v, ref mut k)) = stack.last_mut() {
            if let Some(&(w, e)) = out[v].get(*k) {
                *k += 1;
                if on_stack[w] {
                    back[e] = true;
                } else if pre[w] == usize::MAX {
                    pre[w] = counter;
                    counter += 1;
                    on_stack[w] = true;
                    stack.push((w, 0));
                }
            } else {
                on_stack[v] = false;
                post.push(v);
                stack.pop();
            }
        }
    }
    // Longest path in reverse postorder (a topological order of the forward edges).
    let mut layer = vec![0usize; n_items];
    for &v in post.iter().rev() {
        for &(w, e) in &out[v] {
            if !back[e] && w != v {
                layer[w] = layer[w].max(layer[v] + 1);
            }
        }
    }
    for (v, l) in layer.iter_mut().enumerate() {
        if v != 0 && *l == 0 {
            *l = 1;
        }
    }
    let last = layer
        .iter()
        .enumerate()
        .filter(|&(v, _)| v != end)
        .map(|(_, &l)| l)
        .max()
        .unwrap_or(0);
    layer[end] = last + 1;

    // Rows, top-down, each item under the mean of its placed predecessors.
    let rows = layer[end] + 1;
    let mut y = 0.0;
    let mut row_top = vec![0.0; rows];
    let mut row_bottom = vec![0.0; rows];
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n_items];
    for &(i, a, b) in &edges {
        if !back[i] && a != b {
            preds[b].push(a);
        }
    }
    for (r, top) in row_top.iter_mut().enumerate() {
        let mut row: Vec<(f64, usize, usize)> = (0..n_items)
            .filter(|&v| layer[v] == r)
            .map(|v| {
                let placed: Vec<f64> = preds[v]
                    .iter()
                    .filter(|&&p| layer[p] < r)
                    .map(|&p| items[p].x + items[p].w / 2.0)
                    .collect();
                let want = if placed.is_empty() {
                    0.0
                } else {
                    placed.iter().sum::<f64>() / placed.len() as f64
                };
                (want, pre[v], v)
            })
            .collect();
        row.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut right = f64::NEG_INFINITY;
        let mut height: f64 = 0.0;
        // Greedy packing, then shift the row so its centre is where its members want it.
        let mut xs = Vec::new();
        for &(want, _, v) in &row {
            let x = (want - items[v].w / 2.0).max(right + HGAP);
            xs.push(x);
            right = x + items[v].w;
            height = height.max(items[v].h);
        }
        if let (Some(first), Some(&(_, _, lv))) = (xs.first().copied(), row.last()) {
            let want_mid = row.iter().map(|r| r.0).sum::<f64>() / row.len() as f64;
            let have_mid = (first + xs[xs.len() - 1] + items[lv].w) / 2.0;
            let shift = want_mid - have_mid;
            for (x, &(_, _, v)) in xs.iter().zip(&row) {
                items[v].x = x + shift;
                items[v].y = y;
            }
        }
        *top = y;
        row_bottom[r] = y + height;
        y += height + VGAP;
    }
    let min_x = items.iter().map(|p| p.x).fold(f64::INFINITY, f64::min);
    for p in &mut items {
        p.x -= min_x;
    }
    let mut w = items.iter().map(|p| p.x + p.w).fold(0.0, f64::max);
    let h = row_bottom[rows - 1];

    // Routes.
    let mut routes = Vec::new();
    let mut lanes = 0usize;
    let mut lane_label_w: f64 = 0.0;
    let mut left_lanes = 0usize;
    let mut label_spots: Vec<(i64, i64)> = Vec::new();
    let mut spot = |x: f64, y: f64| -> f64 {
        let key = ((x * 10.0).round() as i64, (y * 10.0).round() as i64);
        let dup = label_spots.iter().filter(|&&k| k == key).count();
        label_spots.push(key);
        y - 15.0 * dup as f64
    };
    let base_w = w;
    for &(i, a, b) in &edges {
        let e = &g.edges[i];
        let (pa, pb) = (&items[a], &items[b]);
        let label = e.label.clone();
        if back[i] || a == b || layer[b] <= layer[a] {
            lanes += 1;
            let lane = base_w + LANE * lanes as f64;
            let (sy, ty) = if a == b {
                (pa.y + pa.h / 2.0 - 5.0, pb.y + pb.h / 2.0 + 5.0)
            } else {
                (pa.y + pa.h / 2.0, pb.y + pb.h / 2.0)
            };
            let pts = vec![(pa.x + pa.w, sy), (lane, sy), (lane, ty), (pb.x + pb.w, ty)];
            let lab = label.map(|l| {
                lane_label_w = lane_label_w.max(cells(&l) * 6.6 + 8.0);
                (lane + 4.0, (sy + ty) / 2.0, l, false)
            });
            routes.push(Route {
                edge: i,
                pts,
                label: lab,
            });
        } else {
            let (sx, sy) = (pa.x + pa.w / 2.0, pa.y + pa.h);
            let (tx, ty) = (pb.x + pb.w / 2.0, pb.y);
            let my = row_top[layer[b]] - VGAP / 2.0;
            // Does the straight drop from the source cross a box of a row in between?
            let blocked = |x: f64| {
                items.iter().enumerate().any(|(v, p)| {
                    v != a
                        && v != b
                        && layer[v] > layer[a]
                        && layer[v] < layer[b]
                        && p.x - 4.0 <= x
                        && x <= p.x + p.w + 4.0
                })
            };
            let pts = if !blocked(sx) {
                if (sx - tx).abs() < 0.5 {
                    vec![(sx, sy), (tx, ty)]
                } else {
                    vec![(sx, sy), (sx, my), (tx, my), (tx, ty)]
                }
            } else {
                left_lanes += 1;
                let lane = -LANE * left_lanes as f64;
                let gy = row_bottom[layer[a]] + VGAP / 2.0;
                vec![
                    (sx, sy),
                    (sx, gy),
                    (lane, gy),
                    (lane, my),
                    (tx, my),
                    (tx, ty),
                ]
            };
            // Just above the target, under the horizontal run: clearly its edge's label.
            let lab = label.map(|l| (tx, spot(tx, ty - 12.0), l, true));
            routes.push(Route {
                edge: i,
                pts,
                label: lab,
            });
        }
    }
    if lanes > 0 {
        w = base_w + LANE * (lanes as f64 + 1.0) + lane_label_w;
    }
    // Labels centred on a point may stick out left or right: widen the scope for them.
    let mut lo: f64 = 0.0;
    let mut hi: f64 = w;
    for r in &routes {
        if let Some((x, _, l, true)) = &r.label {
            let half = cells(l) * 6.6 / 2.0 + 4.0;
            lo = lo.min(x - half);
            hi = hi.max(x + half);
        }
    }
    let shift = (LANE * left_lanes as f64 + if left_lanes > 0 { LANE } else { 0.0 }).max(-lo);
    if shift > 0.0 {
        for p in &mut items {
            p.x += shift;
        }
        for r in &mut routes {
            for pt in &mut r.pts {
                pt.0 += shift;
            }
            if let Some(l) = &mut r.label {
                l.0 += shift;
            }
        }
        hi += shift;
    }
    Layout {
        w: hi.max(w + shift),
        h,
        items,
        routes,
    }
}

fn colours(class: Option<Class>) -> (&'static str, &'static str, &'static str) {
    let pick = |name: &str| {
        CLASSES
            .iter()
            .find(|c| c.0 == name)
            .map(|c| (c.1, c.2, c.3))
            .unwrap_or(("#eef3fb", "#5470a8", "#1a2b4c"))
    };
    match class {
        None => ("#eef3fb", "#5470a8", "#1a2b4c"),
        Some(Class::Fail) => ("#fdecea", "#c62828", "#5a1010"),
        Some(Class::Missing) => ("#fff8e1", "#ff8f00", "#5a4500"),
        Some(c) => pick(c.name()),
    }
}

fn f(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

fn text_block(out: &mut String, x: f64, y: f64, lines: &[String], colour: &str, anchor: &str) {
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" fill=\"{colour}\" text-anchor=\"{anchor}\">",
        f(x),
        f(y)
    );
    for (i, l) in lines.iter().enumerate() {
        let weight = if i == 0 { " font-weight=\"bold\"" } else { "" };
        let dy = if i == 0 { 0.0 } else { LINE_H };
        let _ = write!(
            out,
            "<tspan x=\"{}\" dy=\"{}\"{weight}>{}</tspan>",
            f(x),
            f(dy),
            esc(l)
        );
    }
    out.push_str("</text>\n");
}

fn draw(view: &View, l: &Layout, ox: f64, oy: f64, out: &mut String) {
    let g = view.graph;
    // Edges under the boxes.
    for r in &l.routes {
        let e = &g.edges[r.edge];
        let taken = view.taken.contains(&r.edge);
        let (colour, width, arrow) = if taken {
            (TAKEN, 3.0, "arrow-taken")
        } else if view.overlay {
            ("#9e9e9e", 1.4, "arrow-dim")
        } else {
            ("#555555", 1.4, "arrow")
        };
        let dash = if e.kind == EdgeKind::Catch {
            " stroke-dasharray=\"5 4\""
        } else {
            ""
        };
        let pts: Vec<String> = r
            .pts
            .iter()
            .map(|(x, y)| format!("{},{}", f(x + ox), f(y + oy)))
            .collect();
        let _ = writeln!(
            out,
            "<polyline class=\"edge{}\" points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{}\"{dash} marker-end=\"url(#{arrow})\"/>",
            if taken { " taken" } else { "" },
            pts.join(" "),
            f(width)
        );
    }
    for p in &l.items {
        let (x, y) = (p.x + ox, p.y + oy);
        match p.item {
            Item::Start | Item::End => {
                let _ = writeln!(
                    out,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"12\" fill=\"#37474f\"/>",
                    f(x),
                    f(y),
                    f(p.w),
                    f(p.h)
                );
                text_block(out, x + p.w / 2.0, y + 16.0, &p.lines, "#ffffff", "middle");
            }
            Item::Node(n) => {
                let node = &g.nodes[n];
                let class = view.class(n);
                let (fill, stroke, colour) = colours(class);
                let sw = match class {
                    Some(Class::Failed | Class::Waiting) => 2.5,
                    _ => 1.2,
                };
                let dash = match class {
                    Some(Class::Waiting | Class::Missing) => " stroke-dasharray=\"5 3\"",
                    _ => "",
                };
                let cls = class.map(Class::name).unwrap_or("plain");
                if node.is_container() {
                    let _ = writeln!(
                        out,
                        "<rect class=\"state {cls}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8\" fill=\"{fill}\" fill-opacity=\"0.35\" stroke=\"{stroke}\" stroke-width=\"{}\"{dash}/>",
                        f(x), f(y), f(p.w), f(p.h), f(sw)
                    );
                    text_block(out, x + PAD_X, y + PAD_Y + 11.0, &p.lines, colour, "start");
                    for (dx, dy, title, inner) in &p.panels {
                        if let Some(t) = title {
                            let _ = writeln!(
                                out,
                                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"#ffffff\" fill-opacity=\"0.6\" stroke=\"#90a4ae\" stroke-dasharray=\"4 3\"/>",
                                f(x + dx - FRAME),
                                f(y + dy - FRAME - LINE_H),
                                f(inner.w + 2.0 * FRAME),
                                f(inner.h + 2.0 * FRAME + LINE_H)
                            );
                            let _ = writeln!(
                                out,
                                "<text x=\"{}\" y=\"{}\" fill=\"#546e7a\" font-style=\"italic\">{}</text>",
                                f(x + dx - FRAME + 6.0),
                                f(y + dy - FRAME + 4.0),
                                esc(t)
                            );
                        }
                        draw(view, inner, x + dx, y + dy, out);
                    }
                } else {
                    let shape = match node.ty.as_str() {
                        "Choice" => {
                            let k = 10.0;
                            format!(
                                "<polygon class=\"state {cls}\" points=\"{},{} {},{} {},{} {},{} {},{} {},{}\"",
                                f(x + k), f(y), f(x + p.w - k), f(y), f(x + p.w), f(y + p.h / 2.0),
                                f(x + p.w - k), f(y + p.h), f(x + k), f(y + p.h), f(x), f(y + p.h / 2.0)
                            )
                        }
                        ty => {
                            let rx = match ty {
                                "Task" | "missing" | "?" => 3.0,
                                "Succeed" | "Fail" => p.h.min(30.0) / 2.0,
                                _ => 10.0,
                            };
                            format!(
                                "<rect class=\"state {cls}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\"",
                                f(x), f(y), f(p.w), f(p.h), f(rx)
                            )
                        }
                    };
                    let _ = writeln!(
                        out,
                        "{shape} fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{}\"{dash}><title>{}</title></{}>",
                        f(sw),
                        esc(&node.name),
                        if node.ty == "Choice" { "polygon" } else { "rect" }
                    );
                    text_block(
                        out,
                        x + p.w / 2.0,
                        y + PAD_Y + 11.0,
                        &p.lines,
                        colour,
                        "middle",
                    );
                }
            }
        }
    }
    for r in &l.routes {
        if let Some((lx, ly, text, centred)) = &r.label {
            let w = cells(text) * 6.6 + 6.0;
            let (rx, anchor, tx) = if *centred {
                (lx - w / 2.0, "middle", *lx)
            } else {
                (*lx, "start", lx + 3.0)
            };
            let _ = writeln!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"14\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.9\"/><text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" fill=\"#37474f\">{}</text>",
                f(rx + ox),
                f(ly - 7.0 + oy),
                f(w),
                f(tx + ox),
                f(ly + 4.0 + oy),
                esc(text)
            );
        }
    }
}

fn svg(view: &View) -> String {
    let l = layout(view, 0);
    let margin = 16.0;
    let (w, h) = (l.w + 2.0 * margin, l.h + 2.0 * margin);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"12\">",
        f(w), f(h), f(w), f(h)
    );
    out.push_str("<defs>");
    for (id, colour) in [
        ("arrow", "#555555"),
        ("arrow-dim", "#9e9e9e"),
        ("arrow-taken", TAKEN),
    ] {
        let _ = write!(
            out,
            "<marker id=\"{id}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{colour}\"/></marker>"
        );
    }
    out.push_str("</defs>\n");
    let _ = writeln!(
        out,
        "<rect width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
        f(w),
        f(h)
    );
    draw(view, &l, margin, margin, &mut out);
    out.push_str("</svg>");
    out
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:16px;color:#222}\
h1{font-size:20px;margin:0 0 8px}\
.status{margin:0 0 12px}\
.wrap{display:flex;flex-wrap:wrap;gap:20px;align-items:flex-start}\
.pic{overflow:auto;border:1px solid #ddd;border-radius:6px;max-width:100%}\
.timeline{flex:1 1 420px;min-width:320px}\
table{border-collapse:collapse;font-size:12px;width:100%}\
th,td{border-bottom:1px solid #e5e5e5;padding:3px 6px;text-align:left;vertical-align:top}\
th{background:#f5f5f5}\
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
td.detail{word-break:break-word}\
tr.failure td{background:#fdecea}\
.legend span{display:inline-block;margin-right:12px;font-size:12px}\
.legend i{display:inline-block;width:12px;height:12px;border:2px solid;margin-right:4px;vertical-align:-2px}\
pre{background:#f7f7f7;padding:8px;overflow:auto;font-size:11px}";

pub(crate) fn render(view: &View, title: &str, mermaid: &str) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(out, "<title>{}</title>", esc(title));
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");
    let _ = writeln!(out, "<h1>{}</h1>", esc(title));
    if let Some(ov) = view.ov {
        let status = match &ov.error {
            Some(e) => format!("{} · {e}", ov.status.as_str()),
            None => ov.status.as_str().to_string(),
        };
        let _ = writeln!(
            out,
            "<p class=\"status\">Execution: <b>{}</b></p>",
            esc(&status)
        );
    }
    if view.overlay {
        out.push_str("<p class=\"legend\">");
        for (name, fill, stroke, _) in CLASSES {
            let _ = write!(
                out,
                "<span><i style=\"background:{fill};border-color:{stroke}\"></i>{name}</span>"
            );
        }
        let _ = writeln!(
            out,
            "<span><i style=\"background:{TAKEN};border-color:{TAKEN};height:3px;vertical-align:3px\"></i>edge taken</span></p>"
        );
    }
    out.push_str("<div class=\"wrap\">\n<div class=\"pic\">\n");
    out.push_str(&svg(view));
    out.push_str("\n</div>\n<div class=\"timeline\">\n");
    match view.ov {
        Some(ov) => {
            out.push_str("<table>\n<thead><tr><th>#</th><th>time</th><th>event</th><th>state</th><th>detail</th></tr></thead>\n<tbody>\n");
            for r in &ov.rows {
                let offset = r
                    .offset
                    .map(|o| format!("+{}", format_duration(o)))
                    .unwrap_or_default();
                let failure = r.ty.ends_with("Failed")
                    || r.ty.ends_with("TimedOut")
                    || r.ty.ends_with("Aborted");
                let _ = writeln!(
                    out,
                    "<tr{}><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"detail\">{}</td></tr>",
                    if failure { " class=\"failure\"" } else { "" },
                    r.id,
                    esc(&offset),
                    esc(&r.ty),
                    esc(&r.state),
                    esc(&r.detail)
                );
            }
            out.push_str("</tbody>\n</table>\n");
        }
        None => out.push_str("<p>No execution history given: the definition alone.</p>\n"),
    }
    out.push_str("</div>\n</div>\n");
    let _ = writeln!(
        out,
        "<details><summary>Mermaid source</summary>\n<pre>{}</pre>\n</details>",
        esc(mermaid)
    );
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_html() {
        assert_eq!(
            esc("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn wide_characters_count_double() {
        assert_eq!(cells("ab"), 2.0);
        assert_eq!(cells("日本"), 4.0);
    }
}
