//! Opcode categories the compiler's passes test (CPython `pycore_opcode_utils.h` and the
//! metadata flags): jumps, block pushes, scope exits, constants, eval breaks.

use pyxray_bytecode::opcode::Op;
use pyxray_bytecode::PythonVersion;

thread_local! {
    /// The version being compiled on this thread: `END_ASYNC_FOR` is a jump only from 3.14 on.
    static VERSION: std::cell::Cell<PythonVersion> = const { std::cell::Cell::new(PythonVersion::V3_13) };
}

/// Records the version a compilation on this thread is for (see [`has_jump`]).
pub fn set_version(version: PythonVersion) {
    VERSION.with(|v| v.set(version));
}

/// `OPCODE_HAS_JUMP`.
#[inline]
pub fn has_jump(op: Op) -> bool {
    if op == Op::END_ASYNC_FOR {
        return VERSION.with(|v| v.get()) >= PythonVersion::V3_14;
    }
    matches!(
        op,
        Op::FOR_ITER
            | Op::JUMP_BACKWARD
            | Op::JUMP_BACKWARD_NO_INTERRUPT
            | Op::JUMP_FORWARD
            | Op::POP_JUMP_IF_FALSE
            | Op::POP_JUMP_IF_NONE
            | Op::POP_JUMP_IF_NOT_NONE
            | Op::POP_JUMP_IF_TRUE
            | Op::SEND
            | Op::JUMP
            | Op::JUMP_NO_INTERRUPT
            | Op::JUMP_IF_FALSE
            | Op::JUMP_IF_TRUE
            // 3.11: `and`/`or` jumps and the directional forms `normalize_jumps` picks.
            | Op::JUMP_IF_FALSE_OR_POP
            | Op::JUMP_IF_TRUE_OR_POP
            | Op::POP_JUMP_FORWARD_IF_FALSE
            | Op::POP_JUMP_FORWARD_IF_TRUE
            | Op::POP_JUMP_FORWARD_IF_NONE
            | Op::POP_JUMP_FORWARD_IF_NOT_NONE
            | Op::POP_JUMP_BACKWARD_IF_FALSE
            | Op::POP_JUMP_BACKWARD_IF_TRUE
            | Op::POP_JUMP_BACKWARD_IF_NONE
            | Op::POP_JUMP_BACKWARD_IF_NOT_NONE
    )
}

/// `IS_BLOCK_PUSH_OPCODE`.
#[inline]
pub fn is_block_push(op: Op) -> bool {
    matches!(op, Op::SETUP_FINALLY | Op::SETUP_WITH | Op::SETUP_CLEANUP)
}

/// `HAS_TARGET`.
#[inline]
pub fn has_target(op: Op) -> bool {
    has_jump(op) || is_block_push(op)
}

/// `IS_SCOPE_EXIT_OPCODE`.
#[inline]
pub fn is_scope_exit(op: Op) -> bool {
    matches!(op, Op::RETURN_VALUE | Op::RETURN_CONST | Op::RAISE_VARARGS | Op::RERAISE)
}

/// `IS_UNCONDITIONAL_JUMP_OPCODE`.
#[inline]
pub fn is_unconditional_jump(op: Op) -> bool {
    matches!(op, Op::JUMP | Op::JUMP_NO_INTERRUPT | Op::JUMP_FORWARD | Op::JUMP_BACKWARD | Op::JUMP_BACKWARD_NO_INTERRUPT)
}

/// `IS_TERMINATOR_OPCODE`.
#[inline]
pub fn is_terminator(op: Op) -> bool {
    has_jump(op) || is_scope_exit(op)
}

/// `OPCODE_HAS_CONST` (3.12's `KW_NAMES` also names a constant).
#[inline]
pub fn has_const(op: Op) -> bool {
    matches!(op, Op::LOAD_CONST | Op::RETURN_CONST | Op::KW_NAMES)
}

/// `OPCODE_HAS_EVAL_BREAK` for the instructions codegen emits.
pub fn has_eval_break(op: Op) -> bool {
    matches!(op, Op::CALL | Op::CALL_FUNCTION_EX | Op::CALL_KW | Op::JUMP_BACKWARD | Op::RESUME | Op::JUMP)
}

/// Pseudo instructions (`IS_PSEUDO_INSTR`), which never reach the bytecode.
#[inline]
pub fn is_pseudo(op: Op) -> bool {
    matches!(
        op,
        Op::JUMP
            | Op::JUMP_NO_INTERRUPT
            | Op::JUMP_IF_FALSE
            | Op::JUMP_IF_TRUE
            | Op::LOAD_CLOSURE
            | Op::LOAD_METHOD
            | Op::LOAD_SUPER_METHOD
            | Op::LOAD_ZERO_SUPER_ATTR
            | Op::LOAD_ZERO_SUPER_METHOD
            | Op::POP_BLOCK
            | Op::SETUP_CLEANUP
            | Op::SETUP_FINALLY
            | Op::SETUP_WITH
            | Op::STORE_FAST_MAYBE_NULL
    )
}
