//! Every function against AWS's results, argument failures, syntax errors and properties.

use super::*;
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::json;

fn run(text: &str, input: Value) -> Result<Value, StatesError> {
    let call = parse(text).unwrap();
    let context = json!({"Execution": {"Name": "run-1"}});
    let mut rng = StdRng::seed_from_u64(1);
    evaluate(&call, &Env::new(&input, &context).with_rng(&mut rng))
}

#[test]
fn each_function_behaves_as_aws() {
    assert_eq!(
        run(
            "States.Format('a{}b\\{\\}{}', $.x, 'y')",
            json!({"x": {"k": [1]}})
        )
        .unwrap(),
        json!("a{k=[1]}b{}y")
    );
    assert_eq!(
        run("States.StringToJson('{\"a\":1}')", json!({})).unwrap(),
        json!({"a": 1})
    );
    assert_eq!(
        run("States.JsonToString($)", json!({"a": [1, "x"]})).unwrap(),
        json!("{\"a\":[1,\"x\"]}")
    );
    assert_eq!(
        run("States.Array(1, 'two', null, true)", json!({})).unwrap(),
        json!([1, "two", null, true])
    );
    assert_eq!(
        run("States.ArrayPartition($.a, 2)", json!({"a": [1, 2, 3]})).unwrap(),
        json!([[1, 2], [3]])
    );
    assert_eq!(
        run("States.ArrayContains($.a, 2)", json!({"a": [1, 2]})).unwrap(),
        json!(true)
    );
    assert_eq!(
        run("States.ArrayRange(1, 9, 2)", json!({})).unwrap(),
        json!([1, 3, 5, 7, 9])
    );
    assert_eq!(
        run("States.ArrayGetItem($.a, 1)", json!({"a": [1, 2]})).unwrap(),
        json!(2)
    );
    assert_eq!(
        run("States.ArrayLength($.a)", json!({"a": [1, 2]})).unwrap(),
        json!(2)
    );
    assert_eq!(
        run("States.ArrayUnique($.a)", json!({"a": [1, 2, 1, "1"]})).unwrap(),
        json!([1, 2, "1"])
    );
    assert_eq!(
        run("States.Base64Encode('Data to encode')", json!({})).unwrap(),
        json!("RGF0YSB0byBlbmNvZGU=")
    );
    assert_eq!(
        run("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", json!({})).unwrap(),
        json!("Data to encode")
    );
    assert_eq!(
        run("States.Hash('input data', 'SHA-1')", json!({})).unwrap(),
        json!("aaff4a450a104cd177d28d18d74485e8cae074b7")
    );
    assert_eq!(
        run("States.Hash('', 'MD5')", json!({})).unwrap(),
        json!("d41d8cd98f00b204e9800998ecf8427e")
    );
    assert_eq!(
        run(
            "States.JsonMerge($.a, $.b, false)",
            json!({"a": {"x": 1, "y": 1}, "b": {"y": 2}})
        )
        .unwrap(),
        json!({"x": 1, "y": 2})
    );
    assert_eq!(
        run("States.MathAdd(1.5, -1.5)", json!({})).unwrap(),
        json!(1)
    );
    assert_eq!(
        run("States.StringSplit('a,b;;c', ',;')", json!({})).unwrap(),
        json!(["a", "b", "c"])
    );
    assert_eq!(
        run("States.MathRandom(1, 10, 7)", json!({})).unwrap(),
        run("States.MathRandom(1, 10, 7)", json!({})).unwrap()
    );
    let uuid = run("States.UUID()", json!({})).unwrap();
    assert_eq!(uuid.as_str().unwrap().len(), 36);
    assert_eq!(
        run("States.Format('{}', $$.Execution.Name)", json!({})).unwrap(),
        json!("run-1")
    );
}

#[test]
fn math_random_accepts_numbers_with_a_fraction() {
    // AWS: `States.MathRandom(12.5, 44.51)` succeeds
    // (../shared/conformance/v2/intrinsic_functions.test_math_operations.test_math_random.exec_hist_resp_0).
    let v = run(
        "States.MathRandom($.a, $.b)",
        json!({"a": 12.5, "b": 44.51}),
    )
    .unwrap();
    let n = v.as_i64().unwrap();
    assert!((13..45).contains(&n), "{v}");
}

