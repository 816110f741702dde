//! Stack effects of every opcode (real and pseudo) per CPython version, as one declarative table
//! per version, reproducing `dis.stack_effect(op, oparg, jump=...)` and what the compiler's
//! stack-depth pass uses.
//!
//! Where the rows come from (hand-transcribed; the tests check every row against the values real
//! CPython's `dis.stack_effect` gives in `fixtures/opcodes/3.X.json`):
//! - 3.11: `stack_effect()` in `Python/compile.c`, a switch of *net* effects. Its virtual opcodes
//!   (`SETUP_*`, `POP_BLOCK`, `JUMP`, `JUMP_NO_INTERRUPT`, `POP_JUMP_IF_*`, negative numbers) are
//!   in that switch too, and `dis.stack_effect` accepts their negative numbers, so they are
//!   checked against real CPython like the rest. 3.11's `LOAD_METHOD` is a real instruction.
//! - 3.12, 3.13: real instructions use `_PyOpcode_num_popped`/`_PyOpcode_num_pushed` (generated
//!   from `Python/bytecodes.c` into `Python/opcode_metadata.h` in 3.12,
//!   `Include/internal/pycore_opcode_metadata.h` in 3.13); pseudo-ops use the switch at the end
//!   of compile.c's `stack_effect()`, which knows only net effects.
//! - 3.14: `get_stack_effects()` in `Python/flowgraph.c` uses the metadata for real *and* pseudo
//!   ops, except that a block push (`SETUP_*`) has net effect 0 when the jump is not taken.
//!
//! `jump`: `Some(true)` is the effect along the jump to the target (for `SETUP_*`, the exception
//! handler), `Some(false)` the fall-through, `None` the larger of the two (what `dis` computes for
//! `jump=None` in every version). The stack-depth pass (`stackdepth()` in 3.11's compile.c,
//! `calculate_stackdepth()` in 3.12+'s flowgraph.c) calls it with `jump=0` for every instruction
//! and `jump=1` for the target of jumps and block pushes, using only the net effect; so
//! [`stack_effect`] is all it needs. [`popped_pushed`] gives the metadata's separate counts
//! (3.12+), which 3.14's `optimize_load_fast` uses to track which stack slots an instruction
//! consumes.

use std::sync::OnceLock;

use super::{table, Op, OP_COUNT};
use crate::version::PythonVersion;

/// A count in terms of the oparg (CPython computes these in C `int`; we use `i64`).
#[derive(Clone, Copy)]
enum N {
    /// A constant.
    K(i64),
    /// `oparg + c`.
    Arg(i64),
    /// Anything else, as a non-capturing closure over the oparg.
    F(fn(i64) -> i64),
}

impl N {
    fn eval(self, oparg: i64) -> i64 {
        match self {
            N::K(k) => k,
            N::Arg(c) => oparg + c,
            N::F(f) => f(oparg),
        }
    }
}

/// The stack effect of one op in one version.
#[derive(Clone, Copy)]
enum Effect {
    /// A net effect, whether or not a jump is taken.
    Net(N),
    /// Net effects that differ along the jump (`taken`) and the fall-through (`fall`).
    Branch { taken: N, fall: N },
    /// `_PyOpcode_num_popped` and `_PyOpcode_num_pushed` (3.12+ metadata); net = pushed - popped.
    PopPush(N, N),
}

use Effect::{Branch, Net, PopPush};
use N::{Arg, F, K};

/// Shorthands for the rows below.
const fn net(k: i64) -> Effect {
    Net(K(k))
}
const fn pp(popped: i64, pushed: i64) -> Effect {
    PopPush(K(popped), K(pushed))
}

fn bit(oparg: i64, mask: i64) -> i64 {
    i64::from(oparg & mask != 0)
}

/// One version's rows, and whether that version's block pushes use the 3.14 rule (metadata
/// counts when jumping, 0 when not) rather than an explicit [`Effect::Branch`].
struct Version {
    rows: &'static [(Op, Effect)],
    block_push_rule: bool,
}

// ---------------------------------------------------------------------------------------------
// 3.11: compile.c `stack_effect()` (net effects).

