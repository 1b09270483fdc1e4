//! The self-contained HTML page.
use super::view::View;
pub(crate) fn render(_view: &View, title: &str, _mermaid: &str) -> String {
    format!("<!DOCTYPE html><title>{title}</title><svg></svg>")
}
