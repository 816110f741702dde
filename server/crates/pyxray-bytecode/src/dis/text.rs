//! `dis.dis(code)` text, byte for byte as each CPython version prints it (memory addresses shown
//! as `0x?`, as the oracle's text mode does).

use super::*;

/// The whole listing of `code` and its nested code objects, as `python -m dis` prints it.
pub fn dis_text(code: &CodeObject, version: PythonVersion) -> String {
    let mut out = String::new();
    disassemble_recursive(code, version, &mut out);
    out
}

/// The listing of `code` alone: nested code objects appear only as the constants that load them.
pub fn dis_code(code: &CodeObject, version: PythonVersion) -> String {
    let mut out = String::new();
    disassemble(code, version, &mut out);
    out
}

fn disassemble_recursive(code: &CodeObject, version: PythonVersion, out: &mut String) {
    disassemble(code, version, out);
    for c in code.children() {
        out.push('\n');
        out.push_str(&format!("Disassembly of {}:\n", repr(&ConstValue::Code(c.clone()), version)));
        disassemble_recursive(c, version, out);
    }
}

/// `_get_lineno_width` (3.13+); before, three columns unless a line reaches 1000, and none when
/// the code has no line at all.
fn lineno_width(lines: &[(u32, u32, i32)], version: PythonVersion) -> usize {
    if version <= PythonVersion::V3_12 {
        let max = lines.iter().map(|l| l.2).filter(|&l| l >= 0).max();
        return max.map_or(0, |m| 3.max(m.to_string().len()));
    }
    let max = lines.iter().map(|l| l.2).filter(|&l| l > 0).max();
    let Some(max) = max else { return 0 };
    let mut width = 3.max(max.to_string().len());
    if width < 4 && lines.iter().any(|l| l.2 < 0) {
        width = 4;
    }
    width
}

fn disassemble(code: &CodeObject, version: PythonVersion, out: &mut String) {
    let instrs = instructions(code, version, true);
    let entries = linetable::decode(&code.linetable, code.firstlineno as i32);
    let lines = linetable::co_lines(&entries);
    let width = lineno_width(&lines, version);
    let exceptions = parse_exception_table(&code.exceptiontable);
    if version >= PythonVersion::V3_13 {
        let labels: Vec<u32> = instrs.iter().filter(|i| i.label.is_some()).map(|i| i.offset).collect();
        let mut all_labels = labels.clone();
        for e in &exceptions {
            all_labels.extend([e.start, e.end, e.target]);
        }
        all_labels.sort_unstable();
        all_labels.dedup();
        let labels = all_labels;
        let label_width = 4 + labels.len().to_string().len();
        for i in &instrs {
            print_instruction_313(out, i, width, label_width);
        }
        if !exceptions.is_empty() {
            out.push_str("ExceptionTable:\n");
            let label_of = |o: u32| labels.iter().position(|&l| l == o).map_or(0, |p| p + 1);
            for e in &exceptions {
                let lasti = if e.lasti { " lasti" } else { "" };
                out.push_str(&format!(
                    "  L{} to L{} -> L{} [{}]{lasti}\n",
                    label_of(e.start),
                    label_of(e.end),
                    label_of(e.target),
                    e.depth
                ));
            }
        }
    } else {
        // `dis.dis` (unlike `get_instructions`) also marks exception handlers as targets.
        let handlers: Vec<u32> = exceptions.iter().filter(|e| e.start < e.end).map(|e| e.target).collect();
        for i in &instrs {
            let target = i.is_jump_target || handlers.contains(&i.offset);
            print_instruction_311(out, i, width, target);
        }
        if !exceptions.is_empty() {
            out.push_str("ExceptionTable:\n");
            for e in &exceptions {
                let lasti = if e.lasti { " lasti" } else { "" };
                out.push_str(&format!("  {} to {} -> {} [{}]{lasti}\n", e.start, e.end - 2, e.target, e.depth));
            }
        }
    }
}

fn push_fields(out: &mut String, fields: &[String]) {
    let line = fields.join(" ");
    out.push_str(line.trim_end());
    out.push('\n');
}

fn print_instruction_313(out: &mut String, i: &Instruction, lineno_width: usize, label_width: usize) {
    if lineno_width > 0 && i.starts_line && i.offset > 0 {
        out.push('\n');
    }
    let mut fields: Vec<String> = Vec::new();
    if lineno_width > 0 {
        if i.starts_line {
            match i.line_number {
                Some(l) => fields.push(format!("{l:>lineno_width$}")),
                None => fields.push(format!("{:>lineno_width$}", "  --")),
            }
        } else {
            fields.push(" ".repeat(lineno_width));
        }
    }
    match i.label {
        Some(l) => fields.push(format!("{:>label_width$}", format!("L{l}:"))),
        None => fields.push(" ".repeat(label_width)),
    }
    fields.push("   ".into());
    fields.push(format!("{:<20}", i.op.name()));
    if let Some(arg) = i.arg {
        let excess = i.op.name().len().saturating_sub(20);
        let w = 5usize.saturating_sub(excess);
        fields.push(format!("{arg:>w$}"));
        if !i.argrepr.is_empty() {
            fields.push(format!("({})", i.argrepr));
        }
    }
    push_fields(out, &fields);
}

fn print_instruction_311(out: &mut String, i: &Instruction, lineno_width: usize, is_target: bool) {
    if lineno_width > 0 && i.starts_line && i.offset > 0 {
        out.push('\n');
    }
    let mut fields: Vec<String> = Vec::new();
    if lineno_width > 0 {
        match (i.starts_line, i.line_number) {
            (true, Some(l)) => fields.push(format!("{l:>lineno_width$}")),
            _ => fields.push(" ".repeat(lineno_width)),
        }
    }
    fields.push("   ".into());
    fields.push(if is_target { ">>".into() } else { "  ".into() });
    fields.push(format!("{:>4}", i.offset));
    fields.push(format!("{:<20}", i.op.name()));
    if let Some(arg) = i.arg {
        fields.push(format!("{arg:>5}"));
        if !i.argrepr.is_empty() {
            fields.push(format!("({})", i.argrepr));
        }
    }
    push_fields(out, &fields);
}