static V3_11: &[(Op, Effect)] = &[
    (Op::NOP, net(0)),
    (Op::EXTENDED_ARG, net(0)),
    (Op::RESUME, net(0)),
    (Op::CACHE, net(0)),
    // Stack manipulation.
    (Op::POP_TOP, net(-1)),
    (Op::SWAP, net(0)),
    (Op::COPY, net(1)),
    (Op::PUSH_NULL, net(1)),
    // Unary and binary operators.
    (Op::UNARY_POSITIVE, net(0)),
    (Op::UNARY_NEGATIVE, net(0)),
    (Op::UNARY_NOT, net(0)),
    (Op::UNARY_INVERT, net(0)),
    (Op::SET_ADD, net(-1)),
    (Op::LIST_APPEND, net(-1)),
    (Op::MAP_ADD, net(-2)),
    (Op::BINARY_SUBSCR, net(-1)),
    (Op::BINARY_OP, net(-1)),
    (Op::STORE_SUBSCR, net(-3)),
    (Op::DELETE_SUBSCR, net(-2)),
    (Op::GET_ITER, net(0)),
    (Op::PRINT_EXPR, net(-1)),
    (Op::LOAD_BUILD_CLASS, net(1)),
    (Op::RETURN_VALUE, net(-1)),
    (Op::IMPORT_STAR, net(-1)),
    (Op::SETUP_ANNOTATIONS, net(0)),
    (Op::ASYNC_GEN_WRAP, net(0)),
    (Op::YIELD_VALUE, net(0)),
    (Op::POP_BLOCK, net(0)),
    (Op::POP_EXCEPT, net(-1)),
    (Op::STORE_NAME, net(-1)),
    (Op::DELETE_NAME, net(0)),
    (Op::UNPACK_SEQUENCE, Net(Arg(-1))),
    (Op::UNPACK_EX, Net(F(|o| (o & 0xFF) + (o >> 8)))),
    // -1 at end of iterator, 1 if continuing iteration.
    (
        Op::FOR_ITER,
        Branch {
            taken: K(-1),
            fall: K(1),
        },
    ),
    (
        Op::SEND,
        Branch {
            taken: K(-1),
            fall: K(0),
        },
    ),
    (Op::STORE_ATTR, net(-2)),
    (Op::DELETE_ATTR, net(-1)),
    (Op::STORE_GLOBAL, net(-1)),
    (Op::DELETE_GLOBAL, net(0)),
    (Op::LOAD_CONST, net(1)),
    (Op::LOAD_NAME, net(1)),
    (Op::BUILD_TUPLE, Net(F(|o| 1 - o))),
    (Op::BUILD_LIST, Net(F(|o| 1 - o))),
    (Op::BUILD_SET, Net(F(|o| 1 - o))),
    (Op::BUILD_STRING, Net(F(|o| 1 - o))),
    (Op::BUILD_MAP, Net(F(|o| 1 - 2 * o))),
    (Op::BUILD_CONST_KEY_MAP, Net(F(|o| -o))),
    (Op::LOAD_ATTR, net(0)),
    (Op::COMPARE_OP, net(-1)),
    (Op::IS_OP, net(-1)),
    (Op::CONTAINS_OP, net(-1)),
    (Op::CHECK_EXC_MATCH, net(0)),
    (Op::CHECK_EG_MATCH, net(0)),
    (Op::IMPORT_NAME, net(-1)),
    (Op::IMPORT_FROM, net(1)),
    // Jumps.
    (Op::JUMP_FORWARD, net(0)),
    (Op::JUMP_BACKWARD, net(0)),
    (Op::JUMP, net(0)),
    (Op::JUMP_BACKWARD_NO_INTERRUPT, net(0)),
    (Op::JUMP_NO_INTERRUPT, net(0)),
    (
        Op::JUMP_IF_TRUE_OR_POP,
        Branch {
            taken: K(0),
            fall: K(-1),
        },
    ),
    (
        Op::JUMP_IF_FALSE_OR_POP,
        Branch {
            taken: K(0),
            fall: K(-1),
        },
    ),
    (Op::POP_JUMP_FORWARD_IF_FALSE, net(-1)),
    (Op::POP_JUMP_FORWARD_IF_TRUE, net(-1)),
    (Op::POP_JUMP_FORWARD_IF_NONE, net(-1)),
    (Op::POP_JUMP_FORWARD_IF_NOT_NONE, net(-1)),
    (Op::POP_JUMP_BACKWARD_IF_FALSE, net(-1)),
    (Op::POP_JUMP_BACKWARD_IF_TRUE, net(-1)),
    (Op::POP_JUMP_BACKWARD_IF_NONE, net(-1)),
    (Op::POP_JUMP_BACKWARD_IF_NOT_NONE, net(-1)),
    (Op::POP_JUMP_IF_FALSE, net(-1)),
    (Op::POP_JUMP_IF_TRUE, net(-1)),
    (Op::POP_JUMP_IF_NONE, net(-1)),
    (Op::POP_JUMP_IF_NOT_NONE, net(-1)),
    (Op::LOAD_GLOBAL, Net(F(|o| (o & 1) + 1))),
    // Exception handling: 0 in the normal flow; at the handler the stack is restored and the
    // exception (SETUP_CLEANUP: also lasti) pushed.
    (
        Op::SETUP_FINALLY,
        Branch {
            taken: K(1),
            fall: K(0),
        },
    ),
    (
        Op::SETUP_CLEANUP,
        Branch {
            taken: K(2),
            fall: K(0),
        },
    ),
    (
        Op::SETUP_WITH,
        Branch {
            taken: K(1),
            fall: K(0),
        },
    ),
    (Op::PREP_RERAISE_STAR, net(-1)),
    (Op::RERAISE, net(-1)),
    (Op::PUSH_EXC_INFO, net(1)),
    (Op::WITH_EXCEPT_START, net(1)),
    (Op::LOAD_FAST, net(1)),
    (Op::STORE_FAST, net(-1)),
    (Op::DELETE_FAST, net(0)),
    (Op::RETURN_GENERATOR, net(0)),
    (Op::RAISE_VARARGS, Net(F(|o| -o))),
    // Functions and calls.
    (Op::PRECALL, Net(F(|o| -o))),
    (Op::KW_NAMES, net(0)),
    (Op::CALL, net(-1)),
    (Op::CALL_FUNCTION_EX, Net(F(|o| -2 - bit(o, 1)))),
    (
        Op::MAKE_FUNCTION,
        Net(F(|o| -bit(o, 1) - bit(o, 2) - bit(o, 4) - bit(o, 8))),
    ),
    (Op::BUILD_SLICE, Net(F(|o| if o == 3 { -2 } else { -1 }))),
    // Closures.
    (Op::MAKE_CELL, net(0)),
    (Op::COPY_FREE_VARS, net(0)),
    (Op::LOAD_CLOSURE, net(1)),
    (Op::LOAD_DEREF, net(1)),
    (Op::LOAD_CLASSDEREF, net(1)),
    (Op::STORE_DEREF, net(-1)),
    (Op::DELETE_DEREF, net(0)),
    // Coroutines.
    (Op::GET_AWAITABLE, net(0)),
    (Op::BEFORE_ASYNC_WITH, net(1)),
    (Op::BEFORE_WITH, net(1)),
    (Op::GET_AITER, net(0)),
    (Op::GET_ANEXT, net(1)),
    (Op::GET_YIELD_FROM_ITER, net(0)),
    (Op::END_ASYNC_FOR, net(-2)),
    // If there's a format spec (FVS_HAVE_SPEC, bit 2), it is popped too.
    (Op::FORMAT_VALUE, Net(F(|o| -bit(o, 4)))),
    (Op::LOAD_METHOD, net(1)),
    (Op::LOAD_ASSERTION_ERROR, net(1)),
    (Op::LIST_TO_TUPLE, net(0)),
    (Op::LIST_EXTEND, net(-1)),
    (Op::SET_UPDATE, net(-1)),
    (Op::DICT_MERGE, net(-1)),
    (Op::DICT_UPDATE, net(-1)),
    // Pattern matching.
    (Op::MATCH_CLASS, net(-2)),
    (Op::GET_LEN, net(1)),
    (Op::MATCH_MAPPING, net(1)),
    (Op::MATCH_SEQUENCE, net(1)),
    (Op::MATCH_KEYS, net(1)),
];

