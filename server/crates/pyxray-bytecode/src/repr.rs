//! Python's `repr()` of constant values, exactly as CPython prints them in `dis` listings:
//! shortest round-trip floats, quote choice and escapes in `str`/`bytes`, complex numbers, tuples.

use num_bigint::BigUint;
use pyxray_syntax::{CodePoint, PyStr};
use crate::code::ConstValue;
use crate::hash::frozenset_order;
use crate::printable;
use crate::version::PythonVersion;

/// `repr(value)`. Code objects print as `<code object NAME at 0x?, file "FILE", line N>`; the
/// elements of a frozenset print in the order given.
pub fn repr(value: &ConstValue, version: PythonVersion) -> String {
    let mut out = String::new();
    write_repr(&mut out, value, version);
    out
}

fn write_repr(out: &mut String, value: &ConstValue, version: PythonVersion) {
    match value {
        ConstValue::None => out.push_str("None"),
        ConstValue::Bool(true) => out.push_str("True"),
        ConstValue::Bool(false) => out.push_str("False"),
        ConstValue::Ellipsis => out.push_str("Ellipsis"),
        ConstValue::Int(i) => out.push_str(&i.to_string()),
        ConstValue::Float(f) => out.push_str(&float_repr(*f)),
        ConstValue::Complex { re, im } => out.push_str(&complex_repr(*re, *im)),
        ConstValue::Str(s) => out.push_str(&pystr_repr(s, version)),
        ConstValue::Bytes(b) => out.push_str(&bytes_repr(b)),
        ConstValue::Tuple(items) => {
            out.push('(');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(out, item, version);
            }
            if items.len() == 1 {
                out.push(',');
            }
            out.push(')');
        }
        ConstValue::FrozenSet(items) => {
            if items.is_empty() {
                out.push_str("frozenset()");
            } else {
                out.push_str("frozenset({");
                for (i, item) in iteration_order(items, version).into_iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_repr(out, item, version);
                }
                out.push_str("})");
            }
        }
        ConstValue::Slice(parts) => {
            out.push_str("slice(");
            for (i, item) in parts.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(out, item, version);
            }
            out.push(')');
        }
        ConstValue::Code(code) => {
            out.push_str(&format!(
                "<code object {} at 0x?, file \"{}\", line {}>",
                code.name, code.filename, code.firstlineno
            ));
        }
    }
}

/// The items of a frozenset constant in CPython's iteration order: built from the items in
/// source order, then rebuilt in its own iteration order when the compiler merges constants
/// (`const_cache_insert`). Items whose hash CPython randomises keep the given order.
fn iteration_order(items: &[ConstValue], version: PythonVersion) -> Vec<&ConstValue> {
    let Some(first) = frozenset_order(items, version) else { return items.iter().collect() };
    let rebuilt: Vec<ConstValue> = first.iter().map(|&i| items[i].clone()).collect();
    match frozenset_order(&rebuilt, version) {
        Some(second) => second.into_iter().map(|i| &items[first[i]]).collect(),
        None => first.into_iter().map(|i| &items[i]).collect(),
    }
}

/// Shortest round-trip digits and decimal exponent of a finite, non-zero `f`: `(digits, decpt)`
/// with value = 0.d1d2… × 10^decpt.
fn shortest_digits(f: f64) -> (String, i32) {
    let s = format!("{:e}", f.abs());
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    // Rust and CPython agree on the length of the shortest form; when two strings of that
    // length are equally near, CPython's dtoa takes the even one.
    match nearest_digits(f.abs(), digits.len()) {
        Some(nearest) => nearest,
        None => (digits, exp + 1),
    }
}

