//! Comparing pyxray's JSON with the oracle's, file by file and code object by code object.
//!
//! Both sides list a file's code objects in the same order (depth first through `co_consts`), so
//! they are paired by index. A pair is *identical* when every instruction has the same opcode,
//! argument, argrepr, offset, line start and jump-target marks and the code object's metadata
//! (constants, names, flags, stack size, exception table, …) agree; it is *bit-identical* when,
//! on top of that, the raw bytes (`code_hex`, `linetable_hex`, `exceptiontable_hex`) and every
//! instruction's source positions agree.

use serde_json::{json, Value};

/// Instruction fields that must agree for "identical". `line_number` and `label` only exist in
/// 3.13+ documents; a field missing on both sides counts as equal.
pub const INSTRUCTION_FIELDS: [&str; 10] = [
    "opname",
    "opcode",
    "arg",
    "argval",
    "argrepr",
    "offset",
    "starts_line",
    "line_number",
    "is_jump_target",
    "label",
];

/// Code-object fields that identify it; compared first so a misaligned pair reads as such.
pub const IDENTITY_FIELDS: [&str; 3] = ["name", "qualname", "firstlineno"];

/// Code-object metadata that must agree for "identical".
pub const METADATA_FIELDS: [&str; 12] = [
    "argcount",
    "posonlyargcount",
    "kwonlyargcount",
    "nlocals",
    "stacksize",
    "flags",
    "consts",
    "names",
    "varnames",
    "cellvars",
    "freevars",
    "exception_table",
];

/// Raw tables that must also agree for "bit-identical" (after every instruction's `positions`).
pub const BIT_FIELDS: [&str; 3] = ["code_hex", "linetable_hex", "exceptiontable_hex"];

/// File-level fields compared before any code object.
pub const FILE_FIELDS: [&str; 3] = ["syntax_error", "compile_error", "warnings"];

/// How closely one pyxray code object matches CPython's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Different,
    Identical,
    BitIdentical,
}

/// The first place where the two sides disagree.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// The field that differs, e.g. `argrepr`, `consts`, `linetable_hex`, `code object count`.
    pub field: String,
    /// For an instruction field: the instruction's index in both listings.
    pub instruction: Option<usize>,
    pub oracle: Value,
    pub pyxray: Value,
    /// For an instruction difference: a few instructions around it on each side, rendered.
    pub context: Option<Context>,
}

/// Instructions around a difference; `marked` is the row of the differing instruction.
#[derive(Clone, Debug, PartialEq)]
pub struct Context {
    pub oracle: Vec<String>,
    pub pyxray: Vec<String>,
    pub marked: usize,
}

/// The verdict for one pair of code objects.
#[derive(Clone, Debug, PartialEq)]
pub struct CodeComparison {
    pub qualname: String,
    pub firstlineno: i64,
    pub level: Level,
    /// Why it is not bit-identical (the first difference at the level it failed).
    pub difference: Option<Difference>,
}

/// Overall verdict for a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileStatus {
    Ok,
    OkNotBitIdentical,
    Mismatch,
}

/// The verdict for one file.
#[derive(Clone, Debug, PartialEq)]
pub struct FileComparison {
    pub status: FileStatus,
    /// A file-level difference (warnings, syntax error, number of code objects).
    pub file_difference: Option<Difference>,
    /// One entry per oracle code object; those pyxray lacks are `Different`.
    pub code_objects: Vec<CodeComparison>,
}

impl FileComparison {
    pub fn identical_count(&self) -> usize {
        self.code_objects
            .iter()
            .filter(|c| c.level >= Level::Identical)
            .count()
    }

    pub fn bit_identical_count(&self) -> usize {
        self.code_objects
            .iter()
            .filter(|c| c.level == Level::BitIdentical)
            .count()
    }

    /// The first difference worth showing: file level first, else the first code object that
    /// is not identical, else the first that is not bit-identical.
    pub fn first_difference(&self) -> Option<(Option<&CodeComparison>, &Difference)> {
        if let Some(d) = &self.file_difference {
            return Some((None, d));
        }
        for wanted in [Level::Different, Level::Identical] {
            if let Some(c) = self.code_objects.iter().find(|c| c.level == wanted) {
                return c.difference.as_ref().map(|d| (Some(c), d));
            }
        }
        None
    }
}