// ---------------------------------------------------------------------------------------------
// 3.12: Python/opcode_metadata.h (its `jump` argument changes no instruction's counts), then
// compile.c's pseudo-op switch.

static V3_12: &[(Op, Effect)] = &[
    (Op::CACHE, pp(0, 0)),
    (Op::NOP, pp(0, 0)),
    (Op::RESERVED, pp(0, 0)),
    (Op::RESUME, pp(0, 0)),
    (Op::EXTENDED_ARG, pp(0, 0)),
    (Op::POP_TOP, pp(1, 0)),
    (Op::PUSH_NULL, pp(0, 1)),
    (Op::INTERPRETER_EXIT, pp(1, 0)),
    (Op::END_FOR, pp(2, 0)),
    (Op::END_SEND, pp(2, 1)),
    (Op::UNARY_NEGATIVE, pp(1, 1)),
    (Op::UNARY_NOT, pp(1, 1)),
    (Op::UNARY_INVERT, pp(1, 1)),
    (Op::BINARY_OP, pp(2, 1)),
    (Op::BINARY_SUBSCR, pp(2, 1)),
    (Op::BINARY_SLICE, pp(3, 1)),
    (Op::STORE_SLICE, pp(4, 0)),
    (Op::STORE_SUBSCR, pp(3, 0)),
    (Op::DELETE_SUBSCR, pp(2, 0)),
    (Op::GET_LEN, pp(1, 2)),
    (Op::MATCH_MAPPING, pp(1, 2)),
    (Op::MATCH_SEQUENCE, pp(1, 2)),
    (Op::MATCH_KEYS, pp(2, 3)),
    (Op::MATCH_CLASS, pp(3, 1)),
    (Op::PUSH_EXC_INFO, pp(1, 2)),
    (Op::CHECK_EXC_MATCH, pp(2, 2)),
    (Op::CHECK_EG_MATCH, pp(2, 2)),
    (Op::WITH_EXCEPT_START, pp(4, 5)),
    (Op::GET_AITER, pp(1, 1)),
    (Op::GET_ANEXT, pp(1, 2)),
    (Op::GET_AWAITABLE, pp(1, 1)),
    (Op::BEFORE_ASYNC_WITH, pp(1, 2)),
    (Op::BEFORE_WITH, pp(1, 2)),
    (Op::END_ASYNC_FOR, pp(2, 0)),
    (Op::CLEANUP_THROW, pp(3, 2)),
    (Op::GET_ITER, pp(1, 1)),
    (Op::GET_YIELD_FROM_ITER, pp(1, 1)),
    (Op::LOAD_BUILD_CLASS, pp(0, 1)),
    (Op::LOAD_ASSERTION_ERROR, pp(0, 1)),
    (Op::RETURN_GENERATOR, pp(0, 0)),
    (Op::RETURN_VALUE, pp(1, 0)),
    (Op::RETURN_CONST, pp(0, 0)),
    (Op::YIELD_VALUE, pp(1, 1)),
    (Op::SETUP_ANNOTATIONS, pp(0, 0)),
    (Op::LOAD_LOCALS, pp(0, 1)),
    (Op::POP_EXCEPT, pp(1, 0)),
    (Op::RERAISE, PopPush(Arg(1), Arg(0))),
    (Op::RAISE_VARARGS, PopPush(Arg(0), K(0))),
    (Op::STORE_NAME, pp(1, 0)),
    (Op::DELETE_NAME, pp(0, 0)),
    (Op::LOAD_NAME, pp(0, 1)),
    (Op::UNPACK_SEQUENCE, PopPush(K(1), Arg(0))),
    (
        Op::UNPACK_EX,
        PopPush(K(1), F(|o| (o & 0xFF) + (o >> 8) + 1)),
    ),
    (Op::FOR_ITER, pp(1, 2)),
    (Op::SEND, pp(2, 2)),
    (Op::STORE_ATTR, pp(2, 0)),
    (Op::DELETE_ATTR, pp(1, 0)),
    (Op::LOAD_ATTR, PopPush(K(1), F(|o| 1 + (o & 1)))),
    (Op::LOAD_SUPER_ATTR, PopPush(K(3), F(|o| 1 + (o & 1)))),
    (Op::STORE_GLOBAL, pp(1, 0)),
    (Op::DELETE_GLOBAL, pp(0, 0)),
    (Op::LOAD_GLOBAL, PopPush(K(0), F(|o| 1 + (o & 1)))),
    (Op::LOAD_FROM_DICT_OR_GLOBALS, pp(1, 1)),
    (Op::SWAP, PopPush(Arg(0), Arg(0))),
    (Op::COPY, PopPush(Arg(0), Arg(1))),
    (Op::LOAD_CONST, pp(0, 1)),
    (Op::BUILD_TUPLE, PopPush(Arg(0), K(1))),
    (Op::BUILD_LIST, PopPush(Arg(0), K(1))),
    (Op::BUILD_SET, PopPush(Arg(0), K(1))),
    (Op::BUILD_STRING, PopPush(Arg(0), K(1))),
    (Op::BUILD_MAP, PopPush(F(|o| 2 * o), K(1))),
    (Op::BUILD_CONST_KEY_MAP, PopPush(Arg(1), K(1))),
    (Op::BUILD_SLICE, PopPush(F(|o| 2 + i64::from(o == 3)), K(1))),
    (Op::LIST_APPEND, PopPush(Arg(1), Arg(0))),
    (Op::SET_ADD, PopPush(Arg(1), Arg(0))),
    (Op::LIST_EXTEND, PopPush(Arg(1), Arg(0))),
    (Op::SET_UPDATE, PopPush(Arg(1), Arg(0))),
    (Op::MAP_ADD, pp(2, 0)),
    (Op::DICT_MERGE, pp(1, 0)),
    (Op::DICT_UPDATE, pp(1, 0)),
    (Op::COMPARE_OP, pp(2, 1)),
    (Op::IS_OP, pp(2, 1)),
    (Op::CONTAINS_OP, pp(2, 1)),
    (Op::IMPORT_NAME, pp(2, 1)),
    (Op::IMPORT_FROM, pp(1, 2)),
    (Op::JUMP_FORWARD, pp(0, 0)),
    (Op::JUMP_BACKWARD, pp(0, 0)),
    (Op::JUMP_BACKWARD_NO_INTERRUPT, pp(0, 0)),
    (Op::POP_JUMP_IF_FALSE, pp(1, 0)),
    (Op::POP_JUMP_IF_TRUE, pp(1, 0)),
    (Op::POP_JUMP_IF_NONE, pp(1, 0)),
    (Op::POP_JUMP_IF_NOT_NONE, pp(1, 0)),
    (Op::LOAD_FAST, pp(0, 1)),
    (Op::LOAD_FAST_CHECK, pp(0, 1)),
    (Op::LOAD_FAST_AND_CLEAR, pp(0, 1)),
    (Op::STORE_FAST, pp(1, 0)),
    (Op::DELETE_FAST, pp(0, 0)),
    (Op::MAKE_CELL, pp(0, 0)),
    (Op::LOAD_CLOSURE, pp(0, 1)),
    (Op::LOAD_DEREF, pp(0, 1)),
    (Op::LOAD_FROM_DICT_OR_DEREF, pp(1, 1)),
    (Op::STORE_DEREF, pp(1, 0)),
    (Op::DELETE_DEREF, pp(0, 0)),
    (Op::COPY_FREE_VARS, pp(0, 0)),
    (
        Op::MAKE_FUNCTION,
        PopPush(
            F(|o| 1 + bit(o, 1) + bit(o, 2) + bit(o, 4) + bit(o, 8)),
            K(1),
        ),
    ),
    (Op::CALL, PopPush(Arg(2), K(1))),
    (Op::CALL_FUNCTION_EX, PopPush(F(|o| 3 + (o & 1)), K(1))),
    (Op::KW_NAMES, pp(0, 0)),
    (Op::CALL_INTRINSIC_1, pp(1, 1)),
    (Op::CALL_INTRINSIC_2, pp(2, 1)),
    // FVS_HAVE_SPEC (bit 2): the format spec is popped too.
    (Op::FORMAT_VALUE, PopPush(F(|o| 1 + bit(o, 4)), K(1))),
    // Pseudo-ops: compile.c `stack_effect()`.
    (
        Op::SETUP_FINALLY,
        Branch {
            taken: K(1),
            fall: K(0),
        },
    ),
    (
        Op::SETUP_CLEANUP,
        Branch {
            taken: K(2),
            fall: K(0),
        },
    ),
    (
        Op::SETUP_WITH,
        Branch {
            taken: K(1),
            fall: K(0),
        },
    ),
    (Op::POP_BLOCK, net(0)),
    (Op::JUMP, net(0)),
    (Op::JUMP_NO_INTERRUPT, net(0)),
    (Op::LOAD_METHOD, net(1)),
    // Not what the LOAD_SUPER_ATTR they become would give for LOAD_ZERO_SUPER_ATTR (-2): CPython
    // says -1 for all three.
    (Op::LOAD_SUPER_METHOD, net(-1)),
    (Op::LOAD_ZERO_SUPER_METHOD, net(-1)),
    (Op::LOAD_ZERO_SUPER_ATTR, net(-1)),
    (Op::STORE_FAST_MAYBE_NULL, net(-1)),
];

