//! serde_json <-> jsonata-core value conversion, iterative in both directions.
//!
//! Both walkers keep their own explicit stack on the heap, so a value nested 100,000 levels
//! deep converts on any thread stack. (Dropping a deep `JValue` is safe: jsonata-core's payload
//! drop switches to a work list when the stack runs low. Dropping a deep `serde_json::Value` is
//! not, hence [`dismantle_json`].)

use indexmap::IndexMap;
use jsonata_core::value::JValue;
use serde_json::{Map, Number, Value};

/// A serde_json value as a JSONata value. Numbers become `f64`, as in JavaScript.
pub(crate) fn to_jvalue(root: &Value) -> JValue {
    enum Frame<'a> {
        Array(std::slice::Iter<'a, Value>, Vec<JValue>),
        Object(
            serde_json::map::Iter<'a>,
            IndexMap<String, JValue>,
            Option<&'a str>,
        ),
    }
    fn scalar(v: &Value) -> Option<JValue> {
        Some(match v {
            Value::Null => JValue::Null,
            Value::Bool(b) => JValue::Bool(*b),
            // Every serde_json number has an f64 reading (u64/i64 round to the nearest).
            Value::Number(n) => JValue::Number(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => JValue::string(s.as_str()),
            Value::Array(_) | Value::Object(_) => return None,
        })
    }
    fn open(v: &Value) -> Frame<'_> {
        match v {
            Value::Object(m) => Frame::Object(m.iter(), IndexMap::with_capacity(m.len()), None),
            Value::Array(a) => Frame::Array(a.iter(), Vec::with_capacity(a.len())),
            // `open` is only called on containers (callers test `scalar` first).
            _ => Frame::Array([].iter(), Vec::new()),
        }
    }
    if let Some(s) = scalar(root) {
        return s;
    }
    let mut stack = vec![open(root)];
    loop {
        // The next child of the innermost container, or the finished container.
        let step = match stack.last_mut() {
            Some(Frame::Array(it, _)) => it.next(),
            Some(Frame::Object(it, _, key)) => it.next().map(|(k, v)| {
                *key = Some(k.as_str());
                v
            }),
            None => return JValue::Undefined, // unreachable: the root frame returns below
        };
        let done = match step {
            Some(child) => match scalar(child) {
                Some(s) => s,
                None => {
                    stack.push(open(child));
                    continue;
                }
            },
            None => match stack.pop() {
                Some(Frame::Array(_, items)) => JValue::array(items),
                Some(Frame::Object(_, map, _)) => JValue::object(map),
                None => return JValue::Undefined,
            },
        };
        // `done` is a finished value: hand it to its parent, or return it as the root.
        match stack.last_mut() {
            Some(Frame::Array(_, items)) => items.push(done),
            Some(Frame::Object(_, map, key)) => {
                map.insert(key.take().unwrap_or_default().to_string(), done);
            }
            None => return done,
        }
    }
}

/// A number as JSON: integral values as integers (`2`, not `2.0`), keeping i64/u64 when the
/// value is exact, other finite values as f64. JSON has no NaN or infinity; they become null,
/// as `JSON.stringify` makes them.
pub(crate) fn number_to_json(n: f64) -> Value {
    if !n.is_finite() {
        return Value::Null;
    }
    if n.fract() == 0.0 {
        // 2^63 and 2^64 are exact in f64; the ranges are half-open so the casts are exact.
        if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&n) {
            return Value::Number(Number::from(n as i64));
        }
        if (0.0..18_446_744_073_709_551_616.0).contains(&n) {
            return Value::Number(Number::from(n as u64));
        }
    }
    Number::from_f64(n).map_or(Value::Null, Value::Number)
}

/// A JSONata value as serde_json, as jsonata-js results serialize: `None` for undefined (and for
/// a function, which `JSON.stringify` drops); undefined and function members of an object are
/// dropped; undefined items of an array are removed and function items become null (as
/// `JSON.stringify` writes them). Key order is kept.
pub(crate) fn from_jvalue(root: &JValue) -> Option<Value> {
    enum Frame<'a> {
        Array(std::slice::Iter<'a, JValue>, Vec<Value>),
        Object(
            indexmap::map::Iter<'a, String, JValue>,
            Map<String, Value>,
            Option<&'a str>,
        ),
    }
    enum Leaf {
        Value(Value),
        Absent,
        Function,
    }
    fn scalar(v: &JValue) -> Option<Leaf> {
        Some(match v {
            JValue::Null => Leaf::Value(Value::Null),
            JValue::Bool(b) => Leaf::Value(Value::Bool(*b)),
            JValue::Number(n) => Leaf::Value(number_to_json(*n)),
            JValue::String(s) => Leaf::Value(Value::String(s.to_string())),
            JValue::Undefined => Leaf::Absent,
            JValue::Array(_) | JValue::Object(_) => return None,
            _ => Leaf::Function,
        })
    }
    fn open(v: &JValue) -> Frame<'_> {
        match v {
            JValue::Object(m) => Frame::Object(m.iter(), Map::with_capacity(m.len()), None),
            JValue::Array(a) => Frame::Array(a.iter(), Vec::with_capacity(a.len())),
            // `open` is only called on containers (callers test `scalar` first).
            _ => Frame::Array([].iter(), Vec::new()),
        }
    }
    match scalar(root) {
        Some(Leaf::Value(v)) => return Some(v),
        Some(Leaf::Absent | Leaf::Function) => return None,
        None => {}
    }
    let mut stack = vec![open(root)];
    loop {
        let step = match stack.last_mut() {
            Some(Frame::Array(it, _)) => it.next(),
            Some(Frame::Object(it, _, key)) => it.next().map(|(k, v)| {
                *key = Some(k.as_str());
                v
            }),
            None => return None,
        };
        let leaf = match step {
            Some(child) => match scalar(child) {
                Some(leaf) => leaf,
                None => {
                    stack.push(open(child));
                    continue;
                }
            },
            None => match stack.pop() {
                Some(Frame::Array(_, items)) => Leaf::Value(Value::Array(items)),
                Some(Frame::Object(_, map, _)) => Leaf::Value(Value::Object(map)),
                None => return None,
            },
        };
        match stack.last_mut() {
            Some(Frame::Array(_, items)) => match leaf {
                Leaf::Value(v) => items.push(v),
                Leaf::Function => items.push(Value::Null),
                Leaf::Absent => {}
            },
            Some(Frame::Object(_, map, key)) => {
                let key = key.take().unwrap_or_default();
                if let Leaf::Value(v) = leaf {
                    map.insert(key.to_string(), v);
                }
            }
            None => {
                return match leaf {
                    Leaf::Value(v) => Some(v),
                    Leaf::Absent | Leaf::Function => None,
                }
            }
        }
    }
}

/// Drop a serde_json value without recursion (its drop glue recurses once per level).
#[cfg(test)]
pub(crate) fn dismantle_json(value: Value) {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(a) => stack.extend(a),
            Value::Object(m) => stack.extend(m.into_iter().map(|(_, v)| v)),
            _ => {}
        }
    }
}
