//! Unit tests of the JSONata bridge.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::convert::{dismantle_json, from_jvalue, to_jvalue};
use super::functions::java_random_double;
use super::*;

const NOW: i64 = 1_700_000_000_123; // 2023-11-14T22:13:20.123Z

fn host() -> Host {
    Host::new(NOW, 7)
}

fn eval_with(
    src: &str,
    input: Option<&Value>,
    host: &mut Host,
) -> Result<Option<Value>, JsonataError> {
    Expression::parse(src)?.evaluate(input, &[], host)
}

fn eval(src: &str) -> Result<Option<Value>, JsonataError> {
    eval_with(src, None, &mut host())
}

fn value(src: &str) -> Value {
    match eval(src) {
        Ok(Some(v)) => v,
        other => panic!("{src}: expected a value, got {other:?}"),
    }
}

fn error(src: &str) -> JsonataError {
    match eval(src) {
        Err(e) => e,
        other => panic!("{src}: expected an error, got {other:?}"),
    }
}

// ---- AWS's added functions ----

#[test]
fn random_with_seed_is_java_util_random() {
    assert_eq!(java_random_double(42), 0.7275636800328681);
    // Values printed by `new java.util.Random(seed).nextDouble()` (OpenJDK).
    assert_eq!(java_random_double(0), 0.730967787376657);
    assert_eq!(java_random_double(-1), 0.26894263088050496);
    assert_eq!(java_random_double(123_456_789_012), 0.013835938433091277);
    assert_eq!(java_random_double(i64::MIN), 0.730967787376657);
    assert_eq!(value("$random(42)"), json!(0.7275636800328681));
    // A Java long cast truncates toward zero.
    assert_eq!(value("$random(42.9)"), json!(0.7275636800328681));
}

#[test]
fn random_without_seed_follows_the_host_rng() {
    let a = eval_with("[$random(), $random()]", None, &mut host()).unwrap();
    let b = eval_with("[$random(), $random()]", None, &mut host()).unwrap();
    assert_eq!(a, b);
    let Some(Value::Array(items)) = a else {
        panic!("not an array")
    };
    assert_ne!(items[0], items[1]);
    for x in items {
        let x = x.as_f64().unwrap();
        assert!((0.0..1.0).contains(&x));
    }
    assert_eq!(error("$random('x')").code(), Some("T0410"));
}

#[test]
fn uuid_is_v4_and_repeats_with_the_seed() {
    let mut h1 = host();
    let mut h2 = host();
    let a = eval_with("$uuid()", None, &mut h1).unwrap().unwrap();
    let b = eval_with("$uuid()", None, &mut h2).unwrap().unwrap();
    assert_eq!(a, b);
    // The RNG state carries over to the next evaluation.
    let c = eval_with("$uuid()", None, &mut h1).unwrap().unwrap();
    assert_ne!(a, c);
    let s = a.as_str().unwrap();
    assert_eq!(s.len(), 36);
    let parsed = uuid::Uuid::parse_str(s).unwrap();
    assert_eq!(parsed.get_version_num(), 4);
    assert_eq!(s, s.to_lowercase());
    // As a function value too.
    assert!(value("($f := $uuid; $f())").is_string());
}

