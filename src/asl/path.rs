//! JSONPath as Amazon States Language uses it.
//!
//! ASL has two flavours of path:
//! - *Reference paths* (`ResultPath`, Choice `Variable`, `…Path` fields): only `.field`,
//!   `['field']` and `[index]` steps, so they identify at most one node. `ResultPath` also
//!   *writes*: [`Path::set`] creates the objects it walks through, as AWS does.
//! - *Paths* (`InputPath`, `OutputPath`, `ItemsPath`, `.$` fields of payload templates): the
//!   Jayway JSONPath dialect AWS uses, with `*`, `..`, unions, slices and `?()` filters. A path
//!   with any of those is *indefinite* and reads as the array of every node it matches.
//!
//! A path starting with `$$` reads the context object instead of the state input.
//!
//! Example: the unit test `asl_path_13` in `src/tests/doc_examples.rs`.

use std::fmt;

use serde_json::{Map, Value};

use crate::asl::cursor::Cursor;
use crate::asl::Env;

/// A parsed JSONPath.
///
/// Example: the unit test `asl_path_35` in `src/tests/doc_examples.rs`.
///
/// ```
/// use sfn_harness::internals::{Env, Path};
/// use serde_json::json;
///
/// let (input, context) = (json!({ "items": [{ "id": 1 }, { "id": 2 }] }), json!({}));
/// let env = Env::new(&input, &context);
/// assert_eq!(Path::parse("$.items[*].id").unwrap().read(&env).unwrap(), json!([1, 2]));
///
/// // ResultPath creates what is missing.
/// let out = Path::parse("$.result.value").unwrap().set(json!({ "x": 1 }), json!(42)).unwrap();
/// assert_eq!(out, json!({ "x": 1, "result": { "value": 42 } }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    text: String,
    context: bool,
    /// `$name…`: the path reads the workflow variable `name` (AWS: variables in JSONPath).
    variable: Option<String>,
    steps: Vec<Step>,
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    Index(i64),
    Wildcard,
    /// `..name` or `..*` (None).
    Descend(Option<String>),
    Union(Vec<Key>),
    Slice(Option<i64>, Option<i64>, i64),
    Filter(Filter),
}

#[derive(Debug, Clone, PartialEq)]
enum Key {
    Field(String),
    Index(i64),
}

