//! The runtime-insight diagnostics on small programs: which ones fire, where, and what their
//! quick fixes turn the code into.

use pyxray_insights::{AnalysisConfig, Diagnostic, FileAnalysis};

fn diagnostics(text: &str) -> Vec<Diagnostic> {
    FileAnalysis::new(text, &AnalysisConfig::default()).diagnostics().to_vec()
}

fn named<'a>(ds: &'a [Diagnostic], name: &str) -> Vec<&'a Diagnostic> {
    ds.iter().filter(|d| d.code.name == name).collect()
}

/// The text after applying a diagnostic's first fix.
fn fixed(text: &str, d: &Diagnostic) -> String {
    let mut edits = d.fixes[0].edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = text.to_string();
    for e in edits {
        out.replace_range(e.range.start as usize..e.range.end as usize, &e.new_text);
    }
    out
}

#[test]
fn is_with_a_literal_is_explained_and_fixed() {
    let text = "def f(x):\n    return x is 1000\n";
    let ds = diagnostics(text);
    let d = named(&ds, "is-literal");
    assert_eq!(d.len(), 1, "{ds:?}");
    assert!(d[0].message.starts_with("SyntaxWarning: \"is\" with 'int' literal. Did you mean \"==\"?"), "{}", d[0].message);
    assert_eq!(fixed(text, d[0]), "def f(x):\n    return x == 1000\n");
    let text = "def f(x):\n    return x is not 'a'\n";
    let d = diagnostics(text);
    assert_eq!(fixed(text, named(&d, "is-literal")[0]), "def f(x):\n    return x != 'a'\n");
}

#[test]
fn identity_between_numbers_gets_the_vms_answer() {
    let text = "a = 257\nb = 257\nsame = a is b\n";
    let ds = diagnostics(text);
    let d = named(&ds, "identity-depends-on-cache");
    assert_eq!(d.len(), 1, "{ds:?}");
    assert!(d[0].message.contains("is True here"), "{}", d[0].message);
    assert_eq!(fixed(text, d[0]), "a = 257\nb = 257\nsame = a == b\n");
    // Singletons and containers are fine.
    assert!(named(&diagnostics("def f(x, y):\n    return x is None or x is y\n"), "identity-depends-on-cache").is_empty());
}

#[test]
fn none_and_bool_comparisons() {
    let text = "def f(x):\n    if x == None:\n        return x != None\n";
    let ds = diagnostics(text);
    let d = named(&ds, "none-comparison");
    assert_eq!(d.len(), 2, "{ds:?}");
    assert_eq!(fixed(text, d[0]), "def f(x):\n    if x is None:\n        return x != None\n");
    assert_eq!(fixed(text, d[1]), "def f(x):\n    if x == None:\n        return x is not None\n");
    let ds = diagnostics("def f(x):\n    return x == True\n");
    let d = named(&ds, "bool-comparison");
    assert_eq!(d.len(), 1);
    assert!(d[0].fixes.is_empty(), "no automatic fix for == True");
}

#[test]
fn mutable_defaults_become_none_sentinels() {
    let text = "def add(item, bucket=[]):\n    \"\"\"Adds.\"\"\"\n    bucket.append(item)\n    return bucket\n";
    let ds = diagnostics(text);
    let d = named(&ds, "mutable-default");
    assert_eq!(d.len(), 1);
    assert_eq!(
        fixed(text, d[0]),
        "def add(item, bucket=None):\n    \"\"\"Adds.\"\"\"\n    if bucket is None:\n        bucket = []\n    bucket.append(item)\n    return bucket\n"
    );
    assert_eq!(named(&diagnostics("f = lambda x={}: x\n"), "mutable-default").len(), 1);
    assert!(named(&diagnostics("def f(x=()):\n    return x\n"), "mutable-default").is_empty());
}

#[test]
fn late_binding_only_when_the_closure_escapes() {
    let escaping = "def handlers():\n    out = []\n    for name in ('a', 'b'):\n        out.append(lambda: name)\n    return out\n";
    let ds = diagnostics(escaping);
    let d = named(&ds, "late-binding-closure");
    assert_eq!(d.len(), 1, "{ds:?}");
    assert!(d[0].message.contains("`name`"), "{}", d[0].message);
    assert_eq!(&escaping[d[0].range.start as usize..d[0].range.end as usize], "lambda: name");
    let local = "def total():\n    s = 0\n    for i in range(3):\n        f = lambda: i\n        s += f()\n    return s\n";
    assert!(named(&diagnostics(local), "late-binding-closure").is_empty());
}

#[test]
fn code_that_does_not_compile_keeps_the_insights_of_the_rest() {
    // `return` at module level stops CPython's compiler; the function still gets its insights.
    let text = "def f():\n    a = 257\n    b = 257\n    return a is b\nreturn 1\n";
    let analysis = FileAnalysis::new(text, &AnalysisConfig::default());
    let ds = analysis.diagnostics();
    assert_eq!(named(ds, "compile-error").len(), 1, "{ds:?}");
    assert_eq!(named(ds, "identity-depends-on-cache").len(), 1, "{ds:?}");
    let hover = analysis.hover(4).expect("hover on f");
    assert!(hover.markdown.contains("```text") && hover.markdown.contains("CPython refuses this file"), "{}", hover.markdown);
}