#[test]
fn partition() {
    assert_eq!(
        value("$partition([1,2,3,4,5,6,7,8,9], 3)"),
        json!([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    );
    assert_eq!(value("$partition([0,1,2,3], 3)"), json!([[0, 1, 2], [3]]));
    assert_eq!(value("$partition([0], 5)"), json!([[0]]));
    assert_eq!(value("$partition([], 2)"), json!([]));
    assert_eq!(error("$partition([1], 0)").kind(), ErrorKind::Evaluation);
    assert_eq!(error("$partition([1], 1.5)").kind(), ErrorKind::Evaluation);
    assert_eq!(error("$partition([1], 'a')").code(), Some("T0410"));
    assert_eq!(
        value("$map([[1,2,3]], function($a){$partition($a, 2)})"),
        json!([[1, 2], [3]])
    );
}

#[test]
fn range_includes_the_end_when_a_step_lands_on_it() {
    assert_eq!(value("$range(0, 10, 2)"), json!([0, 2, 4, 6, 8, 10]));
    assert_eq!(value("$range(0, 9, 3)"), json!([0, 3, 6, 9]));
    assert_eq!(value("$range(0, 10, 3)"), json!([0, 3, 6, 9]));
    assert_eq!(value("$range(1, 9, 2)"), json!([1, 3, 5, 7, 9]));
    assert_eq!(value("$range(5, 1, -2)"), json!([5, 3, 1]));
    // One item is that item, as AWS answers (test_array_range exec_hist_resp_2).
    assert_eq!(value("$range(1, 9, 9)"), json!(1));
    assert_eq!(eval("$range(5, 1, 1)").unwrap(), None);
    assert_eq!(error("$range(0, 5, 0)").kind(), ErrorKind::Evaluation);
    assert!(eval("$range(0, 999, 1)").is_ok());
    assert!(error("$range(0, 1000, 1)").message().contains("1000"));
    assert_eq!(error("$range('a', 2, 1)").code(), Some("T0410"));
}

#[test]
fn hash_vectors() {
    let cases = [
        ("MD5", "900150983cd24fb0d6963f7d28e17f72"),
        ("SHA-1", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (
            "SHA-256",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
        (
            "SHA-384",
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed\
             8086072ba1e7cc2358baeca134c825a7",
        ),
        (
            "SHA-512",
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
             2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        ),
    ];
    for (algorithm, digest) in cases {
        assert_eq!(
            value(&format!("$hash('abc', '{algorithm}')")),
            json!(digest),
            "{algorithm}"
        );
    }
    assert_eq!(
        value("$hash('', 'MD5')"),
        json!("d41d8cd98f00b204e9800998ecf8427e")
    );
    assert_eq!(error("$hash('abc', 'SHA-3')").kind(), ErrorKind::Evaluation);
    assert_eq!(error("$hash(1, 'MD5')").code(), Some("T0410"));
}

#[test]
fn parse_json_text() {
    assert_eq!(
        value("$parse('{\"Arg1\": 1, \"Arg2\": []}')"),
        json!({"Arg1": 1, "Arg2": []})
    );
    assert_eq!(value("$parse('-0')"), json!(0));
    assert_eq!(value("$parse('1.1')"), json!(1.1));
    assert_eq!(value("$parse('\"HelloWorld\"')"), json!("HelloWorld"));
    assert_eq!(value("$parse('[1, 2, \"x\"]')[2]"), json!("x"));
    assert_eq!(error("$parse('{')").kind(), ErrorKind::Evaluation);
    assert_eq!(error("$parse(1)").code(), Some("T0410"));
}

#[test]
fn now_and_millis_read_the_host_clock() {
    assert_eq!(value("$millis()"), json!(NOW));
    assert_eq!(value("$now()"), json!("2023-11-14T22:13:20.123Z"));
    assert_eq!(value("$now('[Y0001]-[M01]-[D01]')"), json!("2023-11-14"));
    assert_eq!(value("$now('[H01]:[m01]', '+0100')"), json!("23:13"));
    assert_eq!(value("$map([1], $millis)"), json!(NOW));
    let mut later = Host::new(NOW + 1000, 7);
    assert_eq!(
        eval_with("$millis()", None, &mut later).unwrap(),
        Some(json!(NOW + 1000))
    );
}

#[test]
fn eval_is_not_available() {
    for src in [
        "$eval('1+1')",
        "$map(['1+1'], $eval)",
        "($e := $eval; $e('1'))",
    ] {
        let e = error(src);
        assert_eq!(e.code(), Some("T1006"), "{src}");
        assert_eq!(e.message(), "T1006: Attempted to invoke a non-function");
    }
}

// ---- the 2.0.6 dialect ----

#[test]
fn coalescing_and_elvis_operators_are_refused() {
    for src in ["a ?? b", "(a ?: 'x')", "{'k': $x ?? 1}", "[1].($ ?? 2)"] {
        let e = Expression::parse(src).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Syntax, "{src}");
        assert_eq!(e.code(), Some("S0211"), "{src}");
        assert!(
            e.message().contains("JSONata 2.0 (AWS) restriction"),
            "{src}"
        );
    }
    // The characters in strings, names and comments are not operators.
    assert_eq!(value("'a ?? b'"), json!("a ?? b"));
    assert_eq!(value("/* ?: */ 1"), json!(1));
    assert_eq!(value("true ? 1 : 2"), json!(1));
    assert_eq!(eval("false ? 1").unwrap(), None);
}

#[test]
fn syntax_errors_carry_their_code() {
    let e = Expression::parse("1 +").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Syntax);
    assert!(e.code().is_some_and(|c| c.starts_with('S')), "{e:?}");
    assert_eq!(
        Expression::parse("/* open").unwrap_err().code(),
        Some("S0106")
    );
}

// ---- values ----

#[test]
fn undefined_handling() {
    assert_eq!(eval("nothing").unwrap(), None);
    assert_eq!(eval_with("$", None, &mut host()).unwrap(), None);
    assert_eq!(value("{'a': 1, 'b': nothing}"), json!({"a": 1}));
    assert_eq!(value("[1, nothing, 2]"), json!([1, 2]));
    assert_eq!(eval("function($x){$x}").unwrap(), None);
    assert_eq!(value("{'f': function($x){$x}, 'n': 1}"), json!({"n": 1}));
    let input = json!({"a": {"b": 3}});
    assert_eq!(
        eval_with("a.b", Some(&input), &mut host()).unwrap(),
        Some(json!(3))
    );
    assert_eq!(eval_with("a.c", Some(&input), &mut host()).unwrap(), None);
}

#[test]
fn integral_numbers_come_back_as_integers() {
    let v = value("[1 + 1, 6 / 3, 2.5, -0, 1e21, 9007199254740993, -5]");
    assert_eq!(v.to_string(), "[2,2,2.5,0,1e+21,9007199254740992,-5]");
    assert!(v[0].is_i64());
    assert!(value("18446744073709549568").is_u64());
    assert!(value("1.5").is_f64());
    assert_eq!(super::convert::number_to_json(f64::NAN), Value::Null);
}

#[test]
fn key_order_is_kept() {
    let input = json!({"z": 1, "a": 2, "m": 3});
    let out = eval_with("$", Some(&input), &mut host()).unwrap().unwrap();
    let keys: Vec<&String> = out.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["z", "a", "m"]);
    assert_eq!(value("{'z': 1, 'a': 2}").to_string(), r#"{"z":1,"a":2}"#);
}

#[test]
fn bindings_are_variables() {
    let states = json!({"input": {"n": 2}});
    let n = json!(40);
    let expr = Expression::parse("$states.input.n + $n").unwrap();
    let out = expr
        .evaluate(None, &[("states", &states), ("$n", &n)], &mut host())
        .unwrap();
    assert_eq!(out, Some(json!(42)));
    assert_eq!(expr.source(), "$states.input.n + $n");
}

fn deep_array(levels: usize) -> Value {
    let mut v = json!(1);
    for _ in 0..levels {
        v = Value::Array(vec![v]);
    }
    v
}

fn depth(v: &Value) -> usize {
    let mut d = 0;
    let mut cur = v;
    while let Value::Array(items) = cur {
        d += 1;
        cur = &items[0];
    }
    d
}

#[test]
fn deep_values_convert_both_ways() {
    const LEVELS: usize = 100_000;
    let input = deep_array(LEVELS);
    let j = to_jvalue(&input);
    let back = from_jvalue(&j).unwrap();
    drop(j);
    assert_eq!(depth(&back), LEVELS);
    dismantle_json(back);

    // Through an evaluation, in and out.
    let out = eval_with("$", Some(&input), &mut host()).unwrap().unwrap();
    assert_eq!(depth(&out), LEVELS);
    dismantle_json(out);
    dismantle_json(input);

    // A deep object built by the expression itself.
    let mut h = host();
    h.limits.timeout_ms = 60_000;
    let out = eval_with(
        "$reduce([1..100000], function($a, $v){ {'a': $a} }, 0)",
        None,
        &mut h,
    )
    .unwrap()
    .unwrap();
    let mut d = 0;
    let mut cur = &out;
    while let Some(next) = cur.get("a") {
        d += 1;
        cur = next;
    }
    assert_eq!(d, 100_000);
    dismantle_json(out);
}

// ---- limits ----

#[test]
fn huge_range_is_a_limit_error() {
    let e = error("[1..99999999]");
    assert_eq!(e.code(), Some("D2014"));
    assert_eq!(e.kind(), ErrorKind::Limit);
    let mut h = host();
    h.limits.max_sequence_length = 1000;
    let e = eval_with("[1..5000].($ * 2)", None, &mut h).unwrap_err();
    assert_eq!(e.code(), Some("D2015"));
}

#[test]
fn infinite_recursion_ends_at_the_timeout() {
    let mut h = host();
    h.limits.timeout_ms = 200;
    let e = eval_with("($f := function(){$f()}; $f())", None, &mut h).unwrap_err();
    assert_eq!(e.code(), Some("D1012"));
    assert_eq!(e.kind(), ErrorKind::Limit);
    let e = eval_with("($f := function($n){$f($n + 1)}; $f(0))", None, &mut h).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit);
}

#[test]
fn deep_recursion_is_a_limit_error() {
    let deep = "($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(1000000))";
    let e = error(deep);
    assert_eq!(e.kind(), ErrorKind::Limit, "{e:?}");
    let mut h = host();
    h.limits.max_depth = Some(100);
    let e = eval_with(deep, None, &mut h).unwrap_err();
    assert_eq!(e.code(), Some("D1011"));
    // Within the limit it works.
    assert_eq!(
        value("($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(100))"),
        json!(100)
    );
}

#[test]
fn unbounded_builtins_are_guarded() {
    for src in [
        "$pad('x', 1e10)",
        "$pad('x', -1e10)",
        "$formatInteger(1e15, 'I')",
        "$formatInteger(1e15, 'i')",
        "$map([1e10], function($w){$pad('x', $w)})",
        "$map(['x'], function($s){$s.$pad(1e10)})",
        "($p := $pad; $p('x', 1e10))",
        "'x' ~> $pad(1e10)",
    ] {
        let e = error(src);
        assert_eq!(e.kind(), ErrorKind::Limit, "{src}: {e:?}");
        assert!(e.message().contains("max_string_length"), "{src}");
    }
    let input = json!({"w": 1e10});
    let e = eval_with("$pad('x', w)", Some(&input), &mut host()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit);
    // Below the cap the built-ins behave as usual, context filling included.
    assert_eq!(value("$pad('x', 3)"), json!("x  "));
    assert_eq!(value("$pad('x', -3, '#')"), json!("##x"));
    assert_eq!(value("['ab'].$pad(4, '.')"), json!("ab.."));
    assert_eq!(value("$formatInteger(1999, 'I')"), json!("MCMXCIX"));
    assert_eq!(
        value("$formatInteger(1e15, '0')"),
        json!("1000000000000000")
    );
    assert_eq!(value("[7].$formatInteger('w')"), json!("seven"));
    assert_eq!(value("$map(['a'], function($s){$pad($s, 2)})"), json!("a "));
    // An expression that rebinds the name gets its own function.
    assert_eq!(
        value("($pad := function($s, $n){$n}; $pad('x', 1e10))"),
        json!(10_000_000_000_i64)
    );
    // Errors of the built-in come through.
    assert_eq!(error("$pad(1, 2)").code(), Some("T0410"));
    let mut h = host();
    h.limits.max_string_length = 10;
    assert_eq!(
        eval_with("$pad('x', 11)", None, &mut h).unwrap_err().kind(),
        ErrorKind::Limit
    );
}

#[test]
fn cancel_stops_evaluation() {
    let mut h = host();
    h.cancel.cancel();
    assert!(h.cancel.is_cancelled());
    let e = eval_with("($f := function(){$f()}; $f())", None, &mut h).unwrap_err();
    assert_eq!(e.code(), Some("U1003"));
    assert_eq!(e.kind(), ErrorKind::Limit);
}

#[test]
fn expression_is_send_and_sync() {
    fn check<T: Send + Sync + Clone>() {}
    check::<Expression>();
    check::<JsonataError>();
    check::<CancelHandle>();
    let expr = Expression::parse("1 + 1").unwrap();
    let out = std::thread::spawn(move || expr.evaluate(None, &[], &mut host()))
        .join()
        .unwrap();
    assert_eq!(out.unwrap(), Some(json!(2)));
}

// ---- AWS cause texts ----

#[test]
fn cause_texts_match_aws() {
    assert_eq!(
        cause_returned_nothing("$doesNotExist", "Output/result"),
        "The JSONata expression '$doesNotExist' specified for the field 'Output/result' \
         returned nothing (undefined)."
    );
    let expr = "$randomSeeded($states.input.FunctionInput.fst)";
    let e = error(expr);
    assert_eq!(
        cause_evaluation_error(expr, "Output/FunctionResult", &e),
        "The JSONata expression '$randomSeeded($states.input.FunctionInput.fst)' specified for \
         the field 'Output/FunctionResult' threw an error during evaluation. T1006: Attempted \
         to invoke a non-function"
    );
    assert_eq!(
        cause_unexpected_type("{'foo': 'bar'}", "Items", "array", &json!({"foo": "bar"})),
        "The JSONata expression '{'foo': 'bar'}' specified for the field 'Items' returned an \
         unexpected result type. Expected 'array', but was 'object' for value: {\"foo\":\"bar\"}"
    );
    assert_eq!(
        cause_unexpected_type("$ItemsVar", "Items", "array", &json!("string")),
        "The JSONata expression '$ItemsVar' specified for the field 'Items' returned an \
         unexpected result type. Expected 'array', but was 'string' for value: \"string\""
    );
    let e = error("1 + 'a'");
    assert_eq!(e.code(), Some("T2002"));
    assert!(
        e.message().starts_with("T2002: The right side"),
        "{}",
        e.message()
    );
}

#[test]
fn find_code_reads_codes_only_as_words() {
    assert_eq!(error::find_code("Invalid syntax: T1006: x"), Some("T1006"));
    assert_eq!(error::find_code("XT1006 D30301 S0211"), Some("S0211"));
    assert_eq!(error::find_code("none"), None);
}

// ---- robustness ----

/// Pieces of JSONata, glued into arbitrary expressions.
fn fragment() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "$",
        "$$",
        "a",
        "b.c",
        "*",
        "**",
        "%",
        "[",
        "]",
        "{",
        "}",
        "(",
        ")",
        ",",
        ";",
        ":",
        "?",
        "??",
        "?:",
        ".",
        "..",
        "+",
        "-",
        "*",
        "/",
        "&",
        "=",
        "!=",
        "<",
        ">=",
        "and",
        "or",
        "in",
        "~>",
        ":=",
        "$x",
        "$f",
        "function($x){",
        "$x}",
        "1",
        "0",
        "-1",
        "1e300",
        "99999999",
        "'s'",
        "\"t\"",
        "`n`",
        "true",
        "null",
        "/a+/",
        "#$i",
        "@$o",
        "^(",
        "|a|{}|",
        "$pad(",
        "$formatInteger(",
        "'I'",
        "$string(",
        "$sum(",
        "$map(",
        "$reduce(",
        "$eval(",
        "$random(",
        "$range(",
        "$partition(",
        "$hash(",
        "$parse(",
        "$uuid()",
        "$now()",
        "[1..1000]",
        "[1..99999999]",
        "$f($x)",
        "$f := function($n){$f($n)}",
        " ",
        "/*c*/",
    ])
    .prop_map(str::to_string)
}