/// The `n`-digit decimal nearest to `f` (ties to even) as digits and decimal point position,
/// if it reads back as `f`.
fn nearest_digits(f: f64, n: usize) -> Option<(String, i32)> {
    let bits = f.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    let (mantissa, exp) = if biased == 0 { (fraction, -1074) } else { (fraction | (1u64 << 52), biased - 1075) };
    let (exact, shift) = if exp >= 0 {
        (BigUint::from(mantissa) << exp as usize, 0)
    } else {
        (BigUint::from(mantissa) * BigUint::from(5u8).pow((-exp) as u32), -exp)
    };
    let exact = exact.to_string();
    let mut decpt = exact.len() as i32 - shift;
    if exact.len() <= n {
        return None;
    }
    let (head, tail) = exact.split_at(n);
    let mut digits: Vec<u8> = head.bytes().collect();
    let tail = tail.as_bytes();
    let round_up = match tail[0] {
        b'6'..=b'9' => true,
        b'5' => tail[1..].iter().any(|&d| d != b'0') || (digits[n - 1] - b'0') % 2 == 1,
        _ => false,
    };
    if round_up {
        let mut i = n;
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                digits.pop();
                decpt += 1;
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    let digits = String::from_utf8(digits).ok()?;
    let text = format!("0.{digits}e{decpt}");
    (text.parse::<f64>().ok()? == f).then_some((digits, decpt))
}

/// `repr(float)`: CPython's `float_repr` (format code 'r' with `Py_DTSF_ADD_DOT_0`).
pub fn float_repr(f: f64) -> String {
    format_float(f, true)
}

fn format_float(f: f64, add_dot_0: bool) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}{}", if add_dot_0 { "0.0" } else { "0" });
    }
    let (digits, decpt) = shortest_digits(f);
    let n = digits.len() as i32;
    let body = if decpt <= -4 || decpt > 16 {
        // Exponential form: d.ddd e±XX
        let exp = decpt - 1;
        let mut m = digits[..1].to_string();
        if n > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{m}e{esign}{:02}", exp.abs())
    } else if decpt <= 0 {
        format!("0.{}{}", "0".repeat((-decpt) as usize), digits)
    } else if decpt >= n {
        let int = format!("{digits}{}", "0".repeat((decpt - n) as usize));
        if add_dot_0 {
            format!("{int}.0")
        } else {
            int
        }
    } else {
        format!("{}.{}", &digits[..decpt as usize], &digits[decpt as usize..])
    };
    format!("{sign}{body}")
}

/// `repr(complex)`: `1j`, `(1+2j)`, `(-0-0j)`, `(nan+infj)`.
pub fn complex_repr(re: f64, im: f64) -> String {
    let imag = format_float(im, false);
    if re == 0.0 && re.is_sign_positive() {
        return format!("{imag}j");
    }
    let real = format_float(re, false);
    let imag = if imag.starts_with('-') { imag } else { format!("+{imag}") };
    format!("({real}{imag}j)")
}

/// Whether CPython's `str.isprintable()` is true for `c`.
/// The answer follows the Unicode database of `version`'s reference release.
pub fn is_printable(c: char, version: PythonVersion) -> bool {
    let table = match version {
        PythonVersion::V3_11 => printable::PRINTABLE_3_11,
        PythonVersion::V3_12 => printable::PRINTABLE_3_12,
        PythonVersion::V3_13 => printable::PRINTABLE_3_13,
        PythonVersion::V3_14 => printable::PRINTABLE_3_14,
    };
    let cp = c as u32;
    let i = table.partition_point(|&(_, end)| end < cp);
    table.get(i).is_some_and(|&(start, _)| start <= cp)
}

/// `repr(str)`.
pub fn str_repr(s: &str, version: PythonVersion) -> String {
    quoted(s, s.chars().map(CodePoint::Char), version)
}

/// `repr(str)` of a Python string, lone surrogates included.
pub fn pystr_repr(s: &PyStr, version: PythonVersion) -> String {
    quoted(s.lossy(), s.code_points(), version)
}

