//! Python's `repr()` of constant values, exactly as CPython prints them in `dis` listings:
//! shortest round-trip floats, quote choice and escapes in `str`/`bytes`, complex numbers, tuples.

use crate::code::ConstValue;
use unicode_general_category::{get_general_category, GeneralCategory as G};

/// `repr(value)`. Code objects print as `<code object NAME at 0x?, file "FILE", line N>`; the
/// elements of a frozenset print in the order given.
pub fn repr(value: &ConstValue) -> String {
    let mut out = String::new();
    write_repr(&mut out, value);
    out
}

fn write_repr(out: &mut String, value: &ConstValue) {
    match value {
        ConstValue::None => out.push_str("None"),
        ConstValue::Bool(true) => out.push_str("True"),
        ConstValue::Bool(false) => out.push_str("False"),
        ConstValue::Ellipsis => out.push_str("Ellipsis"),
        ConstValue::Int(i) => out.push_str(&i.to_string()),
        ConstValue::Float(f) => out.push_str(&float_repr(*f)),
        ConstValue::Complex { re, im } => out.push_str(&complex_repr(*re, *im)),
        ConstValue::Str(s) => out.push_str(&str_repr(s)),
        ConstValue::Bytes(b) => out.push_str(&bytes_repr(b)),
        ConstValue::Tuple(items) => {
            out.push('(');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(out, item);
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
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_repr(out, item);
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
                write_repr(out, item);
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

/// Shortest round-trip digits and decimal exponent of a finite, non-zero `f`: `(digits, decpt)`
/// with value = 0.d1d2… × 10^decpt.
fn shortest_digits(f: f64) -> (String, i32) {
    let s = format!("{:e}", f.abs());
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    (digits, exp + 1)
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
pub fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    !matches!(
        get_general_category(c),
        G::Control
            | G::Format
            | G::Surrogate
            | G::PrivateUse
            | G::Unassigned
            | G::LineSeparator
            | G::ParagraphSeparator
            | G::SpaceSeparator
    )
}

/// `repr(str)`.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
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
            c if is_printable(c) => out.push(c),
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
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(str_repr("tab\tnew\n\x00\x7f"), "'tab\\tnew\\n\\x00\\x7f'");
        assert_eq!(str_repr("é漢\u{a0}\u{200b}"), "'é漢\\xa0\\u200b'");
        assert_eq!(bytes_repr(b"a'\x00\xff"), "b\"a'\\x00\\xff\"");
    }
}
