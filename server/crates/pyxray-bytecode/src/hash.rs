//! CPython's `hash()` of constants whose hash does not depend on the process (numbers, tuples of
//! them, `None` since 3.12), and the order in which a `frozenset` built from them iterates
//! (`Objects/setobject.c`), which is the order `dis` prints it in.

use crate::code::ConstValue;
use crate::version::PythonVersion;
use num_bigint::{BigInt, Sign};
use num_traits::ToPrimitive;

const HASH_BITS: u32 = 61;
const MODULUS: u64 = (1u64 << HASH_BITS) - 1;
const HASH_INF: i64 = 314_159;
const HASH_IMAG: u64 = 1_000_003;
const LINEAR_PROBES: usize = 9;
const PERTURB_SHIFT: u32 = 5;

/// `hash(value)`, or `None` when CPython's answer depends on the process (strings and bytes
/// are randomised, other objects hash by address).
pub fn const_hash(value: &ConstValue, version: PythonVersion) -> Option<i64> {
    match value {
        ConstValue::Bool(b) => Some(*b as i64),
        ConstValue::Int(i) => Some(int_hash(i)),
        ConstValue::Float(f) => float_hash(*f),
        ConstValue::Complex { re, im } => {
            let combined = (float_hash(*re)? as u64).wrapping_add(HASH_IMAG.wrapping_mul(float_hash(*im)? as u64));
            Some(fix_minus_one(combined as i64))
        }
        ConstValue::None if version >= PythonVersion::V3_12 => Some(0xFCA8_6420),
        ConstValue::Tuple(items) => tuple_hash(items, version),
        _ => None,
    }
}

fn fix_minus_one(h: i64) -> i64 {
    if h == -1 {
        -2
    } else {
        h
    }
}

/// `long_hash`: the value modulo 2**61 - 1, keeping the sign.
fn int_hash(i: &BigInt) -> i64 {
    let (sign, magnitude) = (i.sign(), i.magnitude());
    let reduced = (magnitude % MODULUS).to_u64().unwrap_or(0) as i64;
    fix_minus_one(if sign == Sign::Minus { -reduced } else { reduced })
}

/// `_Py_HashDouble` (a NaN hashes by address).
fn float_hash(v: f64) -> Option<i64> {
    if v.is_nan() {
        return None;
    }
    if v.is_infinite() {
        return Some(if v > 0.0 { HASH_INF } else { -HASH_INF });
    }
    let (mut m, mut e) = frexp(v);
    let sign: i64 = if m < 0.0 {
        m = -m;
        -1
    } else {
        1
    };
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & MODULUS) | x >> (HASH_BITS - 28);
        m *= 268_435_456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= MODULUS {
            x -= MODULUS;
        }
    }
    let bits = HASH_BITS as i32;
    let e = if e >= 0 { e % bits } else { bits - 1 - ((-1 - e) % bits) } as u32;
    x = ((x << e) & MODULUS) | x >> (HASH_BITS - e);
    Some(fix_minus_one((x as i64).wrapping_mul(sign)))
}

/// `frexp`: `v = m * 2**e` with `0.5 <= |m| < 1`.
fn frexp(v: f64) -> (f64, i32) {
    if v == 0.0 {
        return (v, 0);
    }
    let bits = v.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        // Subnormal: scale into the normal range first.
        let (m, e) = frexp(v * 2f64.powi(64));
        return (m, e - 64);
    }
    let m = f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52));
    (m, exp - 1022)
}

/// `tuplehash` (xxHash-based, 3.8+).
fn tuple_hash(items: &[ConstValue], version: PythonVersion) -> Option<i64> {
    const PRIME_1: u64 = 11_400_714_785_074_694_791;
    const PRIME_2: u64 = 14_029_467_366_897_019_727;
    const PRIME_5: u64 = 2_870_177_450_012_600_261;
    let mut acc = PRIME_5;
    for item in items {
        let lane = const_hash(item, version)? as u64;
        acc = acc.wrapping_add(lane.wrapping_mul(PRIME_2));
        acc = acc.rotate_left(31);
        acc = acc.wrapping_mul(PRIME_1);
    }
    acc = acc.wrapping_add((items.len() as u64) ^ (PRIME_5 ^ 3_527_539));
    if acc == u64::MAX {
        return Some(1_546_275_796);
    }
    Some(acc as i64)
}

