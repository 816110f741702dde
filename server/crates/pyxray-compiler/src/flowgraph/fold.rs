//! Constant folding on the CFG (CPython 3.14 `flowgraph.c`, which took it over from the AST
//! pass): `fold_tuple_of_constants`, `fold_constant_intrinsic_list_to_tuple`,
//! `optimize_lists_and_sets`, `fold_const_binop`, `fold_const_unaryop`, and the
//! `LOAD_SMALL_INT` form of integer constants. Operands must be loaded by the instructions just
//! before the folded one in the same block (NOPs skipped), as in CPython.

use super::optimize::add_const;
use super::*;
use crate::fold as ast_fold;
use num_bigint::BigInt;
use num_traits::ToPrimitive;
use pyxray_syntax::ast::{Constant, Operator, UnaryOp};
use std::sync::Arc;

/// `_PY_STACK_USE_GUIDELINE`.
const STACK_USE_GUIDELINE: usize = 30;
const MIN_CONST_SEQUENCE_SIZE: usize = 3;
const NB_SUBSCR: i32 = 26;
const INTRINSIC_UNARY_POSITIVE: i32 = 5;
const INTRINSIC_LIST_TO_TUPLE: i32 = 6;

/// `loads_const`.
pub fn loads_const(op: Op) -> bool {
    op == Op::LOAD_CONST || op == Op::LOAD_SMALL_INT
}

/// `get_const_value`.
pub fn get_const_value(instr: &CfgInstr, consts: &[ConstValue]) -> ConstValue {
    if instr.op == Op::LOAD_SMALL_INT {
        ConstValue::Int(BigInt::from(instr.oparg))
    } else {
        consts[instr.oparg as usize].clone()
    }
}

/// The `LOAD_SMALL_INT` oparg for `value` (`_PY_IS_SMALL_INT` on an exact int).
pub fn small_int(value: &ConstValue) -> Option<i32> {
    match value {
        ConstValue::Int(i) => i.to_i32().filter(|v| (0..256).contains(v)),
        _ => None,
    }
}

/// `get_const_loading_instrs`: indices of the `size` constant loads ending at `start`.
fn get_const_loading_instrs(instrs: &[CfgInstr], start: usize, size: usize) -> Option<Vec<usize>> {
    let mut out = vec![0; size];
    let mut left = size;
    let mut i = start as isize;
    while i >= 0 && left > 0 {
        let instr = &instrs[i as usize];
        if instr.op != Op::NOP {
            if !loads_const(instr.op) {
                return None;
            }
            left -= 1;
            out[left] = i as usize;
        }
        i -= 1;
    }
    (left == 0).then_some(out)
}

/// `nop_out`.
fn nop_out(instrs: &mut [CfgInstr], which: &[usize]) {
    for &i in which {
        instrs[i].set_op0(Op::NOP);
        instrs[i].loc = NO_LOC;
    }
}

/// `instr_make_load_const`.
fn instr_make_load_const(instr: &mut CfgInstr, value: ConstValue, consts: &mut Vec<ConstValue>) {
    if let Some(v) = small_int(&value) {
        instr.set_op1(Op::LOAD_SMALL_INT, v);
    } else {
        let index = add_const(value, consts);
        instr.set_op1(Op::LOAD_CONST, index);
    }
}

fn values(instrs: &[CfgInstr], which: &[usize], consts: &[ConstValue]) -> Vec<ConstValue> {
    which.iter().map(|&i| get_const_value(&instrs[i], consts)).collect()
}

/// `fold_tuple_of_constants`.
pub fn fold_tuple_of_constants(instrs: &mut [CfgInstr], i: usize, consts: &mut Vec<ConstValue>) {
    let seq_size = instrs[i].oparg as usize;
    if seq_size > STACK_USE_GUIDELINE {
        return;
    }
    let Some(which) = (if i == 0 { (seq_size == 0).then(Vec::new) } else { get_const_loading_instrs(instrs, i - 1, seq_size) }) else {
        return;
    };
    let items = values(instrs, &which, consts);
    nop_out(instrs, &which);
    instr_make_load_const(&mut instrs[i], ConstValue::Tuple(items.into()), consts);
}

/// `fold_constant_intrinsic_list_to_tuple`: `BUILD_LIST 0; (LOAD_CONST; LIST_APPEND 1)…;
/// CALL_INTRINSIC_1 LIST_TO_TUPLE` → one constant tuple.
pub fn fold_constant_intrinsic_list_to_tuple(instrs: &mut [CfgInstr], i: usize, consts: &mut Vec<ConstValue>) {
    let mut expect_append = true;
    let mut pos = i as isize - 1;
    while pos >= 0 {
        let instr = instrs[pos as usize];
        if instr.op == Op::NOP {
            pos -= 1;
            continue;
        }
        if instr.op == Op::BUILD_LIST && instr.oparg == 0 {
            if !expect_append {
                return;
            }
            let mut items = Vec::new();
            let mut which = Vec::new();
            for (p, instr) in instrs.iter().enumerate().take(i).skip(pos as usize) {
                if instr.op == Op::NOP {
                    continue;
                }
                if loads_const(instr.op) {
                    items.push(get_const_value(instr, consts));
                }
                which.push(p);
            }
            nop_out(instrs, &which);
            instr_make_load_const(&mut instrs[i], ConstValue::Tuple(items.into()), consts);
            return;
        }
        if expect_append {
            if instr.op != Op::LIST_APPEND || instr.oparg != 1 {
                return;
            }
        } else if !loads_const(instr.op) {
            return;
        }
        expect_append = !expect_append;
        pos -= 1;
    }
}

