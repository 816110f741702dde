//! Entry points for the `cargo fuzz` targets (not a stable API).

use crate::parse::Grammar;

/// Parses `text` on both paths in CPython 3.`minor`'s grammar: wherever ruff's parser takes the
/// text, rustpython-parser's path must give the same tree (or the same error). `Ok(true)` when
/// the fast path took it, `Ok(false)` when only the slow path answered, `Err` with the difference.
pub fn parse_paths_agree(text: &str, minor: u32) -> Result<bool, String> {
    crate::fast::compare(text, Grammar::of_release(minor)).map(|o| o == crate::fast::Outcome::Same)
}