// ---------------------------------------------------------------------------------------------
// 3.13: Include/internal/pycore_opcode_metadata.h, then compile.c's pseudo-op switch.

static V3_13: &[(Op, Effect)] = &[
    (Op::CACHE, pp(0, 0)),
    (Op::NOP, pp(0, 0)),
    (Op::RESERVED, pp(0, 0)),
    (Op::RESUME, pp(0, 0)),
    (Op::EXTENDED_ARG, pp(0, 0)),
    (Op::ENTER_EXECUTOR, pp(0, 0)),
    (Op::POP_TOP, pp(1, 0)),
    (Op::PUSH_NULL, pp(0, 1)),
    (Op::INTERPRETER_EXIT, pp(1, 0)),
    (Op::END_FOR, pp(1, 0)),
    (Op::END_SEND, pp(2, 1)),
    (Op::UNARY_NEGATIVE, pp(1, 1)),
    (Op::UNARY_NOT, pp(1, 1)),
    (Op::UNARY_INVERT, pp(1, 1)),
    (Op::TO_BOOL, pp(1, 1)),
    (Op::BINARY_OP, pp(2, 1)),
    (Op::BINARY_SUBSCR, pp(2, 1)),
    (Op::BINARY_SLICE, pp(3, 1)),
    (Op::STORE_SLICE, pp(4, 0)),
    (Op::STORE_SUBSCR, pp(3, 0)),
    (Op::DELETE_SUBSCR, pp(2, 0)),
    (Op::GET_LEN, pp(1, 2)),
    (Op::MATCH_MAPPING, pp(1, 2)),
    (Op::MATCH_SEQUENCE, pp(1, 2)),
    (Op::MATCH_KEYS, pp(2, 3)),
    (Op::MATCH_CLASS, pp(3, 1)),
    (Op::PUSH_EXC_INFO, pp(1, 2)),
    (Op::CHECK_EXC_MATCH, pp(2, 2)),
    (Op::CHECK_EG_MATCH, pp(2, 2)),
    (Op::WITH_EXCEPT_START, pp(4, 5)),
    (Op::GET_AITER, pp(1, 1)),
    (Op::GET_ANEXT, pp(1, 2)),
    (Op::GET_AWAITABLE, pp(1, 1)),
    (Op::BEFORE_ASYNC_WITH, pp(1, 2)),
    (Op::BEFORE_WITH, pp(1, 2)),
    (Op::END_ASYNC_FOR, pp(2, 0)),
    (Op::CLEANUP_THROW, pp(3, 2)),
    (Op::GET_ITER, pp(1, 1)),
    (Op::GET_YIELD_FROM_ITER, pp(1, 1)),
    (Op::LOAD_BUILD_CLASS, pp(0, 1)),
    (Op::LOAD_ASSERTION_ERROR, pp(0, 1)),
    (Op::RETURN_GENERATOR, pp(0, 1)),
    (Op::RETURN_VALUE, pp(1, 0)),
    (Op::RETURN_CONST, pp(0, 0)),
    (Op::YIELD_VALUE, pp(1, 1)),
    (Op::SETUP_ANNOTATIONS, pp(0, 0)),
    (Op::LOAD_LOCALS, pp(0, 1)),
    (Op::POP_EXCEPT, pp(1, 0)),
    (Op::RERAISE, PopPush(Arg(1), Arg(0))),
    (Op::RAISE_VARARGS, PopPush(Arg(0), K(0))),
    (Op::STORE_NAME, pp(1, 0)),
    (Op::DELETE_NAME, pp(0, 0)),
    (Op::LOAD_NAME, pp(0, 1)),
    (Op::UNPACK_SEQUENCE, PopPush(K(1), Arg(0))),
    (
        Op::UNPACK_EX,
        PopPush(K(1), F(|o| 1 + (o >> 8) + (o & 0xFF))),
    ),
    (Op::FOR_ITER, pp(1, 2)),
    (Op::SEND, pp(2, 2)),
    (Op::STORE_ATTR, pp(2, 0)),
    (Op::DELETE_ATTR, pp(1, 0)),
    (Op::LOAD_ATTR, PopPush(K(1), F(|o| 1 + (o & 1)))),
    (Op::LOAD_SUPER_ATTR, PopPush(K(3), F(|o| 1 + (o & 1)))),
    (Op::STORE_GLOBAL, pp(1, 0)),
    (Op::DELETE_GLOBAL, pp(0, 0)),
    (Op::LOAD_GLOBAL, PopPush(K(0), F(|o| 1 + (o & 1)))),
    (Op::LOAD_FROM_DICT_OR_GLOBALS, pp(1, 1)),
    (Op::SWAP, PopPush(Arg(0), Arg(0))),
    (Op::COPY, PopPush(Arg(0), Arg(1))),
    (Op::LOAD_CONST, pp(0, 1)),
    (Op::BUILD_TUPLE, PopPush(Arg(0), K(1))),
    (Op::BUILD_LIST, PopPush(Arg(0), K(1))),
    (Op::BUILD_SET, PopPush(Arg(0), K(1))),
    (Op::BUILD_STRING, PopPush(Arg(0), K(1))),
    (Op::BUILD_MAP, PopPush(F(|o| 2 * o), K(1))),
    (Op::BUILD_CONST_KEY_MAP, PopPush(Arg(1), K(1))),
    (Op::BUILD_SLICE, PopPush(F(|o| 2 + i64::from(o == 3)), K(1))),
    (Op::LIST_APPEND, PopPush(Arg(1), Arg(0))),
    (Op::SET_ADD, PopPush(Arg(1), Arg(0))),
    (Op::LIST_EXTEND, PopPush(Arg(1), Arg(0))),
    (Op::SET_UPDATE, PopPush(Arg(1), Arg(0))),
    (Op::MAP_ADD, PopPush(Arg(2), Arg(0))),
    (Op::DICT_MERGE, PopPush(Arg(4), Arg(3))),
    (Op::DICT_UPDATE, PopPush(Arg(1), Arg(0))),
    (Op::COMPARE_OP, pp(2, 1)),
    (Op::IS_OP, pp(2, 1)),
    (Op::CONTAINS_OP, pp(2, 1)),
    (Op::IMPORT_NAME, pp(2, 1)),
    (Op::IMPORT_FROM, pp(1, 2)),
    (Op::JUMP_FORWARD, pp(0, 0)),
    (Op::JUMP_BACKWARD, pp(0, 0)),
    (Op::JUMP_BACKWARD_NO_INTERRUPT, pp(0, 0)),
    (Op::POP_JUMP_IF_FALSE, pp(1, 0)),
    (Op::POP_JUMP_IF_TRUE, pp(1, 0)),
    (Op::POP_JUMP_IF_NONE, pp(1, 0)),
    (Op::POP_JUMP_IF_NOT_NONE, pp(1, 0)),
    (Op::LOAD_FAST, pp(0, 1)),
    (Op::LOAD_FAST_CHECK, pp(0, 1)),
    (Op::LOAD_FAST_AND_CLEAR, pp(0, 1)),
    (Op::LOAD_FAST_LOAD_FAST, pp(0, 2)),
    (Op::STORE_FAST, pp(1, 0)),
    (Op::STORE_FAST_LOAD_FAST, pp(1, 1)),
    (Op::STORE_FAST_STORE_FAST, pp(2, 0)),
    (Op::DELETE_FAST, pp(0, 0)),
    (Op::MAKE_CELL, pp(0, 0)),
    (Op::LOAD_DEREF, pp(0, 1)),
    (Op::LOAD_FROM_DICT_OR_DEREF, pp(1, 1)),
    (Op::STORE_DEREF, pp(1, 0)),
    (Op::DELETE_DEREF, pp(0, 0)),
    (Op::COPY_FREE_VARS, pp(0, 0)),
    (Op::MAKE_FUNCTION, pp(1, 1)),
    (Op::SET_FUNCTION_ATTRIBUTE, pp(2, 1)),
    (Op::CALL, PopPush(Arg(2), K(1))),
    (Op::CALL_KW, PopPush(Arg(3), K(1))),
    (Op::CALL_FUNCTION_EX, PopPush(F(|o| 3 + (o & 1)), K(1))),
    (Op::CALL_INTRINSIC_1, pp(1, 1)),
    (Op::CALL_INTRINSIC_2, pp(2, 1)),
    (Op::EXIT_INIT_CHECK, pp(1, 0)),
    (Op::CONVERT_VALUE, pp(1, 1)),
    (Op::FORMAT_SIMPLE, pp(1, 1)),
    (Op::FORMAT_WITH_SPEC, pp(2, 1)),
    // Pseudo-ops: compile.c `stack_effect()` (the metadata has no entries for them).
    (
        Op::SETUP_FINALLY,
        Branch {
            taken: K(1),
            fall: K(0),
        },
    ),
    (
        Op::SETUP_CLEANUP,
        Branch {
            taken: K(2),
            fall: K(0),
        },
    ),
    (
        Op::SETUP_WITH,
        Branch {
            taken: K(1),
            fall: K(0),
        },
    ),
    (Op::POP_BLOCK, net(0)),
    (Op::JUMP, net(0)),
    (Op::JUMP_NO_INTERRUPT, net(0)),
    (Op::LOAD_CLOSURE, net(1)),
    (Op::LOAD_METHOD, net(1)),
    (Op::LOAD_SUPER_METHOD, net(-1)),
    (Op::LOAD_ZERO_SUPER_METHOD, net(-1)),
    (Op::LOAD_ZERO_SUPER_ATTR, net(-1)),
    (Op::STORE_FAST_MAYBE_NULL, net(-1)),
];

