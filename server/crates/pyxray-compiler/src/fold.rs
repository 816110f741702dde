//! Python's arithmetic on constants, as CPython's AST optimizer evaluates it when folding
//! (`PyNumber_*` on int, float, complex, str, bytes, tuple and bool, with the `safe_*` size guards
//! of `ast_opt.c`). `None` means CPython would not fold (an error or a guard).

use num_bigint::{BigInt, Sign};
use num_traits::{One, Signed, ToPrimitive, Zero};
use pyxray_syntax::ast::{Constant, Operator, UnaryOp};

const MAX_INT_SIZE: u64 = 128;
const MAX_COLLECTION_SIZE: i64 = 256;
const MAX_STR_SIZE: i64 = 4096;
const MAX_TOTAL_ITEMS: i64 = 1024;

/// A number in Python's numeric tower (bool counts as int).
#[derive(Clone, Debug)]
enum Num {
    Int(BigInt),
    Float(f64),
    Complex(f64, f64),
}

fn as_num(c: &Constant) -> Option<Num> {
    match c {
        Constant::Bool(b) => Some(Num::Int(BigInt::from(*b as u8))),
        Constant::Int(i) => Some(Num::Int(i.clone())),
        Constant::Float(f) => Some(Num::Float(*f)),
        Constant::Complex { re, im } => Some(Num::Complex(*re, *im)),
        _ => None,
    }
}

fn int_of(c: &Constant) -> Option<BigInt> {
    match c {
        Constant::Bool(b) => Some(BigInt::from(*b as u8)),
        Constant::Int(i) => Some(i.clone()),
        _ => None,
    }
}

/// `PyLong_AsDouble`: correctly rounded; `None` on overflow.
pub fn int_to_f64(i: &BigInt) -> Option<f64> {
    let f = i.to_f64()?;
    f.is_finite().then_some(f)
}

fn to_float(n: &Num) -> Option<f64> {
    match n {
        Num::Int(i) => int_to_f64(i),
        Num::Float(f) => Some(*f),
        Num::Complex(..) => None,
    }
}

fn to_complex(n: &Num) -> Option<(f64, f64)> {
    match n {
        Num::Complex(r, i) => Some((*r, *i)),
        other => Some((to_float(other)?, 0.0)),
    }
}

fn float_result(f: f64) -> Option<Constant> {
    Some(Constant::Float(f))
}

fn bits(i: &BigInt) -> u64 {
    i.bits()
}

/// Folds `left op right` as CPython 3.11–3.13's `fold_binop` would, or returns `None`.
pub fn binop(op: Operator, left: &Constant, right: &Constant) -> Option<Constant> {
    use Operator::*;
    match op {
        MatMult => None,
        Mult => safe_multiply(left, right),
        Pow => safe_power(left, right),
        LShift => safe_lshift(left, right),
        Mod if matches!(left, Constant::Str(_) | Constant::Bytes(_)) => None,
        Add => add(left, right),
        _ => numeric_binop(op, left, right),
    }
}

fn add(left: &Constant, right: &Constant) -> Option<Constant> {
    match (left, right) {
        (Constant::Str(a), Constant::Str(b)) => {
            let mut s = a.clone();
            s.push_pystr(b);
            Some(Constant::Str(s))
        }
        (Constant::Bytes(a), Constant::Bytes(b)) => Some(Constant::Bytes([a.as_slice(), b.as_slice()].concat())),
        (Constant::Tuple(a), Constant::Tuple(b)) => Some(Constant::Tuple(a.iter().chain(b).cloned().collect())),
        _ => numeric_binop(Operator::Add, left, right),
    }
}

fn numeric_binop(op: Operator, left: &Constant, right: &Constant) -> Option<Constant> {
    use Operator::*;
    // bool & | ^ bool stays bool.
    if let (Constant::Bool(a), Constant::Bool(b)) = (left, right) {
        match op {
            BitAnd => return Some(Constant::Bool(a & b)),
            BitOr => return Some(Constant::Bool(a | b)),
            BitXor => return Some(Constant::Bool(a ^ b)),
            _ => {}
        }
    }
    let a = as_num(left)?;
    let b = as_num(right)?;
    match (&a, &b) {
        (Num::Int(x), Num::Int(y)) => int_binop(op, x, y),
        (Num::Complex(..), _) | (_, Num::Complex(..)) => {
            let x = to_complex(&a)?;
            let y = to_complex(&b)?;
            complex_binop(op, x, y)
        }
        _ => {
            let x = to_float(&a)?;
            let y = to_float(&b)?;
            float_binop(op, x, y)
        }
    }
}