#[derive(Debug, Clone, PartialEq)]
enum Filter {
    Exists(Vec<Key>),
    Compare(Vec<Key>, CmpOp, Value),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Why a path could not be parsed, read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// The text is not a JSONPath AWS accepts.
    #[error("invalid JSONPath '{path}': {reason}")]
    Syntax {
        /// The path as written.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A definite path matched nothing.
    #[error("no results for path '{path}'")]
    NotFound {
        /// The path as written.
        path: String,
    },
    /// A write (ResultPath) went through a value that is not an object.
    #[error("unable to apply path '{path}'")]
    NotWritable {
        /// The path as written.
        path: String,
    },
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// How many parsed paths [`Path::parse_remembered`] keeps per thread.
const PARSED_KEPT: usize = 512;

impl Path {
    /// Parses a path. It must start with `$` (`$$` for the context object).
    pub fn parse(text: &str) -> Result<Path, PathError> {
        Parser::new(text).parse()
    }

    /// [`Path::parse`], remembered: a payload template's `.$` fields are the same few texts
    /// at every evaluation (issue 13: parsing them was a tenth of a Task state's cost). The
    /// texts parsed lately on this thread are kept, at most [`PARSED_KEPT`] of them; an
    /// error is not kept (it is parsed again, to the same error).
    pub(crate) fn parse_remembered(text: &str) -> Result<std::rc::Rc<Path>, PathError> {
        thread_local! {
            static PARSED: std::cell::RefCell<std::collections::HashMap<Box<str>, std::rc::Rc<Path>>> =
                std::cell::RefCell::new(std::collections::HashMap::new());
        }
        if let Some(p) = PARSED.with(|c| c.borrow().get(text).cloned()) {
            return Ok(p);
        }
        let path = std::rc::Rc::new(Path::parse(text)?);
        PARSED.with(|c| {
            let mut c = c.borrow_mut();
            if c.len() >= PARSED_KEPT {
                c.clear();
            }
            c.insert(text.into(), path.clone());
        });
        Ok(path)
    }

    /// The path in Jayway's normalized bracket form, as AWS prints it in error causes
    /// (`$.a.b[0]` -> `$['a']['b'][0]`).
    pub(crate) fn normalized(&self) -> String {
        let mut s = match &self.variable {
            Some(v) => format!("${v}"),
            None => String::from(if self.context { "$$" } else { "$" }),
        };
        for step in &self.steps {
            match step {
                Step::Field(f) => s.push_str(&format!("['{f}']")),
                Step::Index(i) => s.push_str(&format!("[{i}]")),
                Step::Wildcard => s.push_str("[*]"),
                _ => return self.text.clone(),
            }
        }
        s
    }

    /// Whether the path reads the context object (`$$…`).
    pub(crate) fn is_context(&self) -> bool {
        self.context
    }

    /// The workflow variable the path reads (`$name…`), if it reads one.
    ///
    /// Example: the unit test `asl_path_170` in `src/tests/doc_examples.rs`.
    #[cfg(test)]
    pub(crate) fn variable(&self) -> Option<&str> {
        self.variable.as_deref()
    }

    /// Whether the path is a *reference path*: only field and index steps.
    pub(crate) fn is_reference(&self) -> bool {
        self.steps
            .iter()
            .all(|s| matches!(s, Step::Field(_) | Step::Index(_)))
    }

    /// Whether the path can match more than one node (and so reads as an array).
    pub(crate) fn is_definite(&self) -> bool {
        self.is_reference()
    }

    /// Reads the path from the state input of `env` (or from its context object for a `$$`
    /// path).
    ///
    /// A definite path returns the node or [`PathError::NotFound`]; an indefinite path returns
    /// the array of every match (possibly empty).
    pub fn read(&self, env: &Env<'_>) -> Result<Value, PathError> {
        let root = if let Some(name) = &self.variable {
            env.variable(name).ok_or_else(|| PathError::NotFound {
                path: self.text.clone(),
            })?
        } else if self.context {
            env.context()
        } else {
            env.input()
        };
        if self.is_definite() {
            let mut cur = root;
            for step in &self.steps {
                let next = match step {
                    Step::Field(name) => cur.as_object().and_then(|o| field(o, name)),
                    Step::Index(i) => cur.as_array().and_then(|a| index(a, *i)),
                    _ => None,
                };
                cur = next.ok_or_else(|| PathError::NotFound {
                    path: self.text.clone(),
                })?;
            }
            return Ok(cur.clone());
        }
        let mut nodes = vec![root];
        for step in &self.steps {
            let mut next = Vec::new();
            for node in nodes {
                apply(step, node, &mut next);
            }
            nodes = next;
        }
        Ok(Value::Array(nodes.into_iter().cloned().collect()))
    }

    /// Moves the node this definite path selects in the state input out of `doc` (leaving
    /// `null` in its place) instead of copying it, for a caller that no longer needs `doc`.
    /// `None`, with `doc` untouched, when nothing matches or the path is not a definite path
    /// into the input (a `$$` or variable path, or an indefinite one): [`Path::read`] then
    /// gives the answer, or the error.
    pub(crate) fn take(&self, doc: &mut Value) -> Option<Value> {
        if self.context || self.variable.is_some() || !self.is_definite() {
            return None;
        }
        let mut cur = doc;
        for step in &self.steps {
            cur = match (step, cur) {
                (Step::Field(name), Value::Object(o)) => field_mut(o, name)?,
                (Step::Index(i), Value::Array(a)) => {
                    let pos = if *i < 0 { a.len() as i64 + i } else { *i };
                    a.get_mut(usize::try_from(pos).ok()?)?
                }
                _ => return None,
            };
        }
        Some(cur.take())
    }

    /// Writes `value` at this (reference) path inside `target`, creating objects on the way,
    /// and returns the new document. `$` replaces the whole document.
    pub fn set(&self, target: Value, value: Value) -> Result<Value, PathError> {
        if self.context || self.variable.is_some() || !self.is_reference() {
            return Err(PathError::NotWritable {
                path: self.text.clone(),
            });
        }
        let mut target = target;
        let mut slot = &mut target;
        for step in &self.steps {
            slot = match step {
                Step::Field(name) => {
                    let Value::Object(obj) = slot else {
                        return Err(PathError::NotWritable {
                            path: self.text.clone(),
                        });
                    };
                    obj.entry(name.clone())
                        .or_insert_with(|| Value::Object(Map::new()))
                }
                Step::Index(i) => {
                    let arr = match slot {
                        Value::Array(arr) => arr,
                        _ => {
                            return Err(PathError::NotWritable {
                                path: self.text.clone(),
                            })
                        }
                    };
                    let len = arr.len() as i64;
                    let pos = if *i < 0 { len + i } else { *i };
                    if pos < 0 || pos >= len {
                        return Err(PathError::NotWritable {
                            path: self.text.clone(),
                        });
                    }
                    &mut arr[pos as usize]
                }
                _ => unreachable!("is_reference() admits only Field and Index steps"),
            };
        }
        *slot = value;
        Ok(target)
    }
}

fn index(arr: &[Value], i: i64) -> Option<&Value> {
    let pos = if i < 0 { arr.len() as i64 + i } else { i };
    usize::try_from(pos).ok().and_then(|p| arr.get(p))
}

fn key_get<'a>(node: &'a Value, keys: &[Key]) -> Option<&'a Value> {
    let mut cur = node;
    for k in keys {
        cur = match k {
            Key::Field(f) => cur.as_object()?.get(f)?,
            Key::Index(i) => index(cur.as_array()?, *i)?,
        };
    }
    Some(cur)
}