fn expression() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..24).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Parse and evaluate never panic and always come back, with the limits in force.
    #[test]
    fn arbitrary_expressions_never_panic(src in prop_oneof![expression(), ".{0,40}"]) {
        let input = json!({"a": [1, 2, {"x": "y"}], "b": {"c": [3, 4]}});
        let mut h = host();
        h.limits.timeout_ms = 200;
        h.limits.max_sequence_length = 100_000;
        h.limits.max_string_length = 100_000;
        if let Ok(expr) = Expression::parse(&src) {
            if let Err(e) = expr.evaluate(Some(&input), &[("x", &json!(2))], &mut h) {
                prop_assert_ne!(e.kind(), ErrorKind::Internal, "{}: {:?}", src, e);
            }
        }
    }
}

/// The engine's cache parses an expression once and hands out the same tree; a text that
/// does not parse gives the parser's error each time and is not kept.
#[test]
fn parsed_expressions_are_parsed_once() {
    let parsed = super::Parsed::default();
    let a = parsed.get("$states.input.a + 1").unwrap();
    let b = parsed.get("$states.input.a + 1").unwrap();
    assert!(Arc::ptr_eq(&a.ast, &b.ast), "the second get parsed again");
    let states = serde_json::json!({ "input": { "a": 1 } });
    let mut host = super::Host::new(0, 1);
    assert_eq!(
        b.evaluate(None, &[("states", &states)], &mut host).unwrap(),
        Some(serde_json::json!(2))
    );
    let bad = parsed.get("$states.input.(").unwrap_err();
    assert_eq!(bad, parsed.get("$states.input.(").unwrap_err());
    assert_eq!(parsed.by_source.len(), 1);
}

/// `$states.context` is found wherever an expression could reach it; `$states.input` and the
/// other fields alone are not taken for it.
#[test]
fn states_context_is_found() {
    use super::reads_states_context as reads;
    assert!(!reads(&json!("{% $states.input.a + $states.result.b %}")));
    assert!(!reads(&json!({ "x": ["{% $states.errorOutput %}", 1] })));
    // Conservative: a longer name after `.input` is not taken for `.input`.
    assert!(reads(&json!("{% $states.inputs %}")));
    assert!(reads(&json!("{% $states.context.Execution.Id %}")));
    assert!(reads(&json!("{% $keys($states) %}")));
    assert!(reads(&json!("{% $states . context %}")));
    assert!(reads(
        &json!({ "a": { "b": "{% $states.input & $string($states) %}" } })
    ));
    assert!(!reads(&json!(true)));
}
