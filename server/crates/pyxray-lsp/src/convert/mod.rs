//! Conversions between pyxray's plain data (byte offsets, `TextRange`, insights types) and LSP
//! types. This is the only place positions change units: everything else in the server works in
//! byte offsets of the document text, and the negotiated encoding is applied here.

pub(crate) mod from_proto;
pub(crate) mod to_proto;

use pyxray_insights::{LineIndex, PositionEncoding};

/// A text together with its line index and the negotiated position encoding: everything needed
/// to turn byte offsets into LSP positions and back.
#[derive(Clone, Copy)]
pub(crate) struct TextPositions<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub encoding: PositionEncoding,
}