// ---------------------------------------------------------------------------------------------
// 3.14: Include/internal/pycore_opcode_metadata.h for real and pseudo ops alike (read in the
// 3.14.10 header; same magic number 3627 as 3.14.2), plus flowgraph.c's block-push rule.

static V3_14: &[(Op, Effect)] = &[
    (Op::CACHE, pp(0, 0)),
    (Op::NOP, pp(0, 0)),
    (Op::NOT_TAKEN, pp(0, 0)),
    (Op::RESERVED, pp(0, 0)),
    (Op::RESUME, pp(0, 0)),
    (Op::EXTENDED_ARG, pp(0, 0)),
    (Op::ENTER_EXECUTOR, pp(0, 0)),
    (Op::POP_TOP, pp(1, 0)),
    (Op::POP_ITER, pp(1, 0)),
    (Op::PUSH_NULL, pp(0, 1)),
    (Op::INTERPRETER_EXIT, pp(1, 0)),
    (Op::END_FOR, pp(1, 0)),
    (Op::END_SEND, pp(2, 1)),
    (Op::UNARY_NEGATIVE, pp(1, 1)),
    (Op::UNARY_NOT, pp(1, 1)),
    (Op::UNARY_INVERT, pp(1, 1)),
    (Op::TO_BOOL, pp(1, 1)),
    (Op::BINARY_OP, pp(2, 1)),
    (Op::BINARY_SLICE, pp(3, 1)),
    (Op::STORE_SLICE, pp(4, 0)),
    (Op::STORE_SUBSCR, pp(3, 0)),
    (Op::DELETE_SUBSCR, pp(2, 0)),
    (Op::GET_LEN, pp(1, 2)),
    (Op::MATCH_MAPPING, pp(1, 2)),
    (Op::MATCH_SEQUENCE, pp(1, 2)),
    (Op::MATCH_KEYS, pp(2, 3)),
    (Op::MATCH_CLASS, pp(3, 1)),
    (Op::PUSH_EXC_INFO, pp(1, 2)),
    (Op::CHECK_EXC_MATCH, pp(2, 2)),
    (Op::CHECK_EG_MATCH, pp(2, 2)),
    (Op::WITH_EXCEPT_START, pp(5, 6)),
    (Op::GET_AITER, pp(1, 1)),
    (Op::GET_ANEXT, pp(1, 2)),
    (Op::GET_AWAITABLE, pp(1, 1)),
    (Op::END_ASYNC_FOR, pp(2, 0)),
    (Op::CLEANUP_THROW, pp(3, 2)),
    (Op::GET_ITER, pp(1, 1)),
    (Op::GET_YIELD_FROM_ITER, pp(1, 1)),
    (Op::LOAD_BUILD_CLASS, pp(0, 1)),
    (Op::LOAD_COMMON_CONSTANT, pp(0, 1)),
    (Op::LOAD_SPECIAL, pp(1, 2)),
    (Op::RETURN_GENERATOR, pp(0, 1)),
    (Op::RETURN_VALUE, pp(1, 1)),
    (Op::YIELD_VALUE, pp(1, 1)),
    (Op::SETUP_ANNOTATIONS, pp(0, 0)),
    (Op::LOAD_LOCALS, pp(0, 1)),
    (Op::POP_EXCEPT, pp(1, 0)),
    (Op::RERAISE, PopPush(Arg(1), Arg(0))),
    (Op::RAISE_VARARGS, PopPush(Arg(0), K(0))),
    (Op::STORE_NAME, pp(1, 0)),
    (Op::DELETE_NAME, pp(0, 0)),
    (Op::LOAD_NAME, pp(0, 1)),
    (Op::UNPACK_SEQUENCE, PopPush(K(1), Arg(0))),
    (
        Op::UNPACK_EX,
        PopPush(K(1), F(|o| 1 + (o & 0xFF) + (o >> 8))),
    ),
    (Op::FOR_ITER, pp(1, 2)),
    (Op::SEND, pp(2, 2)),
    (Op::STORE_ATTR, pp(2, 0)),
    (Op::DELETE_ATTR, pp(1, 0)),
    (Op::LOAD_ATTR, PopPush(K(1), F(|o| 1 + (o & 1)))),
    (Op::LOAD_SUPER_ATTR, PopPush(K(3), F(|o| 1 + (o & 1)))),
    (Op::STORE_GLOBAL, pp(1, 0)),
    (Op::DELETE_GLOBAL, pp(0, 0)),
    (Op::LOAD_GLOBAL, PopPush(K(0), F(|o| 1 + (o & 1)))),
    (Op::LOAD_FROM_DICT_OR_GLOBALS, pp(1, 1)),
    (Op::SWAP, PopPush(Arg(0), Arg(0))),
    (Op::COPY, PopPush(Arg(0), Arg(1))),
    (Op::LOAD_CONST, pp(0, 1)),
    (Op::LOAD_SMALL_INT, pp(0, 1)),
    (Op::BUILD_TUPLE, PopPush(Arg(0), K(1))),
    (Op::BUILD_LIST, PopPush(Arg(0), K(1))),
    (Op::BUILD_SET, PopPush(Arg(0), K(1))),
    (Op::BUILD_STRING, PopPush(Arg(0), K(1))),
    (Op::BUILD_MAP, PopPush(F(|o| 2 * o), K(1))),
    (Op::BUILD_SLICE, PopPush(Arg(0), K(1))),
    (Op::BUILD_TEMPLATE, pp(2, 1)),
    (Op::BUILD_INTERPOLATION, PopPush(F(|o| 2 + (o & 1)), K(1))),
    (Op::LIST_APPEND, PopPush(Arg(1), Arg(0))),
    (Op::SET_ADD, PopPush(Arg(1), Arg(0))),
    (Op::LIST_EXTEND, PopPush(Arg(1), Arg(0))),
    (Op::SET_UPDATE, PopPush(Arg(1), Arg(0))),
    (Op::MAP_ADD, PopPush(Arg(2), Arg(0))),
    (Op::DICT_MERGE, PopPush(Arg(4), Arg(3))),
    (Op::DICT_UPDATE, PopPush(Arg(1), Arg(0))),
    (Op::COMPARE_OP, pp(2, 1)),
    (Op::IS_OP, pp(2, 1)),
    (Op::CONTAINS_OP, pp(2, 1)),
    (Op::IMPORT_NAME, pp(2, 1)),
    (Op::IMPORT_FROM, pp(1, 2)),
    (Op::JUMP_FORWARD, pp(0, 0)),
    (Op::JUMP_BACKWARD, pp(0, 0)),
    (Op::JUMP_BACKWARD_NO_INTERRUPT, pp(0, 0)),
    (Op::POP_JUMP_IF_FALSE, pp(1, 0)),
    (Op::POP_JUMP_IF_TRUE, pp(1, 0)),
    (Op::POP_JUMP_IF_NONE, pp(1, 0)),
    (Op::POP_JUMP_IF_NOT_NONE, pp(1, 0)),
    (Op::LOAD_FAST, pp(0, 1)),
    (Op::LOAD_FAST_BORROW, pp(0, 1)),
    (Op::LOAD_FAST_CHECK, pp(0, 1)),
    (Op::LOAD_FAST_AND_CLEAR, pp(0, 1)),
    (Op::LOAD_FAST_LOAD_FAST, pp(0, 2)),
    (Op::LOAD_FAST_BORROW_LOAD_FAST_BORROW, pp(0, 2)),
    (Op::STORE_FAST, pp(1, 0)),
    (Op::STORE_FAST_LOAD_FAST, pp(1, 1)),
    (Op::STORE_FAST_STORE_FAST, pp(2, 0)),
    (Op::DELETE_FAST, pp(0, 0)),
    (Op::MAKE_CELL, pp(0, 0)),
    (Op::LOAD_DEREF, pp(0, 1)),
    (Op::LOAD_FROM_DICT_OR_DEREF, pp(1, 1)),
    (Op::STORE_DEREF, pp(1, 0)),
    (Op::DELETE_DEREF, pp(0, 0)),
    (Op::COPY_FREE_VARS, pp(0, 0)),
    (Op::MAKE_FUNCTION, pp(1, 1)),
    (Op::SET_FUNCTION_ATTRIBUTE, pp(2, 1)),
    (Op::CALL, PopPush(Arg(2), K(1))),
    (Op::CALL_KW, PopPush(Arg(3), K(1))),
    (Op::CALL_FUNCTION_EX, pp(4, 1)),
    (Op::CALL_INTRINSIC_1, pp(1, 1)),
    (Op::CALL_INTRINSIC_2, pp(2, 1)),
    (Op::EXIT_INIT_CHECK, pp(1, 0)),
    (Op::CONVERT_VALUE, pp(1, 1)),
    (Op::FORMAT_SIMPLE, pp(1, 1)),
    (Op::FORMAT_WITH_SPEC, pp(2, 1)),
    // Pseudo-ops, from the same metadata.
    (Op::ANNOTATIONS_PLACEHOLDER, pp(0, 0)),
    (Op::JUMP, pp(0, 0)),
    (Op::JUMP_NO_INTERRUPT, pp(0, 0)),
    (Op::JUMP_IF_FALSE, pp(1, 1)),
    (Op::JUMP_IF_TRUE, pp(1, 1)),
    (Op::LOAD_CLOSURE, pp(0, 1)),
    (Op::POP_BLOCK, pp(0, 0)),
    (Op::SETUP_FINALLY, pp(0, 1)),
    (Op::SETUP_CLEANUP, pp(0, 2)),
    (Op::SETUP_WITH, pp(0, 1)),
    (Op::STORE_FAST_MAYBE_NULL, pp(1, 0)),
];