fn floor_divmod(x: &BigInt, y: &BigInt) -> Option<(BigInt, BigInt)> {
    if y.is_zero() {
        return None;
    }
    let (q, r) = (x / y, x % y);
    if !r.is_zero() && (r.sign() != y.sign()) {
        Some((q - 1, r + y))
    } else {
        Some((q, r))
    }
}

fn int_binop(op: Operator, x: &BigInt, y: &BigInt) -> Option<Constant> {
    use Operator::*;
    let r = match op {
        Add => x + y,
        Sub => x - y,
        Mult => x * y,
        FloorDiv => floor_divmod(x, y)?.0,
        Mod => floor_divmod(x, y)?.1,
        Div => return float_result(int_true_divide(x, y)?),
        RShift => {
            if y.is_negative() {
                return None;
            }
            let shift = y.to_u64().unwrap_or(u64::MAX);
            if shift >= bits(x) + 1 {
                if x.is_negative() {
                    BigInt::from(-1)
                } else {
                    BigInt::zero()
                }
            } else {
                // Python's >> floors (arithmetic shift).
                let d = BigInt::one() << shift;
                floor_divmod(x, &d)?.0
            }
        }
        LShift => {
            if y.is_negative() {
                return None;
            }
            x << y.to_usize()?
        }
        BitOr => x | y,
        BitXor => x ^ y,
        BitAnd => x & y,
        Pow => return int_pow(x, y),
        MatMult => return None,
    };
    Some(Constant::Int(r))
}

/// `long_true_divide`: the correctly rounded float nearest to x / y.
fn int_true_divide(x: &BigInt, y: &BigInt) -> Option<f64> {
    if y.is_zero() {
        return None;
    }
    const EXACT: u64 = 53;
    if bits(x) <= EXACT && bits(y) <= EXACT {
        return Some(x.to_f64()? / y.to_f64()?);
    }
    let negative = x.is_negative() != y.is_negative();
    let a = x.abs();
    let b = y.abs();
    if a.is_zero() {
        return Some(if negative { -0.0 } else { 0.0 });
    }
    // Scale so the quotient has at least 55 significant bits, then let to_f64 round with a
    // sticky bit standing for any nonzero remainder.
    let shift: i64 = bits(&a) as i64 - bits(&b) as i64 - 56;
    let (num, den) = if shift < 0 { (a << (-shift) as usize, b) } else { (a, b << shift as usize) };
    let q = &num / &den;
    let r = &num % &den;
    let q = if r.is_zero() { q } else { q | BigInt::one() };
    let mantissa = q.to_f64()?;
    let exp = shift.clamp(i32::MIN as i64, i32::MAX as i64) as i32;
    let result = mantissa * 2f64.powi(exp.clamp(-1074, 1023));
    let result = if exp < -1074 || exp > 1023 { scale_pow2(mantissa, exp) } else { result };
    if !result.is_finite() {
        return None;
    }
    Some(if negative { -result } else { result })
}

fn scale_pow2(mut m: f64, mut e: i32) -> f64 {
    while e > 1000 {
        m *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        m *= 2f64.powi(-1000);
        e += 1000;
    }
    m * 2f64.powi(e)
}

fn int_pow(x: &BigInt, y: &BigInt) -> Option<Constant> {
    if y.is_negative() {
        // Negative exponents go through float pow.
        let fx = int_to_f64(x)?;
        let fy = int_to_f64(y)?;
        return float_pow(fx, fy);
    }
    let e = y.to_u32()?;
    Some(Constant::Int(num_traits::pow::Pow::pow(x, e)))
}

fn float_binop(op: Operator, x: f64, y: f64) -> Option<Constant> {
    use Operator::*;
    let r = match op {
        Add => x + y,
        Sub => x - y,
        Mult => x * y,
        Div => {
            if y == 0.0 {
                return None;
            }
            x / y
        }
        FloorDiv => {
            if y == 0.0 {
                return None;
            }
            float_div_mod(x, y).0
        }
        Mod => {
            if y == 0.0 {
                return None;
            }
            float_div_mod(x, y).1
        }
        Pow => return float_pow(x, y),
        _ => return None,
    };
    Some(Constant::Float(r))
}

