//! The oracle's canonical JSON (`shared/oracle/dis_dump.py`): every code object, instruction and
//! table of a file, written exactly as Python's `json.dumps(indent=1, sort_keys=True)` writes it
//! so the two can be compared field by field or byte by byte.

use super::*;
use std::sync::Arc;

/// A JSON value with Python's `json` formatting rules.
#[derive(Clone, Debug, PartialEq)]
pub enum PyJson {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    List(Vec<PyJson>),
    /// Keys are sorted when written.
    Dict(Vec<(String, PyJson)>),
}

impl PyJson {
    fn opt_int(v: Option<i32>) -> PyJson {
        v.map_or(PyJson::Null, |v| PyJson::Int(v as i64))
    }

    fn strs<'a>(items: impl IntoIterator<Item = &'a str>) -> PyJson {
        PyJson::List(items.into_iter().map(|s| PyJson::Str(s.to_string())).collect())
    }

    /// `json.dumps(self, indent=1, sort_keys=True)`.
    pub fn dumps(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out
    }

    fn write(&self, out: &mut String, level: usize) {
        match self {
            PyJson::Null => out.push_str("null"),
            PyJson::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            PyJson::Int(i) => out.push_str(&i.to_string()),
            PyJson::Str(s) => write_str(out, s),
            PyJson::List(items) => {
                if items.is_empty() {
                    out.push_str("[]");
                    return;
                }
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push('\n');
                    out.push_str(&" ".repeat(level + 1));
                    item.write(out, level + 1);
                }
                out.push('\n');
                out.push_str(&" ".repeat(level));
                out.push(']');
            }
            PyJson::Dict(entries) => {
                if entries.is_empty() {
                    out.push_str("{}");
                    return;
                }
                let mut sorted: Vec<&(String, PyJson)> = entries.iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                out.push('{');
                for (i, (k, v)) in sorted.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push('\n');
                    out.push_str(&" ".repeat(level + 1));
                    write_str(out, k);
                    out.push_str(": ");
                    v.write(out, level + 1);
                }
                out.push('\n');
                out.push_str(&" ".repeat(level));
                out.push('}');
            }
        }
    }
}

/// A JSON string with `ensure_ascii=True`.
fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

/// What compiling one file gave, in the oracle's terms.
#[derive(Clone, Debug)]
pub enum FileResult {
    Compiled { code: Arc<CodeObject>, warnings: Vec<String> },
    SyntaxError { error: String, msg: String, lineno: Option<i64>, offset: Option<i64> },
    CompileError { error: String, msg: String },
}

/// Rendering options.
#[derive(Clone, Copy, Debug)]
pub struct JsonOptions {
    pub version: PythonVersion,
}

