//! JSONL output: one JSON object per line per cleaned record.
//!
//! A record read from Parquet gets an object of all its columns (see
//! `parquet::write_json_row`). A record read from JSONL goes out as it came in, byte for byte, with only its text field's
//! value replaced (spliced into the line as read, nothing parsed or rebuilt), unless the
//! removed blocks are to be added, which needs the object parsed. A record read from WARC or
//! text gets a new object: `id`, `url` when it has one, `site` and the text field.
//! [`write_json_str`] escapes exactly as serde_json does, so the two paths agree byte for byte.

use serde_json::Value;

use crate::bytes::first_control;
use crate::clean::Decision;
use crate::input::{Payload, Record};

/// Appends the JSONL line of a record with its cleaned text to `buf`: the text in
/// `text_field`, and with `keep_removed` the removed blocks (`line`, `text`, `reason`) in
/// `removed`.
pub(super) fn write_line(
    buf: &mut Vec<u8>,
    rec: &Record,
    cleaned: &str,
    decisions: &[Decision],
    text_field: &str,
    keep_removed: bool,
) {
    if let (Payload::JsonLine { line, text_span }, false) = (&rec.payload, keep_removed) {
        // Splice the cleaned text into the line as read: every other field goes out byte
        // for byte, and nothing is parsed or rebuilt.
        buf.extend_from_slice(&line.as_bytes()[..text_span.start]);
        write_json_str(buf, cleaned);
        buf.extend_from_slice(&line.as_bytes()[text_span.end..]);
        buf.push(b'\n');
        return;
    }
    if let Payload::Parquet { rows, row } = &rec.payload {
        let removed = keep_removed.then(|| Value::Array(removed(rec, decisions)));
        super::parquet::write_json_row(buf, rows, *row, cleaned, removed.as_ref());
        return;
    }
    let mut obj = match &rec.payload {
        Payload::JsonLine { line, text_span } => match serde_json::from_str(line) {
            Ok(Value::Object(map)) => map,
            // The reader keeps only objects, but serde_json refuses to build one nested
            // deeper than 128: splice instead, as without the removed blocks.
            _ => return splice_removed(buf, line, text_span, rec, cleaned, decisions),
        },
        _ => {
            let mut m = serde_json::Map::new();
            m.insert("id".into(), Value::String(rec.id.clone()));
            if let Some(u) = &rec.url {
                m.insert("url".into(), Value::String(u.clone()));
            }
            m.insert("site".into(), Value::String(rec.site.clone()));
            m.insert(text_field.to_owned(), Value::Null);
            m
        }
    };
    obj.insert(text_field.to_owned(), Value::String(cleaned.to_owned()));
    if keep_removed {
        obj.insert("removed".into(), Value::Array(removed(rec, decisions)));
    }
    serde_json::to_writer(&mut *buf, &obj).expect("JSON values serialise");
    buf.push(b'\n');
}

/// The removed blocks of a record, for `removed`: `line`, `text`, `reason`.
fn removed(rec: &Record, decisions: &[Decision]) -> Vec<Value> {
    decisions
        .iter()
        .filter(|d| !d.keep)
        .map(|d| {
            serde_json::json!({
                "line": d.line,
                "text": &rec.text[d.start..d.end],
                "reason": d.reason.as_str(),
            })
        })
        .collect()
}

/// The line of a record that serde_json cannot build (nested too deep), as read with the
/// cleaned text spliced in and `"removed":[...]` added before its closing brace.
fn splice_removed(
    buf: &mut Vec<u8>,
    line: &str,
    text_span: &std::ops::Range<usize>,
    rec: &Record,
    cleaned: &str,
    decisions: &[Decision],
) {
    // The reader kept an object without trailing white space: it ends in `}`.
    let close = line.rfind('}').unwrap_or(line.len());
    buf.extend_from_slice(&line.as_bytes()[..text_span.start]);
    write_json_str(buf, cleaned);
    buf.extend_from_slice(&line.as_bytes()[text_span.end..close]);
    buf.extend_from_slice(b",\"removed\":");
    serde_json::to_writer(&mut *buf, &removed(rec, decisions)).expect("JSON values serialise");
    buf.extend_from_slice(&line.as_bytes()[close..]);
    buf.push(b'\n');
}

/// Appends `s` as a JSON string literal, escaped byte for byte as serde_json escapes it (`"`,
/// `\\`, the short forms `\b \f \n \r \t`, other control chars as `\u00xx`), but
/// copying the runs between escapes whole instead of testing and pushing each byte.
pub(crate) fn write_json_str(buf: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let b = s.as_bytes();
    buf.reserve(b.len() + 2);
    buf.push(b'"');
    let mut start = 0;
    while start < b.len() {
        // Lines end in `\n`: find the next one, then any rarer escape before it.
        let next = memchr::memchr3(b'\n', b'"', b'\\', &b[start..]).map_or(b.len(), |i| start + i);
        let end = first_control(&b[start..next]).map_or(next, |i| start + i);
        buf.extend_from_slice(&b[start..end]);
        let Some(&c) = b.get(end) else { break };
        match c {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            0x08 => buf.extend_from_slice(b"\\b"),
            0x0c => buf.extend_from_slice(b"\\f"),
            c => buf.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(c >> 4) as usize],
                HEX[(c & 0xf) as usize],
            ]),
        }
        start = end + 1;
    }
    buf.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn json_strings_are_escaped_as_serde_escapes_them(
            s in "(\\PC|[\u{0}-\u{1f}\"\\\\/\u{7f}])*"
        ) {
            let mut got = Vec::new();
            write_json_str(&mut got, &s);
            proptest::prop_assert_eq!(String::from_utf8(got).unwrap(), serde_json::to_string(&s).unwrap());
        }
    }
}