fn version_rows(version: PythonVersion) -> Version {
    match version {
        PythonVersion::V3_11 => Version {
            rows: V3_11,
            block_push_rule: false,
        },
        PythonVersion::V3_12 => Version {
            rows: V3_12,
            block_push_rule: false,
        },
        PythonVersion::V3_13 => Version {
            rows: V3_13,
            block_push_rule: false,
        },
        PythonVersion::V3_14 => Version {
            rows: V3_14,
            block_push_rule: true,
        },
    }
}

/// The rows of `version` indexed by `Op`, built once.
fn effects(version: PythonVersion) -> &'static [Option<Effect>; OP_COUNT] {
    static CACHE: [OnceLock<[Option<Effect>; OP_COUNT]>; 4] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let slot = match version {
        PythonVersion::V3_11 => &CACHE[0],
        PythonVersion::V3_12 => &CACHE[1],
        PythonVersion::V3_13 => &CACHE[2],
        PythonVersion::V3_14 => &CACHE[3],
    };
    slot.get_or_init(|| {
        let mut index = [None; OP_COUNT];
        for &(op, effect) in version_rows(version).rows {
            index[op as usize] = Some(effect);
        }
        index
    })
}

fn finite(value: i64) -> Option<i32> {
    i32::try_from(value).ok()
}