fn instruction_json(i: &Instruction, version: PythonVersion) -> PyJson {
    let canon = matches!(&i.argval, ArgVal::Const(c) if needs_canon(c));
    let argval = i.argval.canonical_repr(version);
    let argrepr = if canon { argval.clone() } else { i.argrepr.clone() };
    let mut d = vec![
        ("offset".to_string(), PyJson::Int(i.offset as i64)),
        ("opname".to_string(), PyJson::Str(i.op.name().to_string())),
        ("opcode".to_string(), PyJson::Int(i.opcode as i64)),
        ("arg".to_string(), PyJson::opt_int(i.arg)),
        ("argval".to_string(), PyJson::Str(argval)),
        ("argrepr".to_string(), PyJson::Str(argrepr)),
        ("is_jump_target".to_string(), PyJson::Bool(i.is_jump_target)),
    ];
    if version >= PythonVersion::V3_13 {
        d.push(("starts_line".into(), if i.starts_line { PyJson::opt_int(i.line_number) } else { PyJson::Null }));
        d.push(("line_number".into(), PyJson::opt_int(i.line_number)));
        d.push(("label".into(), i.label.map_or(PyJson::Null, |l| PyJson::Int(l as i64))));
    } else {
        d.push(("starts_line".into(), if i.starts_line { PyJson::opt_int(i.line_number) } else { PyJson::Null }));
    }
    let positions = match i.positions {
        None => PyJson::Null,
        Some((a, b, c, e)) => PyJson::List(vec![PyJson::opt_int(a), PyJson::opt_int(b), PyJson::opt_int(c), PyJson::opt_int(e)]),
    };
    d.push(("positions".into(), positions));
    PyJson::Dict(d)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The oracle's `code_dict`.
pub fn code_json(co: &CodeObject, version: PythonVersion) -> PyJson {
    let exc = parse_exception_table(&co.exceptiontable);
    let exception_table = PyJson::List(
        exc.iter()
            .map(|e| {
                PyJson::List(vec![
                    PyJson::Int(e.start as i64),
                    PyJson::Int(e.end as i64),
                    PyJson::Int(e.target as i64),
                    PyJson::Int(e.depth as i64),
                    PyJson::Bool(e.lasti),
                ])
            })
            .collect(),
    );
    let instructions = get_instructions(co, version).iter().map(|i| instruction_json(i, version)).collect();
    PyJson::Dict(vec![
        ("name".into(), PyJson::Str(co.name.clone())),
        ("qualname".into(), PyJson::Str(co.qualname.clone())),
        ("firstlineno".into(), PyJson::Int(co.firstlineno as i64)),
        ("argcount".into(), PyJson::Int(co.argcount as i64)),
        ("posonlyargcount".into(), PyJson::Int(co.posonlyargcount as i64)),
        ("kwonlyargcount".into(), PyJson::Int(co.kwonlyargcount as i64)),
        ("nlocals".into(), PyJson::Int(co.nlocals() as i64)),
        ("stacksize".into(), PyJson::Int(co.stacksize as i64)),
        ("flags".into(), PyJson::Int(co.flags as i64)),
        ("flags_repr".into(), PyJson::Str(pretty_flags(version, co.flags))),
        ("varnames".into(), PyJson::strs(co.varnames())),
        ("cellvars".into(), PyJson::strs(co.cellvars())),
        ("freevars".into(), PyJson::strs(co.freevars())),
        ("names".into(), PyJson::strs(co.names.iter().map(|s| s.as_str()))),
        ("consts".into(), PyJson::List(co.consts.iter().map(|c| PyJson::Str(canonical_const_repr(c, version))).collect())),
        ("code_hex".into(), PyJson::Str(hex(&co.code))),
        ("linetable_hex".into(), PyJson::Str(hex(&co.linetable))),
        ("exceptiontable_hex".into(), PyJson::Str(hex(&co.exceptiontable))),
        ("exception_table".into(), exception_table),
        ("instructions".into(), PyJson::List(instructions)),
    ])
}

/// The oracle's per-file document.
pub fn file_json(result: &FileResult, opts: JsonOptions) -> PyJson {
    let version = opts.version;
    let mut d = match result {
        FileResult::Compiled { code, warnings } => vec![
            ("warnings".to_string(), PyJson::strs(warnings.iter().map(|s| s.as_str()))),
            ("code_objects".to_string(), PyJson::List(code.walk().into_iter().map(|c| code_json(c, version)).collect())),
        ],
        FileResult::SyntaxError { error, msg, lineno, offset } => vec![(
            "syntax_error".to_string(),
            PyJson::Dict(vec![
                ("error".into(), PyJson::Str(error.clone())),
                ("msg".into(), PyJson::Str(msg.clone())),
                ("lineno".into(), lineno.map_or(PyJson::Null, PyJson::Int)),
                ("offset".into(), offset.map_or(PyJson::Null, PyJson::Int)),
            ]),
        )],
        FileResult::CompileError { error, msg } => vec![(
            "compile_error".to_string(),
            PyJson::Dict(vec![("error".into(), PyJson::Str(error.clone())), ("msg".into(), PyJson::Str(msg.clone()))]),
        )],
    };
    d.push(("python".to_string(), PyJson::Str(version.reference().to_string())));
    PyJson::Dict(d)
}