/// `optimize_lists_and_sets`: constant lists/sets for `in`/`for` become tuples/frozensets, and
/// longer constant displays become `BUILD_LIST 0; LOAD_CONST; LIST_EXTEND 1`.
pub fn optimize_lists_and_sets(instrs: &mut [CfgInstr], i: usize, nextop: Option<Op>, consts: &mut Vec<ConstValue>) {
    let op = instrs[i].op;
    let contains_or_iter = matches!(nextop, Some(Op::GET_ITER | Op::CONTAINS_OP));
    let seq_size = instrs[i].oparg as usize;
    if seq_size > STACK_USE_GUIDELINE || (seq_size < MIN_CONST_SEQUENCE_SIZE && !contains_or_iter) {
        return;
    }
    let found = if i == 0 { (seq_size == 0).then(Vec::new) } else { get_const_loading_instrs(instrs, i - 1, seq_size) };
    let Some(which) = found else {
        if contains_or_iter && op == Op::BUILD_LIST {
            instrs[i].set_op1(Op::BUILD_TUPLE, instrs[i].oparg);
        }
        return;
    };
    let items = values(instrs, &which, consts);
    let value = if op == Op::BUILD_SET {
        ConstValue::FrozenSet(frozenset_items(items).into())
    } else {
        ConstValue::Tuple(items.into())
    };
    let index = add_const(value, consts);
    nop_out(instrs, &which);
    if contains_or_iter {
        instrs[i].set_op1(Op::LOAD_CONST, index);
    } else {
        let loc = instrs[i].loc;
        instrs[i - 2].loc = loc;
        instrs[i - 2].set_op1(op, 0);
        instrs[i - 1].set_op1(Op::LOAD_CONST, index);
        instrs[i].set_op1(if op == Op::BUILD_LIST { Op::LIST_EXTEND } else { Op::SET_UPDATE }, 1);
    }
}

/// Removes duplicates as `PyFrozenSet_New` would (Python equality: `1 == 1.0 == True`).
fn frozenset_items(items: Vec<ConstValue>) -> Vec<ConstValue> {
    match items.iter().map(to_ast).collect::<Option<Vec<Constant>>>() {
        Some(asts) => crate::ast_opt::dedup_set(asts).iter().map(crate::consts::from_ast).collect(),
        None => items,
    }
}

/// A code-object constant as a syntax-tree constant, for the folding arithmetic.
fn to_ast(c: &ConstValue) -> Option<Constant> {
    Some(match c {
        ConstValue::None => Constant::None,
        ConstValue::Bool(b) => Constant::Bool(*b),
        ConstValue::Ellipsis => Constant::Ellipsis,
        ConstValue::Int(i) => Constant::Int(i.clone()),
        ConstValue::Float(f) => Constant::Float(*f),
        ConstValue::Complex { re, im } => Constant::Complex { re: *re, im: *im },
        ConstValue::Str(s) => Constant::Str((**s).clone()),
        ConstValue::Bytes(b) => Constant::Bytes(b.to_vec()),
        ConstValue::Tuple(t) => Constant::Tuple(t.iter().map(to_ast).collect::<Option<_>>()?),
        ConstValue::FrozenSet(t) => Constant::FrozenSet(t.iter().map(to_ast).collect::<Option<_>>()?),
        ConstValue::Slice(_) | ConstValue::Code(_) => return None,
    })
}

/// The operator of a `BINARY_OP` oparg (`NB_*`), for the non-inplace forms.
fn nb_operator(oparg: i32) -> Option<Operator> {
    Some(match oparg {
        0 => Operator::Add,
        1 => Operator::BitAnd,
        2 => Operator::FloorDiv,
        3 => Operator::LShift,
        4 => Operator::MatMult,
        5 => Operator::Mult,
        6 => Operator::Mod,
        7 => Operator::BitOr,
        8 => Operator::Pow,
        9 => Operator::RShift,
        10 => Operator::Sub,
        11 => Operator::Div,
        12 => Operator::BitXor,
        _ => return None,
    })
}

/// `eval_const_binop`.
fn eval_const_binop(left: &ConstValue, oparg: i32, right: &ConstValue) -> Option<ConstValue> {
    if oparg == NB_SUBSCR {
        if let ConstValue::Slice(parts) = right {
            return slice_subscript(left, parts);
        }
        return ast_fold::subscript(&to_ast(left)?, &to_ast(right)?).map(|c| crate::consts::from_ast(&c));
    }
    let op = nb_operator(oparg)?;
    if op == Operator::MatMult {
        return None;
    }
    ast_fold::binop(op, &to_ast(left)?, &to_ast(right)?).map(|c| crate::consts::from_ast(&c))
}