fn field<'a>(value: &'a Value, name: &str) -> &'a Value {
    value.get(name).unwrap_or(&Value::Null)
}

fn field_difference(name: &str, oracle: &Value, pyxray: &Value) -> Option<Difference> {
    let (a, b) = (field(oracle, name), field(pyxray, name));
    (a != b).then(|| Difference {
        field: name.to_string(),
        instruction: None,
        oracle: a.clone(),
        pyxray: b.clone(),
        context: None,
    })
}

fn instructions(code: &Value) -> &[Value] {
    code.get("instructions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// Compares one pair of code objects.
pub fn compare_code(oracle: &Value, pyxray: &Value) -> CodeComparison {
    let qualname = field(oracle, "qualname")
        .as_str()
        .unwrap_or("?")
        .to_string();
    let firstlineno = field(oracle, "firstlineno").as_i64().unwrap_or(0);
    let (level, difference) = match identical_difference(oracle, pyxray) {
        Some(d) => (Level::Different, Some(d)),
        None => match bit_difference(oracle, pyxray) {
            Some(d) => (Level::Identical, Some(d)),
            None => (Level::BitIdentical, None),
        },
    };
    CodeComparison {
        qualname,
        firstlineno,
        level,
        difference,
    }
}

fn identical_difference(oracle: &Value, pyxray: &Value) -> Option<Difference> {
    if let Some(d) = IDENTITY_FIELDS
        .iter()
        .find_map(|f| field_difference(f, oracle, pyxray))
    {
        return Some(d);
    }
    if let Some(d) = instruction_difference(oracle, pyxray, &INSTRUCTION_FIELDS) {
        return Some(d);
    }
    METADATA_FIELDS
        .iter()
        .find_map(|f| field_difference(f, oracle, pyxray))
}

fn bit_difference(oracle: &Value, pyxray: &Value) -> Option<Difference> {
    if let Some(d) = instruction_difference(oracle, pyxray, &["positions"]) {
        return Some(d);
    }
    BIT_FIELDS
        .iter()
        .find_map(|f| field_difference(f, oracle, pyxray))
}

fn instruction_difference(oracle: &Value, pyxray: &Value, fields: &[&str]) -> Option<Difference> {
    let (a, b) = (instructions(oracle), instructions(pyxray));
    for (index, (x, y)) in a.iter().zip(b).enumerate() {
        if let Some(name) = fields.iter().find(|f| field(x, f) != field(y, f)) {
            return Some(Difference {
                field: name.to_string(),
                instruction: Some(index),
                oracle: field(x, name).clone(),
                pyxray: field(y, name).clone(),
                context: Some(context(a, b, index)),
            });
        }
    }
    (a.len() != b.len()).then(|| {
        let index = a.len().min(b.len());
        Difference {
            field: "instruction count".to_string(),
            instruction: Some(index),
            oracle: json!(a.len()),
            pyxray: json!(b.len()),
            context: Some(context(a, b, index)),
        }
    })
}

/// How many instructions to show before and after a differing one.
const CONTEXT_BEFORE: usize = 3;
const CONTEXT_AFTER: usize = 3;

fn context(a: &[Value], b: &[Value], index: usize) -> Context {
    let start = index.saturating_sub(CONTEXT_BEFORE);
    let end = index + CONTEXT_AFTER + 1;
    let render = |list: &[Value]| -> Vec<String> {
        (start..end)
            .map(|i| list.get(i).map(render_instruction).unwrap_or_default())
            .collect()
    };
    Context {
        oracle: render(a),
        pyxray: render(b),
        marked: index - start,
    }
}

/// One instruction as a short `dis`-like line: offset, line start, jump-target mark, opname,
/// argument and argrepr.
pub fn render_instruction(instr: &Value) -> String {
    let offset = field(instr, "offset")
        .as_i64()
        .map(|o| o.to_string())
        .unwrap_or_default();
    let line = match field(instr, "starts_line") {
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    let target = if field(instr, "is_jump_target").as_bool() == Some(true) {
        ">>"
    } else {
        "  "
    };
    let opname = field(instr, "opname").as_str().unwrap_or("?");
    let arg = match field(instr, "arg") {
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    let argrepr = field(instr, "argrepr").as_str().unwrap_or("");
    let mut text = format!("{line:>4} {target}{offset:>5} {opname:<20} {arg:>4}");
    if !argrepr.is_empty() {
        text.push_str(&format!(" ({argrepr})"));
    }
    text.trim_end().to_string()
}

/// Compares two per-file documents (`{warnings, code_objects}` or `{syntax_error}` …).
pub fn compare_file(oracle: &Value, pyxray: &Value) -> FileComparison {
    let file_difference = FILE_FIELDS
        .iter()
        .find_map(|f| field_difference(f, oracle, pyxray));
    let empty = Vec::new();
    let ours = oracle
        .get("code_objects")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let theirs = pyxray
        .get("code_objects")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let mut code_objects: Vec<CodeComparison> = ours
        .iter()
        .zip(theirs)
        .map(|(a, b)| compare_code(a, b))
        .collect();
    for missing in ours.iter().skip(theirs.len()) {
        code_objects.push(CodeComparison {
            qualname: field(missing, "qualname")
                .as_str()
                .unwrap_or("?")
                .to_string(),
            firstlineno: field(missing, "firstlineno").as_i64().unwrap_or(0),
            level: Level::Different,
            difference: Some(Difference {
                field: "missing code object".to_string(),
                instruction: None,
                oracle: json!(field(missing, "qualname")),
                pyxray: Value::Null,
                context: None,
            }),
        });
    }
    let file_difference = file_difference.or_else(|| {
        (ours.len() != theirs.len()).then(|| Difference {
            field: "code object count".to_string(),
            instruction: None,
            oracle: json!(ours.len()),
            pyxray: json!(theirs.len()),
            context: None,
        })
    });
    let status =
        if file_difference.is_some() || code_objects.iter().any(|c| c.level == Level::Different) {
            FileStatus::Mismatch
        } else if code_objects.iter().all(|c| c.level == Level::BitIdentical) {
            FileStatus::Ok
        } else {
            FileStatus::OkNotBitIdentical
        };
    FileComparison {
        status,
        file_difference,
        code_objects,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// Real oracle documents: the committed goldens of a few fixtures, for every version.
    fn golden_docs() -> Vec<(PathBuf, Value)> {
        let dir = crate::workspace_root().join("fixtures/compiler");
        let mut docs = Vec::new();
        for version in crate::VERSIONS {
            for name in ["classes", "exceptions", "pattern_matching", "operators"] {
                let path = dir.join(version).join(format!("{name}.json"));
                let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                    panic!("{}: {e} (run `cargo xtask regen`)", path.display())
                });
                docs.push((path, serde_json::from_str(&text).unwrap()));
            }
        }
        docs
    }

    fn first_code_with(doc: &Value, pred: impl Fn(&Value) -> bool) -> (usize, usize) {
        for (c, code) in doc["code_objects"].as_array().unwrap().iter().enumerate() {
            for (i, instr) in code["instructions"].as_array().unwrap().iter().enumerate() {
                if pred(instr) {
                    return (c, i);
                }
            }
        }
        panic!("no instruction matches");
    }

    #[test]
    fn oracle_against_itself_is_bit_identical() {
        for (path, doc) in golden_docs() {
            let result = compare_file(&doc, &doc);
            assert_eq!(result.status, FileStatus::Ok, "{}", path.display());
            assert!(result.code_objects.len() > 3, "{}", path.display());
            assert_eq!(result.bit_identical_count(), result.code_objects.len());
            assert!(result.first_difference().is_none());
        }
    }

    #[test]
    fn changed_argrepr_is_not_identical() {
        for (path, doc) in golden_docs() {
            let (c, i) = first_code_with(&doc, |ins| ins["opname"] == "LOAD_CONST");
            let mut copy = doc.clone();
            copy["code_objects"][c]["instructions"][i]["argrepr"] = json!("tampered");
            let result = compare_file(&doc, &copy);
            assert_eq!(result.status, FileStatus::Mismatch, "{}", path.display());
            assert_eq!(result.code_objects[c].level, Level::Different);
            let (code, diff) = result.first_difference().unwrap();
            assert_eq!(
                code.unwrap().qualname,
                doc["code_objects"][c]["qualname"].as_str().unwrap()
            );
            assert_eq!(diff.field, "argrepr");
            assert_eq!(diff.instruction, Some(i));
            assert_eq!(diff.pyxray, json!("tampered"));
            let context = diff.context.as_ref().unwrap();
            assert!(context.pyxray[context.marked].ends_with("(tampered)"));
            assert!(!context.oracle[context.marked].contains("tampered"));
            // Every other code object is still bit-identical.
            assert_eq!(result.bit_identical_count(), result.code_objects.len() - 1);
        }
    }

    #[test]
    fn changed_positions_are_identical_but_not_bit_identical() {
        for (path, doc) in golden_docs() {
            let (c, i) = first_code_with(&doc, |ins| {
                ins["positions"].is_array() && ins["opname"] != "RESUME"
            });
            let mut copy = doc.clone();
            copy["code_objects"][c]["instructions"][i]["positions"][3] = json!(999);
            let result = compare_file(&doc, &copy);
            assert_eq!(
                result.status,
                FileStatus::OkNotBitIdentical,
                "{}",
                path.display()
            );
            assert_eq!(result.code_objects[c].level, Level::Identical);
            assert_eq!(result.identical_count(), result.code_objects.len());
            let (_, diff) = result.first_difference().unwrap();
            assert_eq!(diff.field, "positions");
            assert_eq!(diff.instruction, Some(i));
        }
    }

    #[test]
    fn changed_linetable_is_identical_but_not_bit_identical() {
        for (path, doc) in golden_docs() {
            let mut copy = doc.clone();
            copy["code_objects"][1]["linetable_hex"] = json!("00");
            let result = compare_file(&doc, &copy);
            assert_eq!(
                result.status,
                FileStatus::OkNotBitIdentical,
                "{}",
                path.display()
            );
            assert_eq!(result.code_objects[1].level, Level::Identical);
            let (code, diff) = result.first_difference().unwrap();
            assert_eq!(
                code.unwrap().qualname,
                doc["code_objects"][1]["qualname"].as_str().unwrap()
            );
            assert_eq!(diff.field, "linetable_hex");
            assert_eq!(diff.instruction, None);
        }
    }

    #[test]
    fn metadata_and_file_level_differences() {
        let (_, doc) = golden_docs().into_iter().next().unwrap();
        let mut copy = doc.clone();
        copy["code_objects"][2]["stacksize"] = json!(1000);
        let result = compare_file(&doc, &copy);
        assert_eq!(result.status, FileStatus::Mismatch);
        assert_eq!(result.first_difference().unwrap().1.field, "stacksize");

        let mut copy = doc.clone();
        copy["warnings"] = json!(["SyntaxWarning: invented (line 1)"]);
        let result = compare_file(&doc, &copy);
        assert_eq!(result.status, FileStatus::Mismatch);
        let (code, diff) = result.first_difference().unwrap();
        assert!(code.is_none());
        assert_eq!(diff.field, "warnings");

        let mut copy = doc.clone();
        copy["code_objects"].as_array_mut().unwrap().pop();
        let result = compare_file(&doc, &copy);
        assert_eq!(result.status, FileStatus::Mismatch);
        assert_eq!(
            result.first_difference().unwrap().1.field,
            "code object count"
        );
        assert_eq!(result.code_objects.last().unwrap().level, Level::Different);

        let mut copy = doc.clone();
        copy["code_objects"][0]["instructions"]
            .as_array_mut()
            .unwrap()
            .pop();
        let result = compare_file(&doc, &copy);
        assert_eq!(
            result.first_difference().unwrap().1.field,
            "instruction count"
        );
    }

    #[test]
    fn syntax_errors_compare_as_documents() {
        let oracle = json!({"python": "3.11.7", "syntax_error": {"error": "SyntaxError", "msg": "invalid syntax", "lineno": 6, "offset": 6}});
        assert_eq!(
            compare_file(&oracle, &oracle.clone()).status,
            FileStatus::Ok
        );
        let mut other = oracle.clone();
        other["syntax_error"]["lineno"] = json!(7);
        let result = compare_file(&oracle, &other);
        assert_eq!(result.status, FileStatus::Mismatch);
        assert_eq!(result.first_difference().unwrap().1.field, "syntax_error");
    }
}