fn children(node: &Value) -> Vec<&Value> {
    match node {
        Value::Object(o) => o.values().collect(),
        Value::Array(a) => a.iter().collect(),
        _ => Vec::new(),
    }
}

/// Below this many keys a field is found by comparing keys, not by hashing the name (SipHash,
/// serde_json's map's hasher, costs more than a few short comparisons; issue 13).
const SCAN_BELOW: usize = 8;

/// The value of `name` in `o`.
fn field<'a>(o: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    if o.len() < SCAN_BELOW {
        o.iter().find_map(|(k, v)| (k == name).then_some(v))
    } else {
        o.get(name)
    }
}

/// [`field`], mutable.
fn field_mut<'a>(o: &'a mut Map<String, Value>, name: &str) -> Option<&'a mut Value> {
    if o.len() < SCAN_BELOW {
        o.iter_mut().find_map(|(k, v)| (k == name).then_some(v))
    } else {
        o.get_mut(name)
    }
}

fn apply<'a>(step: &Step, node: &'a Value, out: &mut Vec<&'a Value>) {
    match step {
        Step::Field(name) => out.extend(node.as_object().and_then(|o| field(o, name))),
        Step::Index(i) => out.extend(node.as_array().and_then(|a| index(a, *i))),
        Step::Wildcard => out.extend(children(node)),
        Step::Descend(name) => descend(node, name.as_deref(), out),
        Step::Union(keys) => {
            for k in keys {
                out.extend(key_get(node, std::slice::from_ref(k)));
            }
        }
        Step::Slice(start, end, step) => {
            if let Some(arr) = node.as_array() {
                let len = arr.len() as i64;
                let norm = |v: i64| if v < 0 { (len + v).max(0) } else { v.min(len) };
                let s = start.map(norm).unwrap_or(0);
                let e = end.map(norm).unwrap_or(len);
                let st = (*step).max(1);
                let mut i = s;
                while i < e {
                    out.push(&arr[i as usize]);
                    i += st;
                }
            }
        }
        Step::Filter(f) => {
            for child in children(node) {
                if filter_matches(f, child) {
                    out.push(child);
                }
            }
        }
    }
}