/// `PyObject_GetItem(seq, slice)` for constant strings, bytes and tuples.
fn slice_subscript(seq: &ConstValue, parts: &[ConstValue; 3]) -> Option<ConstValue> {
    let len = match seq {
        ConstValue::Str(s) => s.len(),
        ConstValue::Bytes(b) => b.len(),
        ConstValue::Tuple(t) => t.len(),
        _ => return None,
    } as i64;
    let bound = |c: &ConstValue| -> Option<Option<i64>> {
        match c {
            ConstValue::None => Some(None),
            ConstValue::Int(i) => Some(Some(i.to_i64().unwrap_or(if i.sign() == num_bigint::Sign::Minus { i64::MIN } else { i64::MAX }))),
            ConstValue::Bool(b) => Some(Some(*b as i64)),
            _ => None,
        }
    };
    let step = bound(&parts[2])?.unwrap_or(1);
    if step == 0 {
        return None;
    }
    let (start, stop) = (bound(&parts[0])?, bound(&parts[1])?);
    // `PySlice_AdjustIndices`.
    let adjust = |v: Option<i64>, default: i64, lower: i64, upper: i64| -> i64 {
        match v {
            None => default,
            Some(mut v) => {
                if v < 0 {
                    v = v.saturating_add(len);
                    if v < 0 {
                        v = lower;
                    }
                } else if v >= len {
                    v = upper;
                }
                v
            }
        }
    };
    let (start, stop) = if step > 0 {
        (adjust(start, 0, 0, len), adjust(stop, len, 0, len))
    } else {
        (adjust(start, len - 1, -1, len - 1), adjust(stop, -1, -1, len - 1))
    };
    let mut idx = Vec::new();
    let mut k = start;
    while (step > 0 && k < stop) || (step < 0 && k > stop) {
        idx.push(k as usize);
        k += step;
    }
    Some(match seq {
        ConstValue::Str(s) => {
            let points: Vec<_> = s.code_points().collect();
            let mut out = pyxray_syntax::PyStr::new();
            for &i in &idx {
                out.push_code_point(points[i].value());
            }
            ConstValue::Str(Arc::new(out))
        }
        ConstValue::Bytes(b) => ConstValue::Bytes(idx.iter().map(|&i| b[i]).collect::<Vec<u8>>().into()),
        ConstValue::Tuple(t) => ConstValue::Tuple(idx.iter().map(|&i| t[i].clone()).collect()),
        _ => return None,
    })
}

/// `fold_const_binop`.
pub fn fold_const_binop(instrs: &mut [CfgInstr], i: usize, consts: &mut Vec<ConstValue>) {
    if i == 0 {
        return;
    }
    let Some(which) = get_const_loading_instrs(instrs, i - 1, 2) else { return };
    let lhs = get_const_value(&instrs[which[0]], consts);
    let rhs = get_const_value(&instrs[which[1]], consts);
    let Some(newconst) = eval_const_binop(&lhs, instrs[i].oparg, &rhs) else { return };
    nop_out(instrs, &which);
    instr_make_load_const(&mut instrs[i], newconst, consts);
}

/// `fold_const_unaryop`: `-`, `~`, `not` and the unary-plus intrinsic on a constant.
pub fn fold_const_unaryop(instrs: &mut [CfgInstr], i: usize, consts: &mut Vec<ConstValue>) {
    if i == 0 {
        return;
    }
    let Some(which) = get_const_loading_instrs(instrs, i - 1, 1) else { return };
    let operand = get_const_value(&instrs[which[0]], consts);
    let op = match instrs[i].op {
        Op::UNARY_NEGATIVE => UnaryOp::USub,
        Op::UNARY_INVERT => UnaryOp::Invert,
        Op::UNARY_NOT => UnaryOp::Not,
        Op::CALL_INTRINSIC_1 if instrs[i].oparg == INTRINSIC_UNARY_POSITIVE => UnaryOp::UAdd,
        _ => return,
    };
    let newconst = if op == UnaryOp::Not {
        Some(ConstValue::Bool(!crate::consts::is_true(&operand)))
    } else {
        to_ast(&operand).and_then(|c| ast_fold::unaryop(op, &c)).map(|c| crate::consts::from_ast(&c))
    };
    let Some(newconst) = newconst else { return };
    nop_out(instrs, &which);
    instr_make_load_const(&mut instrs[i], newconst, consts);
}

pub(crate) fn is_list_to_tuple(instr: &CfgInstr) -> bool {
    instr.op == Op::CALL_INTRINSIC_1 && instr.oparg == INTRINSIC_LIST_TO_TUPLE
}

pub(crate) fn is_unary_positive(instr: &CfgInstr) -> bool {
    instr.op == Op::CALL_INTRINSIC_1 && instr.oparg == INTRINSIC_UNARY_POSITIVE
}
