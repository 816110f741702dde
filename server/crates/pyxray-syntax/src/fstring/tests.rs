//! Tests of f-string and t-string parsing: the PEP 750 tree shape, the errors CPython gives, and
//! half-typed literals (an editor's usual state) never panicking.

use crate::ast::{Constant, Conversion, Expr, ExprKind, StmtKind};
use crate::parse::{parse_module_with, Grammar};

fn value_of(src: &str, minor: u32) -> Expr {
    let parsed = parse_module_with(src, Grammar::of_release(minor));
    assert!(parsed.errors.is_empty(), "{src:?}: {:?}", parsed.errors);
    match &parsed.module.body[0].kind {
        StmtKind::Assign { value, .. } => value.clone(),
        other => panic!("not an assignment: {other:?}"),
    }
}

fn first_error(src: &str, minor: u32) -> (u32, String) {
    let parsed = parse_module_with(src, Grammar::of_release(minor));
    let e = parsed.errors.first().unwrap_or_else(|| panic!("{src:?} parsed"));
    (e.range.start, e.message.clone())
}

fn str_value(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Constant(Constant::Str(s)) => s.lossy().to_string(),
        other => panic!("not a str constant: {other:?}"),
    }
}

#[test]
fn template_str_shape() {
    let e = value_of("x = t\"a{b!r:>{w}} {c=}\" T'd{e}'\n", 14);
    let ExprKind::TemplateStr(values) = &e.kind else { panic!("{e:?}") };
    assert_eq!(values.len(), 6);
    assert_eq!(str_value(&values[0]), "a");
    let ExprKind::Interpolation { str, conversion, format_spec, .. } = &values[1].kind else { panic!() };
    assert_eq!((str.lossy(), *conversion), ("b", Conversion::Repr));
    let spec = format_spec.as_deref().expect("spec");
    assert!(matches!(&spec.kind, ExprKind::JoinedStr(parts) if matches!(parts[1].kind, ExprKind::FormattedValue { .. })));
    // The debug text joins the literal before it.
    assert_eq!(str_value(&values[2]), " c=");
    let ExprKind::Interpolation { str, conversion, .. } = &values[3].kind else { panic!() };
    assert_eq!((str.lossy(), *conversion), ("c", Conversion::Repr));
    assert_eq!(str_value(&values[4]), "d");
    assert_eq!(values[4].range.start, 26);
}

#[test]
fn interpolation_text_keeps_source() {
    let e = value_of("x = t\"{ a  +b = !s} {'#'=}\"\n", 14);
    let ExprKind::TemplateStr(values) = &e.kind else { panic!("{e:?}") };
    let texts: Vec<&str> = values
        .iter()
        .filter_map(|v| match &v.kind {
            ExprKind::Interpolation { str, .. } => Some(str.lossy()),
            _ => None,
        })
        .collect();
    assert_eq!(texts, [" a  +b", "'#'"]);
}

#[test]
fn template_string_errors() {
    assert_eq!(first_error("x = t\"a\" \"b\"\n", 14), (4, "cannot mix t-string literals with string or bytes literals".into()));
    assert_eq!(first_error("x = \"a\" t\"b\"\n", 14), (4, "cannot mix t-string literals with string or bytes literals".into()));
    assert_eq!(first_error("x = bt\"a\"\n", 14), (4, "'b' and 't' prefixes are incompatible".into()));
    assert_eq!(first_error("x = t\"{y!z}\"\n", 14).1, "t-string: invalid conversion character 'z': expected 's', 'r', or 'a'");
    // Before 3.14 the prefix is a name followed by a string.
    assert_eq!(first_error("x = t\"a\"\n", 13), (5, "invalid syntax".into()));
    assert_eq!(first_error("x = t\"a\" f\"b\"\n", 12), (5, "invalid syntax".into()));
}

#[test]
fn half_typed_literals_do_not_panic() {
    let full = "def f(a):\n    return t\"x{a!r:>{w}.{p}} {a = } {t'{a}'}\" rt'\\d{a}' + f\"{a=!s:{w}}\"\n";
    for minor in [12, 13, 14] {
        for end in (0..=full.len()).filter(|&i| full.is_char_boundary(i)) {
            let _ = parse_module_with(&full[..end], Grammar::of_release(minor));
        }
    }
}