fn descend<'a>(node: &'a Value, name: Option<&str>, out: &mut Vec<&'a Value>) {
    match name {
        Some(n) => {
            if let Some(v) = node.as_object().and_then(|o| o.get(n)) {
                out.push(v);
            }
        }
        None => out.extend(children(node)),
    }
    for child in children(node) {
        descend(child, name, out);
    }
}

fn filter_matches(f: &Filter, node: &Value) -> bool {
    match f {
        Filter::Exists(keys) => key_get(node, keys).is_some(),
        Filter::And(a, b) => filter_matches(a, node) && filter_matches(b, node),
        Filter::Or(a, b) => filter_matches(a, node) || filter_matches(b, node),
        Filter::Compare(keys, op, lit) => {
            let Some(v) = key_get(node, keys) else {
                return false;
            };
            let ord = match (v, lit) {
                (Value::Number(a), Value::Number(b)) => a
                    .as_f64()
                    .zip(b.as_f64())
                    .and_then(|(x, y)| x.partial_cmp(&y)),
                (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
                _ => None,
            };
            match op {
                CmpOp::Eq => ord.map_or(v == lit, |o| o.is_eq()),
                CmpOp::Ne => ord.map_or(v != lit, |o| o.is_ne()),
                CmpOp::Lt => ord.is_some_and(|o| o.is_lt()),
                CmpOp::Le => ord.is_some_and(|o| o.is_le()),
                CmpOp::Gt => ord.is_some_and(|o| o.is_gt()),
                CmpOp::Ge => ord.is_some_and(|o| o.is_ge()),
            }
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    cur: Cursor,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser {
            text,
            cur: Cursor::new(text),
        }
    }

    fn err(&self, reason: impl Into<String>) -> PathError {
        PathError::Syntax {
            path: self.text.to_string(),
            reason: reason.into(),
        }
    }

    fn parse(mut self) -> Result<Path, PathError> {
        if !self.cur.eat('$') {
            return Err(self.err("a path must start with '$'"));
        }
        let context = self.cur.eat('$');
        let variable = match self.cur.peek() {
            Some(c) if !context && (c.is_alphabetic() || c == '_') => {
                let start = self.cur.pos();
                self.cur.eat_while(|c| c.is_alphanumeric() || c == '_');
                Some(self.cur.since(start))
            }
            _ => None,
        };
        let steps = self.steps(false)?;
        if let Some(c) = self.cur.peek() {
            return Err(self.err(format!("unexpected '{c}'")));
        }
        Ok(Path {
            text: self.text.to_string(),
            context,
            variable,
            steps,
        })
    }

    /// Steps after a root (`$`, `$$` or `@`). In a filter, stops at the first character that
    /// cannot continue a path.
    fn steps(&mut self, in_filter: bool) -> Result<Vec<Step>, PathError> {
        let mut steps = Vec::new();
        while let Some(c) = self.cur.peek() {
            match c {
                '.' => {
                    self.cur.bump();
                    if self.cur.eat('.') {
                        if self.cur.eat('*') || self.cur.peek() == Some('[') {
                            steps.push(Step::Descend(None));
                        } else {
                            let name = self.name()?;
                            steps.push(Step::Descend(Some(name)));
                        }
                    } else if self.cur.eat('*') {
                        steps.push(Step::Wildcard);
                    } else {
                        let name = self.name()?;
                        steps.push(Step::Field(name));
                    }
                }
                '[' => {
                    self.cur.bump();
                    steps.push(self.bracket()?);
                }
                _ if in_filter => break,
                _ => return Err(self.err(format!("unexpected '{c}'"))),
            }
        }
        Ok(steps)
    }

    fn name(&mut self) -> Result<String, PathError> {
        let start = self.cur.pos();
        self.cur
            .eat_while(|c| !(c == '.' || c == '[' || c.is_whitespace() || "()=!<>&|,".contains(c)));
        if start == self.cur.pos() {
            return Err(self.err("expected a field name"));
        }
        Ok(self.cur.since(start))
    }

    fn quoted(&mut self) -> Result<String, PathError> {
        let quote = self
            .cur
            .peek()
            .ok_or_else(|| self.err("unterminated string"))?;
        self.cur.bump();
        let mut s = String::new();
        loop {
            match self.cur.peek() {
                None => return Err(self.err("unterminated string")),
                // A backslash keeps the next character from closing the string, and both stay
                // in the name: AWS reads `$['Test\""Name"']` as the key `Test\""Name"`
                // (`scenarios.test_base_scenarios.test_escape_sequence_parsing[ESCAPE_SEQUENCES_JSONPATH]`
                // in ../shared/conformance/v2).
                Some('\\') => {
                    self.cur.bump();
                    s.push('\\');
                    match self.cur.peek() {
                        Some(c) => s.push(c),
                        None => return Err(self.err("unterminated string")),
                    }
                    self.cur.bump();
                }
                Some(c) if c == quote => {
                    self.cur.bump();
                    return Ok(s);
                }
                Some(c) => {
                    s.push(c);
                    self.cur.bump();
                }
            }
        }
    }

    fn int(&mut self) -> Result<Option<i64>, PathError> {
        self.cur.skip_ws();
        let start = self.cur.pos();
        if self.cur.peek() == Some('-') {
            self.cur.bump();
        }
        self.cur.eat_while(|c| c.is_ascii_digit());
        if start == self.cur.pos() {
            return Ok(None);
        }
        let s = self.cur.since(start);
        s.parse()
            .map(Some)
            .map_err(|_| self.err(format!("bad index '{s}'")))
    }

    fn bracket(&mut self) -> Result<Step, PathError> {
        self.cur.skip_ws();
        let step = match self.cur.peek() {
            Some('*') => {
                self.cur.bump();
                Step::Wildcard
            }
            Some('\'') | Some('"') => {
                let mut keys = vec![Key::Field(self.quoted()?)];
                self.cur.skip_ws();
                while self.cur.eat(',') {
                    self.cur.skip_ws();
                    keys.push(Key::Field(self.quoted()?));
                    self.cur.skip_ws();
                }
                if keys.len() == 1 {
                    let Some(Key::Field(f)) = keys.pop() else {
                        unreachable!("one key was pushed")
                    };
                    Step::Field(f)
                } else {
                    Step::Union(keys)
                }
            }
            Some('?') => {
                self.cur.bump();
                self.cur.skip_ws();
                if !self.cur.eat('(') {
                    return Err(self.err("expected '(' after '?'"));
                }
                let f = self.filter_or()?;
                self.cur.skip_ws();
                if !self.cur.eat(')') {
                    return Err(self.err("expected ')' to close the filter"));
                }
                Step::Filter(f)
            }
            _ => {
                let first = self.int()?;
                self.cur.skip_ws();
                if self.cur.eat(':') {
                    let end = self.int()?;
                    self.cur.skip_ws();
                    let step = if self.cur.eat(':') { self.int()? } else { None };
                    Step::Slice(first, end, step.unwrap_or(1))
                } else {
                    let first = first.ok_or_else(|| self.err("expected an index"))?;
                    let mut keys = vec![Key::Index(first)];
                    while self.cur.eat(',') {
                        keys.push(Key::Index(
                            self.int()?.ok_or_else(|| self.err("expected an index"))?,
                        ));
                        self.cur.skip_ws();
                    }
                    if keys.len() == 1 {
                        Step::Index(first)
                    } else {
                        Step::Union(keys)
                    }
                }
            }
        };
        self.cur.skip_ws();
        if !self.cur.eat(']') {
            return Err(self.err("expected ']'"));
        }
        Ok(step)
    }

    fn filter_or(&mut self) -> Result<Filter, PathError> {
        let mut left = self.filter_and()?;
        loop {
            self.cur.skip_ws();
            if self.cur.peek() == Some('|') && self.cur.peek_at(1) == Some('|') {
                self.cur.advance(2);
                let right = self.filter_and()?;
                left = Filter::Or(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    fn filter_and(&mut self) -> Result<Filter, PathError> {
        let mut left = self.filter_atom()?;
        loop {
            self.cur.skip_ws();
            if self.cur.peek() == Some('&') && self.cur.peek_at(1) == Some('&') {
                self.cur.advance(2);
                let right = self.filter_atom()?;
                left = Filter::And(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    fn filter_atom(&mut self) -> Result<Filter, PathError> {
        self.cur.skip_ws();
        if self.cur.eat('(') {
            let f = self.filter_or()?;
            self.cur.skip_ws();
            if !self.cur.eat(')') {
                return Err(self.err("expected ')'"));
            }
            return Ok(f);
        }
        if !self.cur.eat('@') {
            return Err(self.err("a filter must start with '@'"));
        }
        let mut keys = Vec::new();
        for step in self.steps(true)? {
            keys.push(match step {
                Step::Field(f) => Key::Field(f),
                Step::Index(i) => Key::Index(i),
                _ => return Err(self.err("filters support only field and index steps")),
            });
        }
        self.cur.skip_ws();
        let op = if self.cur.starts_with("==") {
            CmpOp::Eq
        } else if self.cur.starts_with("!=") {
            CmpOp::Ne
        } else if self.cur.starts_with("<=") {
            CmpOp::Le
        } else if self.cur.starts_with(">=") {
            CmpOp::Ge
        } else if self.cur.peek() == Some('<') {
            CmpOp::Lt
        } else if self.cur.peek() == Some('>') {
            CmpOp::Gt
        } else {
            return Ok(Filter::Exists(keys));
        };
        self.cur.advance(if matches!(op, CmpOp::Lt | CmpOp::Gt) {
            1
        } else {
            2
        });
        self.cur.skip_ws();
        let lit = self.literal()?;
        Ok(Filter::Compare(keys, op, lit))
    }

    fn literal(&mut self) -> Result<Value, PathError> {
        match self.cur.peek() {
            Some('\'') | Some('"') => Ok(Value::String(self.quoted()?)),
            _ => {
                let s = self.cur.literal_token();
                serde_json::from_str(&s).map_err(|_| self.err(format!("bad literal '{s}'")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(p: &str, v: &Value) -> Result<Value, PathError> {
        Path::parse(p)
            .unwrap()
            .read(&Env::new(v, &json!({"ctx": 1})))
    }

    #[test]
    fn reads_definite_paths() {
        let v = json!({"a": {"b": [1, 2, {"c": "x"}]}, "k e y": 5});
        assert_eq!(read("$", &v).unwrap(), v);
        assert_eq!(read("$.a.b[2].c", &v).unwrap(), json!("x"));
        assert_eq!(read("$['k e y']", &v).unwrap(), json!(5));
        assert_eq!(read("$.a.b[-1]", &v).unwrap(), json!({"c": "x"}));
        assert_eq!(read("$$.ctx", &v).unwrap(), json!(1));
        assert!(matches!(
            read("$.nope", &v),
            Err(PathError::NotFound { .. })
        ));
    }

    #[test]
    fn reads_indefinite_paths_as_arrays() {
        let v = json!({"users": [{"year": 1997, "status": 0}, {"year": 1998, "status": 1}]});
        assert_eq!(
            read("$.users[?(@.status == 0)]", &v).unwrap(),
            json!([{"year": 1997, "status": 0}])
        );
        assert_eq!(read("$.users[*].year", &v).unwrap(), json!([1997, 1998]));
        assert_eq!(read("$..year", &v).unwrap(), json!([1997, 1998]));
        assert_eq!(read("$.users[0:1].year", &v).unwrap(), json!([1997]));
        assert_eq!(
            read("$.users[?(@.year > 1997 && @.status)]", &v).unwrap(),
            json!([{"year": 1998, "status": 1}])
        );
        assert_eq!(read("$.missing[*]", &v).unwrap(), json!([]));
    }

    #[test]
    fn rejects_bad_syntax() {
        for p in ["", "a.b", "$.", "$[", "$['a'", "$.a[?(x)]", "$ .a", "$[1"] {
            assert!(Path::parse(p).is_err(), "{p} should not parse");
        }
    }

    #[test]
    fn set_creates_objects_and_replaces_root() {
        let p = Path::parse("$.a.b").unwrap();
        assert_eq!(p.set(json!({}), json!(1)).unwrap(), json!({"a": {"b": 1}}));
        assert_eq!(
            Path::parse("$")
                .unwrap()
                .set(json!({"x": 1}), json!(2))
                .unwrap(),
            json!(2)
        );
        assert!(p.set(json!("str"), json!(1)).is_err());
        assert!(p.set(json!({"a": 3}), json!(1)).is_err());
        assert_eq!(
            Path::parse("$.l[1]")
                .unwrap()
                .set(json!({"l": [0, 0]}), json!(9))
                .unwrap(),
            json!({"l": [0, 9]})
        );
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn field() -> impl Strategy<Value = String> {
            "[a-zA-Z_][a-zA-Z0-9_]{0,8}"
        }

        #[test]
        fn take_moves_a_definite_input_path_out() {
            let mut doc = json!({ "i": 1, "prev": { "k": [1, 2] } });
            assert_eq!(
                Path::parse("$.prev.k[-1]").unwrap().take(&mut doc),
                Some(json!(2))
            );
            assert_eq!(Path::parse("$.nope").unwrap().take(&mut doc), None);
            assert_eq!(Path::parse("$.i.x").unwrap().take(&mut doc), None);
            assert_eq!(Path::parse("$$.Execution").unwrap().take(&mut doc), None);
            assert_eq!(Path::parse("$.prev.k[*]").unwrap().take(&mut doc), None);
            assert_eq!(
                Path::parse("$").unwrap().take(&mut doc),
                Some(json!({ "i": 1, "prev": { "k": [1, null] } }))
            );
        }

        proptest! {
            /// Writing then reading the same reference path gives back the value written.
            #[test]
            fn set_then_read_roundtrips(fields in proptest::collection::vec(field(), 1..5), n in any::<i64>()) {
                let text = format!("$.{}", fields.join("."));
                let p = Path::parse(&text).unwrap();
                let doc = p.set(json!({}), json!(n)).unwrap();
                prop_assert_eq!(p.read(&Env::new(&doc, &json!({}))).unwrap(), json!(n));
            }

            /// Parsing never panics, whatever the text.
            #[test]
            fn parse_never_panics(s in "\\PC{0,40}") {
                let _ = Path::parse(&s);
                let _ = Path::parse(&format!("${s}"));
            }

            /// A parsed path's reading never panics on arbitrary documents.
            #[test]
            fn read_never_panics(s in "[$.\\[\\]a-c0-9*?@()=<>'\" -]{0,20}", v in super::super::tests_support::arb_json()) {
                if let Ok(p) = Path::parse(&s) {
                    let _ = p.read(&Env::new(&v, &v));
                    let _ = p.set(v.clone(), json!(1));
                }
            }
        }
    }
}

#[cfg(test)]
mod remembered_tests {
    use super::*;

    /// A remembered parse is the parse, errors included, and the keeping is bounded.
    #[test]
    fn remembered_paths_are_the_parsed_ones() {
        for text in [
            "$.a.b[0]",
            "$$.Task.Token",
            "$",
            "$.a.b[0]",
            "nope",
            "$.[",
            "nope",
        ] {
            assert_eq!(
                Path::parse_remembered(text).map(|p| (*p).clone()),
                Path::parse(text),
                "{text}"
            );
        }
        for i in 0..(2 * PARSED_KEPT) {
            let text = format!("$.k{i}");
            assert_eq!(
                *Path::parse_remembered(&text).unwrap(),
                Path::parse(&text).unwrap()
            );
        }
    }
}

#[cfg(test)]
pub(crate) mod tests_support {
    use proptest::prelude::*;
    use serde_json::{json, Value};

    /// Arbitrary JSON documents, small and nested, for property tests.
    pub(crate) fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i32>().prop_map(|n| json!(n)),
            "[a-c]{0,3}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map("[a-c]{1,2}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