/// `_float_div_mod`.
fn float_div_mod(vx: f64, wx: f64) -> (f64, f64) {
    let mut m = vx % wx;
    let mut div = (vx - m) / wx;
    if m != 0.0 {
        if (wx < 0.0) != (m < 0.0) {
            m += wx;
            div -= 1.0;
        }
    } else {
        m = 0f64.copysign(wx);
    }
    let floordiv = if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0f64.copysign(vx / wx)
    };
    (floordiv, m)
}

fn is_odd_integer(x: f64) -> bool {
    (x.abs() % 2.0) == 1.0
}

/// `float_pow`.
fn float_pow(iv: f64, iw: f64) -> Option<Constant> {
    if iw == 0.0 {
        return float_result(1.0);
    }
    if iv.is_nan() {
        return float_result(iv);
    }
    if iw.is_nan() {
        return float_result(if iv == 1.0 { 1.0 } else { iw });
    }
    if iw.is_infinite() {
        let a = iv.abs();
        return float_result(if a == 1.0 {
            1.0
        } else if (iw > 0.0) == (a > 1.0) {
            iw.abs()
        } else {
            0.0
        });
    }
    if iv.is_infinite() {
        let odd = is_odd_integer(iw);
        return float_result(if iw > 0.0 {
            if odd {
                iv
            } else {
                iv.abs()
            }
        } else if odd {
            0f64.copysign(iv)
        } else {
            0.0
        });
    }
    if iv == 0.0 {
        if iw < 0.0 {
            return None;
        }
        return float_result(if is_odd_integer(iw) { iv } else { 0.0 });
    }
    let mut base = iv;
    let mut negate = false;
    if base < 0.0 {
        if iw != iw.floor() {
            return complex_pow((iv, 0.0), (iw, 0.0));
        }
        base = -base;
        negate = is_odd_integer(iw);
    }
    if base == 1.0 {
        return float_result(if negate { -1.0 } else { 1.0 });
    }
    let r = base.powf(iw);
    if r.is_infinite() {
        return None;
    }
    float_result(if negate { -r } else { r })
}