fn quoted(text: &str, code_points: impl Iterator<Item = CodePoint>, version: PythonVersion) -> String {
    let quote = if text.contains('\'') && !text.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for cp in code_points {
        let c = match cp {
            CodePoint::Char(c) => c,
            CodePoint::Surrogate(s) => {
                out.push_str(&format!("\\u{s:04x}"));
                continue;
            }
        };
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x7f => out.push(c),
            c if is_printable(c, version) => out.push(c),
            c if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(quote);
    out
}

/// `repr(bytes)`.
pub fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') { b'"' } else { b'\'' };
    let mut out = String::with_capacity(b.len() + 3);
    out.push('b');
    out.push(quote as char);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c as char);
            }
            c if !(0x20..0x7f).contains(&c) => out.push_str(&format!("\\x{c:02x}")),
            c => out.push(c as char),
        }
    }
    out.push(quote as char);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generated tables are exactly the ranges `str.isprintable` gave in each reference
    /// CPython (`fixtures/unicode/printable-3.X.json`).
    #[test]
    fn printable_tables_match_dumps() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../fixtures/unicode");
        for version in PythonVersion::ALL {
            let path = dir.join(format!("printable-{}.json", version.as_str()));
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let doc: serde_json::Value = serde_json::from_str(&text).expect("json");
            let ranges: Vec<(u32, u32)> = doc["printable"]
                .as_array()
                .expect("ranges")
                .iter()
                .map(|r| (r[0].as_u64().expect("start") as u32, r[1].as_u64().expect("end") as u32))
                .collect();
            let table = match version {
                PythonVersion::V3_11 => printable::PRINTABLE_3_11,
                PythonVersion::V3_12 => printable::PRINTABLE_3_12,
                PythonVersion::V3_13 => printable::PRINTABLE_3_13,
                PythonVersion::V3_14 => printable::PRINTABLE_3_14,
            };
            assert_eq!(table, ranges.as_slice(), "run `python3 tools/gen_printable.py render`");
        }
    }

    #[test]
    fn printability_follows_the_release_unicode_database() {
        // U+14000 was assigned in Unicode 16.0 (CPython 3.14).
        let c = '\u{14000}';
        assert_eq!(str_repr("\u{14000}", PythonVersion::V3_13), "'\\U00014000'");
        assert_eq!(str_repr("\u{14000}", PythonVersion::V3_14), format!("'{c}'"));
        assert!(is_printable(' ', PythonVersion::V3_11));
        assert!(!is_printable('\u{a0}', PythonVersion::V3_11));
    }

    #[test]
    fn floats_match_python() {
        // Expected values are Python's own repr() output.
        let cases = [
            (0.1, "0.1"),
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1e-4, "0.0001"),
            (1e-5, "1e-05"),
            (1.5e300, "1.5e+300"),
            (123.456, "123.456"),
            (f64::INFINITY, "inf"),
            (2.5e-7, "2.5e-07"),
            (1e22, "1e+22"),
            (0.30000000000000004, "0.30000000000000004"),
            // Ties between two shortest candidates go to the even digit.
            (2f64.powi(-25), "2.9802322387695312e-08"),
            (2f64.powi(-24), "5.960464477539063e-08"),
            (5e-324, "5e-324"),
            (1.5e-323, "1.5e-323"),
            (1e23, "1e+23"),
            (1.0 / 3.0, "0.3333333333333333"),
            (123456789012345678.0, "1.2345678901234568e+17"),
        ];
        for (f, want) in cases {
            assert_eq!(float_repr(f), want, "{f}");
        }
    }

    #[test]
    fn complex_match_python() {
        assert_eq!(complex_repr(0.0, 1.0), "1j");
        assert_eq!(complex_repr(1.0, 2.0), "(1+2j)");
        assert_eq!(complex_repr(-0.0, -0.0), "(-0-0j)");
        assert_eq!(complex_repr(0.0, 1.5), "1.5j");
        assert_eq!(complex_repr(0.0, 1e100), "1e+100j");
        assert_eq!(complex_repr(1.0, f64::INFINITY), "(1+infj)");
    }

    #[test]
    fn strings_match_python() {
        assert_eq!(str_repr("it's", PythonVersion::V3_13), "\"it's\"");
        assert_eq!(str_repr("a'b\"c", PythonVersion::V3_13), "'a\\'b\"c'");
        assert_eq!(str_repr("tab\tnew\n\x00\x7f", PythonVersion::V3_13), "'tab\\tnew\\n\\x00\\x7f'");
        assert_eq!(str_repr("é漢\u{a0}\u{200b}", PythonVersion::V3_13), "'é漢\\xa0\\u200b'");
        assert_eq!(bytes_repr(b"a'\x00\xff"), "b\"a'\\x00\\xff\"");
    }
}