#[test]
fn extreme_integers_do_not_overflow() {
    // Found by `cargo fuzz run intrinsic`: these overflowed i64 arithmetic (a panic in
    // debug builds, where users' tests run).
    let run = |text: &str| {
        let empty = json!({});
        let mut rng = StdRng::seed_from_u64(1);
        evaluate(
            &parse(text).unwrap(),
            &Env::new(&empty, &empty).with_rng(&mut rng),
        )
    };
    let big = i64::MAX;
    assert_eq!(
        run(&format!("States.ArrayRange(0, {big}, {big})")).unwrap(),
        json!([0, big])
    );
    let v = run(&format!("States.MathRandom({}, {big})", i64::MIN)).unwrap();
    assert!(v.as_i64().is_some(), "{v}");
    assert!(run(&format!("States.MathAdd({big}, 1)")).is_err());
}

#[test]
fn bad_arguments_fail_with_intrinsic_failure() {
    for (text, input) in [
        ("States.ArrayPartition($.a, 0)", json!({"a": [1]})),
        ("States.ArrayGetItem($.a, 5)", json!({"a": [1]})),
        ("States.ArrayRange(0, 5000, 1)", json!({})),
        ("States.Base64Decode('%%%')", json!({})),
        ("States.Hash('x', 'SHA-3')", json!({})),
        ("States.JsonMerge($.a, $.a, true)", json!({"a": {}})),
        ("States.StringToJson('{')", json!({})),
        ("States.Format('{} {}', 1)", json!({})),
        ("States.ArrayLength('no')", json!({})),
        ("States.MathRandom(5, 1)", json!({})),
    ] {
        let err = run(text, input).unwrap_err();
        assert_eq!(err.error, "States.IntrinsicFailure", "{text}: {err}");
    }
}

#[test]
fn syntax_errors_are_reported() {
    for text in [
        "States.Nope()",
        "States.Format('x'",
        "States.Array(1,)",
        "Format('x')",
        "States.Array(@)",
        "States.Format('x') y",
    ] {
        assert!(parse(text).is_err(), "{text} should not parse");
    }
    assert!(parse("States.Array($.a[?(@.x == 1)], States.UUID())").is_ok());
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,60}") {
            let _ = parse(&s);
            let _ = parse(&format!("States.{s}"));
        }

        #[test]
        fn partition_concatenates_back(v in proptest::collection::vec(any::<i32>(), 0..40), size in 1i64..10) {
            let out = run(&format!("States.ArrayPartition($.a, {size})"), json!({"a": v})).unwrap();
            let flat: Vec<Value> = out.as_array().unwrap().iter().flat_map(|c| c.as_array().unwrap().clone()).collect();
            prop_assert_eq!(Value::Array(flat), json!(v));
        }

        #[test]
        fn range_has_the_expected_length(start in -50i64..50, len in 0i64..50, step in 1i64..5) {
            let end = start + len;
            let out = run(&format!("States.ArrayRange({start}, {end}, {step})"), json!({})).unwrap();
            prop_assert_eq!(out.as_array().unwrap().len() as i64, len / step + 1);
        }

        #[test]
        fn json_round_trips(v in crate::asl::path::tests_support::arb_json()) {
            let s = run("States.JsonToString($)", v.clone()).unwrap();
            let back = run("States.StringToJson($.s)", json!({"s": s})).unwrap();
            prop_assert_eq!(back, v);
        }

        #[test]
        fn base64_round_trips(s in "\\PC{0,100}") {
            let enc = run("States.Base64Encode($.s)", json!({"s": s})).unwrap();
            let dec = run("States.Base64Decode($.e)", json!({"e": enc})).unwrap();
            prop_assert_eq!(dec, json!(s));
        }

        #[test]
        fn evaluation_never_panics(f in prop::sample::select(FUNCTIONS.iter().map(|(n, _)| *n).collect::<Vec<_>>()), args in proptest::collection::vec(crate::asl::path::tests_support::arb_json(), 0..4)) {
            let text = format!("States.{f}({})", (0..args.len()).map(|i| format!("$.a[{i}]")).collect::<Vec<_>>().join(", "));
            let _ = run(&text, json!({"a": args}));
        }
    }
}