fn c_prod(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

/// `_Py_c_quot`; `None` on division by zero.
fn c_quot(a: (f64, f64), b: (f64, f64)) -> Option<(f64, f64)> {
    let abs_br = b.0.abs();
    let abs_bi = b.1.abs();
    if abs_br >= abs_bi {
        if abs_br == 0.0 {
            return None;
        }
        let ratio = b.1 / b.0;
        let denom = b.0 + b.1 * ratio;
        Some(((a.0 + a.1 * ratio) / denom, (a.1 - a.0 * ratio) / denom))
    } else if abs_bi >= abs_br {
        let ratio = b.0 / b.1;
        let denom = b.0 * ratio + b.1;
        Some(((a.0 * ratio + a.1) / denom, (a.1 * ratio - a.0) / denom))
    } else {
        Some((f64::NAN, f64::NAN))
    }
}

fn complex_pow(a: (f64, f64), b: (f64, f64)) -> Option<Constant> {
    let p = if b.1 == 0.0 && b.0 == b.0.floor() && b.0.abs() <= 100.0 {
        let n = b.0 as i64;
        let powu = |x: (f64, f64), mut n: i64| {
            let mut r = (1.0, 0.0);
            let mut p = x;
            let mut mask: i64 = 1;
            while mask > 0 && n >= mask {
                if n & mask != 0 {
                    r = c_prod(r, p);
                }
                mask <<= 1;
                p = c_prod(p, p);
            }
            n = 0;
            let _ = n;
            r
        };
        if n > 0 {
            powu(a, n)
        } else {
            c_quot((1.0, 0.0), powu(a, -n))?
        }
    } else if b.0 == 0.0 && b.1 == 0.0 {
        (1.0, 0.0)
    } else if a.0 == 0.0 && a.1 == 0.0 {
        if b.1 != 0.0 || b.0 < 0.0 {
            return None;
        }
        (0.0, 0.0)
    } else {
        let vabs = a.0.hypot(a.1);
        let mut len = vabs.powf(b.0);
        let at = a.1.atan2(a.0);
        let mut phase = at * b.0;
        if b.1 != 0.0 {
            len *= (-at * b.1).exp();
            phase += b.1 * vabs.ln();
        }
        (len * phase.cos(), len * phase.sin())
    };
    if p.0.is_infinite() || p.1.is_infinite() {
        return None;
    }
    Some(Constant::Complex { re: p.0, im: p.1 })
}

fn complex_binop(op: Operator, x: (f64, f64), y: (f64, f64)) -> Option<Constant> {
    use Operator::*;
    let r = match op {
        Add => (x.0 + y.0, x.1 + y.1),
        Sub => (x.0 - y.0, x.1 - y.1),
        Mult => c_prod(x, y),
        Div => c_quot(x, y)?,
        Pow => return complex_pow(x, y),
        _ => return None,
    };
    Some(Constant::Complex { re: r.0, im: r.1 })
}

/// `check_complexity`: remaining budget, negative when exceeded.
fn check_complexity(c: &Constant, mut limit: i64) -> i64 {
    if let Constant::Tuple(items) = c {
        limit -= items.len() as i64;
        for item in items {
            if limit < 0 {
                break;
            }
            limit = check_complexity(item, limit);
        }
    }
    limit
}

fn str_len(c: &Constant) -> Option<i64> {
    match c {
        Constant::Str(s) => Some(s.len() as i64),
        Constant::Bytes(b) => Some(b.len() as i64),
        _ => None,
    }
}

/// `safe_multiply`.
fn safe_multiply(v: &Constant, w: &Constant) -> Option<Constant> {
    let (vi, wi) = (int_of(v), int_of(w));
    if let (Some(a), Some(b)) = (&vi, &wi) {
        if !a.is_zero() && !b.is_zero() && bits(a) + bits(b) > MAX_INT_SIZE {
            return None;
        }
        return numeric_binop(Operator::Mult, v, w);
    }
    if let (Some(n), Constant::Tuple(items)) = (&vi, w) {
        let size = items.len() as i64;
        if size > 0 {
            let n = n.to_i64()?;
            if n < 0 || n > MAX_COLLECTION_SIZE / size {
                return None;
            }
            if n > 0 && check_complexity(w, MAX_TOTAL_ITEMS / n) < 0 {
                return None;
            }
        }
        return repeat_seq(w, vi.as_ref()?);
    }
    if let (Some(n), Some(size)) = (&vi, str_len(w)) {
        if size > 0 {
            let n = n.to_i64()?;
            if n < 0 || n > MAX_STR_SIZE / size {
                return None;
            }
        }
        return repeat_seq(w, n);
    }
    if wi.is_some() && matches!(v, Constant::Tuple(_) | Constant::Str(_) | Constant::Bytes(_)) {
        return safe_multiply(w, v);
    }
    numeric_binop(Operator::Mult, v, w)
}

fn repeat_seq(seq: &Constant, n: &BigInt) -> Option<Constant> {
    let n = n.to_i64()?.max(0) as usize;
    Some(match seq {
        Constant::Str(s) => Constant::Str(s.repeat(n)),
        Constant::Bytes(b) => Constant::Bytes(b.repeat(n)),
        Constant::Tuple(items) => {
            let mut out = Vec::with_capacity(items.len() * n);
            for _ in 0..n {
                out.extend(items.iter().cloned());
            }
            Constant::Tuple(out)
        }
        _ => return None,
    })
}

/// `safe_power`.
fn safe_power(v: &Constant, w: &Constant) -> Option<Constant> {
    if let (Some(a), Some(b)) = (int_of(v), int_of(w)) {
        if !a.is_zero() && b.sign() == Sign::Plus {
            let vbits = bits(&a);
            let wbits = b.to_u64()?;
            if vbits > MAX_INT_SIZE / wbits {
                return None;
            }
        }
    }
    numeric_binop(Operator::Pow, v, w)
}

/// `safe_lshift`.
fn safe_lshift(v: &Constant, w: &Constant) -> Option<Constant> {
    if let (Some(a), Some(b)) = (int_of(v), int_of(w)) {
        if !a.is_zero() && !b.is_zero() {
            let vbits = bits(&a);
            let wbits = b.to_u64()?;
            if wbits > MAX_INT_SIZE || vbits > MAX_INT_SIZE - wbits {
                return None;
            }
        }
    }
    numeric_binop(Operator::LShift, v, w)
}

/// Python truthiness of a constant.
pub fn is_true(c: &Constant) -> bool {
    match c {
        Constant::None => false,
        Constant::Bool(b) => *b,
        Constant::Ellipsis => true,
        Constant::Int(i) => !i.is_zero(),
        Constant::Float(f) => *f != 0.0,
        Constant::Complex { re, im } => *re != 0.0 || *im != 0.0,
        Constant::Str(s) => !s.is_empty(),
        Constant::Bytes(b) => !b.is_empty(),
        Constant::Tuple(t) | Constant::FrozenSet(t) => !t.is_empty(),
    }
}

/// Folds a unary operation on a constant (`fold_unaryop`), or returns `None`.
pub fn unaryop(op: UnaryOp, c: &Constant) -> Option<Constant> {
    match op {
        UnaryOp::Not => Some(Constant::Bool(!is_true(c))),
        UnaryOp::USub => match as_num(c)? {
            Num::Int(i) => Some(Constant::Int(-i)),
            Num::Float(f) => Some(Constant::Float(-f)),
            Num::Complex(r, i) => Some(Constant::Complex { re: -r, im: -i }),
        },
        UnaryOp::UAdd => match as_num(c)? {
            Num::Int(i) => Some(Constant::Int(i)),
            Num::Float(f) => Some(Constant::Float(f)),
            Num::Complex(r, i) => Some(Constant::Complex { re: r, im: i }),
        },
        UnaryOp::Invert => match c {
            Constant::Int(i) => Some(Constant::Int(-i - 1)),
            Constant::Bool(b) => Some(Constant::Int(BigInt::from(-(*b as i64) - 1))),
            _ => None,
        },
    }
}

/// `PyObject_GetItem(container, index)` for constants (`fold_subscr`).
pub fn subscript(container: &Constant, index: &Constant) -> Option<Constant> {
    let i = int_of(index)?;
    let len = match container {
        Constant::Str(s) => s.len(),
        Constant::Bytes(b) => b.len(),
        Constant::Tuple(t) => t.len(),
        _ => return None,
    } as i64;
    let mut i = i.to_i64()?;
    if i < 0 {
        i += len;
    }
    if i < 0 || i >= len {
        return None;
    }
    let i = i as usize;
    Some(match container {
        Constant::Str(s) => Constant::Str(s.nth(i)?),
        Constant::Bytes(b) => Constant::Int(BigInt::from(b[i])),
        Constant::Tuple(t) => t[i].clone(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(i: i64) -> Constant {
        Constant::Int(BigInt::from(i))
    }

    #[test]
    fn python_int_semantics() {
        assert_eq!(binop(Operator::FloorDiv, &int(-7), &int(2)), Some(int(-4)));
        assert_eq!(binop(Operator::Mod, &int(-7), &int(2)), Some(int(1)));
        assert_eq!(binop(Operator::RShift, &int(-7), &int(1)), Some(int(-4)));
        assert_eq!(binop(Operator::Div, &int(1), &int(3)), Some(Constant::Float(1.0 / 3.0)));
        assert_eq!(binop(Operator::Div, &int(1), &int(0)), None);
        assert_eq!(binop(Operator::Pow, &int(2), &int(-1)), Some(Constant::Float(0.5)));
        assert_eq!(binop(Operator::BitAnd, &Constant::Bool(true), &Constant::Bool(false)), Some(Constant::Bool(false)));
        assert_eq!(binop(Operator::Add, &Constant::Bool(true), &Constant::Bool(true)), Some(int(2)));
    }

    #[test]
    fn size_guards() {
        // Limits as CPython 3.13.2 applies them (`a = 2**64` folds, `b = 2**65` does not).
        assert!(binop(Operator::Pow, &int(2), &int(64)).is_some());
        assert!(binop(Operator::Pow, &int(2), &int(65)).is_none(), "bits(2) * 65 > 128");
        assert!(binop(Operator::LShift, &int(1), &int(127)).is_some());
        assert!(binop(Operator::LShift, &int(1), &int(128)).is_none());
        let x = Constant::Str("x".into());
        assert!(binop(Operator::Mult, &x, &int(4096)).is_some());
        assert!(binop(Operator::Mult, &x, &int(4097)).is_none());
        let t = Constant::Tuple(vec![int(1)]);
        assert!(binop(Operator::Mult, &t, &int(256)).is_some());
        assert!(binop(Operator::Mult, &t, &int(257)).is_none());
        assert!(binop(Operator::Mod, &Constant::Str("%s".into()), &int(1)).is_none());
    }

    #[test]
    fn big_int_true_division_is_correctly_rounded() {
        let ten = BigInt::from(10);
        let big = num_traits::pow::Pow::pow(&ten, 30u32);
        let r = binop(Operator::Div, &Constant::Int(big.clone()), &Constant::Int(BigInt::from(3)));
        assert_eq!(r, Some(Constant::Float(3.333333333333333e29)));
        let r = binop(Operator::Div, &Constant::Int(BigInt::from(1)), &Constant::Int(big));
        assert_eq!(r, Some(Constant::Float(1e-30)));
    }
}