/// `dis.stack_effect(op, oparg, jump=jump)` of CPython `version`: the change in stack depth
/// after `op`, along the jump (`Some(true)`), the fall-through (`Some(false)`) or the larger of
/// the two (`None`). `None` where CPython raises `ValueError`: ops the version lacks (and
/// specialised or instrumented ones, which are not in [`Op`]). Ops without an argument ignore
/// `oparg` (pass 0).
pub fn stack_effect(version: PythonVersion, op: Op, oparg: u32, jump: Option<bool>) -> Option<i32> {
    if !table(version).contains(op) {
        return None;
    }
    let effect = effects(version)[op as usize]?;
    let oparg = i64::from(oparg);
    let block_push_rule = version_rows(version).block_push_rule;
    match effect {
        Net(n) => finite(n.eval(oparg)),
        Branch { taken, fall } => {
            let (t, f) = (taken.eval(oparg), fall.eval(oparg));
            finite(match jump {
                Some(true) => t,
                Some(false) => f,
                None => t.max(f),
            })
        }
        PopPush(popped, pushed) => {
            let (popped, pushed) = (popped.eval(oparg), pushed.eval(oparg));
            if popped < 0 || pushed < 0 {
                return None;
            }
            if block_push_rule && jump == Some(false) && table(version).is_block_push(op) {
                return Some(0);
            }
            finite(pushed - popped)
        }
    }
}

/// `(_PyOpcode_num_popped(op, oparg), _PyOpcode_num_pushed(op, oparg))` of CPython `version`:
/// how many values `op` takes off the stack and puts back. Only 3.12+ have this metadata, and only
/// for real instructions until 3.14 (3.14 has it for pseudo-ops too); `None` elsewhere. For a
/// 3.14 block push these are the counts along the jump: the fall-through's net effect is 0.
/// 3.12's functions also take `jump`, but no instruction's counts depend on it.
pub fn popped_pushed(version: PythonVersion, op: Op, oparg: u32) -> Option<(i32, i32)> {
    if !table(version).contains(op) {
        return None;
    }
    match effects(version)[op as usize]? {
        PopPush(popped, pushed) => {
            let oparg = i64::from(oparg);
            let (popped, pushed) = (popped.eval(oparg), pushed.eval(oparg));
            if popped < 0 || pushed < 0 {
                return None;
            }
            Some((finite(popped)?, finite(pushed)?))
        }
        Net(_) | Branch { .. } => None,
    }
}
