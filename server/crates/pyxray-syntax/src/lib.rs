//! Python source text to syntax tree: decoding (PEP 263), parsing with per-statement recovery,
//! tokenizer limits, and the line index that converts byte offsets to positions. This is the only
//! crate that depends on a parser (rustpython-parser, and ruff's as the fast path); everything
//! downstream sees [`ast`].

pub mod ast;
mod depth;
mod fast;
mod fstring;
mod grammar311;
mod lexer;
mod limits;
pub mod line_index;
#[doc(hidden)]
pub mod fuzzing;
mod lower;
mod parse;
mod ranges;
mod reparse;
mod shift;
pub mod pystr;
pub mod walk;
mod source;
mod strings;

pub use line_index::{LineCol, LineIndex, PositionEncoding};
pub use pystr::{CodePoint, PyStr, Refill};
pub use parse::{parse_module, parse_module_with, Grammar, Parsed, SyntaxError, SyntaxErrorKind, MAX_TREE_DEPTH};
pub use reparse::reparse;
pub use source::{decode_source, DecodeError, DecodedSource};
pub use strings::InvalidEscape;
