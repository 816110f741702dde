//! Decoding the PEP 626/657 location table (`co_lines()`, `co_positions()` in
//! `Objects/codeobject.c`).

/// One location-table entry: the code units it covers and its source span (-1 = unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocationEntry {
    /// First and one-past-last code unit covered.
    pub start: u32,
    pub end: u32,
    pub line: i32,
    pub end_line: i32,
    pub col: i32,
    pub end_col: i32,
}

fn read_varint(bytes: &[u8], pos: &mut usize) -> u32 {
    let mut read = bytes.get(*pos).copied().unwrap_or(0) as u32;
    *pos += 1;
    let mut val = read & 63;
    let mut shift = 0;
    while read & 64 != 0 {
        read = bytes.get(*pos).copied().unwrap_or(0) as u32;
        *pos += 1;
        shift += 6;
        val |= (read & 63) << shift;
    }
    val
}

fn read_signed_varint(bytes: &[u8], pos: &mut usize) -> i32 {
    let uval = read_varint(bytes, pos);
    if uval & 1 != 0 {
        -((uval >> 1) as i32)
    } else {
        (uval >> 1) as i32
    }
}

/// Every entry of a location table, in order (`advance_with_locations`).
pub fn decode(linetable: &[u8], firstlineno: i32) -> Vec<LocationEntry> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut computed_line = firstlineno;
    let mut end = 0u32;
    while pos < linetable.len() {
        let first = linetable[pos];
        pos += 1;
        let code = (first >> 3) & 15;
        let start = end;
        end = start + (first & 7) as u32 + 1;
        let (line, end_line, col, end_col) = match code {
            15 => (-1, -1, -1, -1),
            14 => {
                computed_line += read_signed_varint(linetable, &mut pos);
                let end_line = computed_line + read_varint(linetable, &mut pos) as i32;
                let col = read_varint(linetable, &mut pos) as i32 - 1;
                let end_col = read_varint(linetable, &mut pos) as i32 - 1;
                (computed_line, end_line, col, end_col)
            }
            13 => {
                computed_line += read_signed_varint(linetable, &mut pos);
                (computed_line, computed_line, -1, -1)
            }
            10..=12 => {
                computed_line += code as i32 - 10;
                let col = linetable.get(pos).copied().unwrap_or(0) as i32;
                let end_col = linetable.get(pos + 1).copied().unwrap_or(0) as i32;
                pos += 2;
                (computed_line, computed_line, col, end_col)
            }
            _ => {
                let second = linetable.get(pos).copied().unwrap_or(0) as i32;
                pos += 1;
                let col = ((code as i32) << 3) | (second >> 4);
                (computed_line, computed_line, col, col + (second & 15))
            }
        };
        out.push(LocationEntry { start, end, line, end_line, col, end_col });
    }
    out
}

/// `co_lines()`: (start byte offset, end byte offset, line or -1), merging consecutive entries
/// with the same line.
pub fn co_lines(entries: &[LocationEntry]) -> Vec<(u32, u32, i32)> {
    let mut out: Vec<(u32, u32, i32)> = Vec::new();
    for e in entries {
        match out.last_mut() {
            Some(last) if last.2 == e.line => last.1 = e.end * 2,
            _ => out.push((e.start * 2, e.end * 2, e.line)),
        }
    }
    out
}

/// `co_positions()` for code unit `unit`: (line, end line, column, end column), -1 = None.
pub fn position_of(entries: &[LocationEntry], unit: u32) -> Option<(i32, i32, i32, i32)> {
    let i = entries.partition_point(|e| e.end <= unit);
    entries.get(i).filter(|e| e.start <= unit).map(|e| (e.line, e.end_line, e.col, e.end_col))
}