/// The iteration order of `frozenset(items)` (distinct items, inserted in the given order), or
/// `None` when an item's hash is not reproducible.
pub fn frozenset_order(items: &[ConstValue], version: PythonVersion) -> Option<Vec<usize>> {
    let hashes: Vec<u64> = items.iter().map(|i| const_hash(i, version).map(|h| h as u64)).collect::<Option<_>>()?;
    let mut mask: usize = 7;
    let mut table: Vec<Option<usize>> = vec![None; 8];
    let mut fill = 0usize;
    for (index, &hash) in hashes.iter().enumerate() {
        insert(&mut table, mask, index, hash, &hashes);
        fill += 1;
        if fill * 5 >= mask * 3 {
            // `set_table_resize(so, used * 4)` (sets this small never reach 50,000 entries).
            let mut size = 8usize;
            while size <= fill * 4 {
                size <<= 1;
            }
            let old = std::mem::replace(&mut table, vec![None; size]);
            mask = size - 1;
            for entry in old.into_iter().flatten() {
                insert(&mut table, mask, entry, hashes[entry], &hashes);
            }
        }
    }
    Some(table.into_iter().flatten().collect())
}

/// `set_insert_clean`: linear probes, then perturbed jumps, to the first free slot.
fn insert(table: &mut [Option<usize>], mask: usize, index: usize, hash: u64, _hashes: &[u64]) {
    let mut perturb = hash;
    let mut i = (hash as usize) & mask;
    loop {
        if table[i].is_none() {
            table[i] = Some(index);
            return;
        }
        if i + LINEAR_PROBES <= mask {
            for j in 1..=LINEAR_PROBES {
                if table[i + j].is_none() {
                    table[i + j] = Some(index);
                    return;
                }
            }
        }
        perturb >>= PERTURB_SHIFT;
        i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb as usize)) & mask;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(i: i64) -> ConstValue {
        ConstValue::Int(BigInt::from(i))
    }

    #[test]
    fn hashes_match_cpython() {
        // Values printed by CPython 3.13: hash(-1), hash(2**61), hash(1.5), hash(1+2j),
        // hash((1, 2)), hash(None).
        let v = PythonVersion::V3_13;
        assert_eq!(const_hash(&int(-1), v), Some(-2));
        assert_eq!(const_hash(&ConstValue::Int(BigInt::from(1u64 << 61)), v), Some(1));
        assert_eq!(const_hash(&ConstValue::Float(1.5), v), Some(1_152_921_504_606_846_977));
        assert_eq!(const_hash(&ConstValue::Complex { re: 1.0, im: 2.0 }, v), Some(2_000_007));
        assert_eq!(const_hash(&ConstValue::Tuple(vec![int(1), int(2)].into()), v), Some(-3_550_055_125_485_641_917));
        assert_eq!(const_hash(&ConstValue::None, v), Some(4_238_894_112));
        assert_eq!(const_hash(&ConstValue::None, PythonVersion::V3_11), None);
    }

    #[test]
    fn frozenset_iteration_order_matches_cpython() {
        // CPython 3.13: frozenset((7, 8)) -> {8, 7}; frozenset((8, 9, 7)) -> {8, 9, 7};
        // frozenset((1.5, 2, -1)) -> {1.5, 2, -1}.
        let v = PythonVersion::V3_13;
        assert_eq!(frozenset_order(&[int(7), int(8)], v), Some(vec![1, 0]));
        assert_eq!(frozenset_order(&[int(8), int(9), int(7)], v), Some(vec![0, 1, 2]));
        assert_eq!(frozenset_order(&[ConstValue::Float(1.5), int(2), int(-1)], v), Some(vec![0, 1, 2]));
    }
}
