//! JSONL: one JSON object per line, each a page.
//!
//! The reading thread only splits the stream into lines ([`JsonLines`], raw bytes in one
//! buffer); the workers parse them, so parsing runs in parallel. A line is parsed by the
//! validating scanner of [`super::jsonl_scan`] when it is plain (the common case), else by
//! serde_json, which also words the errors. Only the id, text, URL and site fields are read;
//! the writer gets the raw line back with the text's span marked ([`Payload::JsonLine`]), so
//! that every other field goes out byte for byte as it came in.
//!
//! Memory: a line buffer that grows to the longest line; per chunk about 1 MiB of lines, the
//! buffers recycled through a small bin.

use std::borrow::Cow;
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::decode::{append_line, read_line};
use super::jsonl_scan::{scan_fields, FieldNames, RawFields};
use super::site::resolve_site;
use super::{Chunk, InputConfig, Payload, Record, RecordStream};
use crate::error::{Error, Location, Result};

/// The records of one JSONL stream: lines, parsed here one at a time or handed out raw in
/// chunks for the workers to parse.
pub(super) struct JsonlStream {
    cfg: Arc<InputConfig>,
    path: Arc<PathBuf>,
    bin: Arc<BufferBin>,
    r: Box<dyn BufRead + Send>,
    buf: Vec<u8>,
    line_no: u64,
    offset: u64,
    done: bool,
}

impl JsonlStream {
    pub(super) fn new(cfg: InputConfig, path: PathBuf, r: Box<dyn BufRead + Send>) -> JsonlStream {
        JsonlStream {
            cfg: Arc::new(cfg),
            path: Arc::new(path),
            bin: Default::default(),
            r,
            buf: Vec::with_capacity(1 << 16),
            line_no: 0,
            offset: 0,
            done: false,
        }
    }
}

/// The UTF-8 byte order mark some tools write at the start of a file.
pub(super) const BOM: &[u8] = b"\xEF\xBB\xBF";

impl JsonlStream {
    /// At the start of the stream, reads past a byte order mark: it is not part of the first
    /// record (which would otherwise not be JSON). Record offsets count it.
    fn skip_bom(&mut self) {
        if self.offset != 0 || self.line_no != 0 {
            return;
        }
        if let Ok(head) = self.r.fill_buf() {
            if head.starts_with(BOM) {
                self.r.consume(BOM.len());
                self.offset = BOM.len() as u64;
            }
        }
    }
}

impl RecordStream for JsonlStream {
    fn next_record(&mut self) -> Option<Result<Record>> {
        self.skip_bom();
        loop {
            if self.done {
                return None;
            }
            let start = self.offset;
            let limit = self.cfg.max_record_bytes;
            let (n, over) = match read_line(&mut *self.r, &mut self.buf, &self.path, start, limit) {
                Ok(n) => n,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            if n == 0 {
                self.done = true;
                return None;
            }
            self.offset += n;
            self.line_no += 1;
            let loc = Location::new(&self.path, self.line_no, start);
            if over {
                self.buf.clear();
                return Some(Err(Error::RecordTooLarge {
                    loc,
                    size: n,
                    limit,
                }));
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(parse_json_line(&self.cfg, &self.buf, loc, true));
        }
    }

    fn next_chunk(&mut self, max_bytes: usize) -> Option<Chunk> {
        if self.done {
            return None;
        }
        self.skip_bom();
        let (buf, lines) = self.bin.take().unwrap_or_else(|| {
            (
                Vec::with_capacity(max_bytes + (1 << 16)),
                Vec::with_capacity(max_bytes / 2048 + 16),
            )
        });
        let mut chunk = JsonLines {
            cfg: self.cfg.clone(),
            buf,
            lines,
            path: self.path.clone(),
            error: None,
            bin: self.bin.clone(),
        };
        let limit = self.cfg.max_record_bytes;
        while chunk.buf.len() < max_bytes {
            let at = chunk.buf.len();
            let start = self.offset;
            let (n, over) =
                match append_line(&mut *self.r, &mut chunk.buf, &self.path, start, limit) {
                    Ok(x) => x,
                    Err(e) => {
                        chunk.buf.truncate(at);
                        chunk.error = Some(e);
                        self.done = true;
                        break;
                    }
                };
            if n == 0 {
                self.done = true;
                break;
            }
            self.offset += n;
            self.line_no += 1;
            if over {
                // Reported by `parse`; the line itself was read past, not kept.
                chunk.buf.truncate(at);
                chunk.lines.push(LineSpan {
                    start: at,
                    end: at,
                    record: self.line_no,
                    offset: start,
                    too_large: n,
                });
                continue;
            }
            if chunk.buf[at..].iter().all(u8::is_ascii_whitespace) {
                chunk.buf.truncate(at);
                continue;
            }
            chunk.lines.push(LineSpan {
                start: at,
                end: at + n as usize,
                record: self.line_no,
                offset: start,
                too_large: 0,
            });
        }
        if chunk.lines.is_empty() && chunk.error.is_none() {
            return None;
        }
        Some(Chunk::JsonLines(chunk))
    }
}

/// Raw JSONL lines of one file, in one buffer.
pub struct JsonLines {
    cfg: Arc<InputConfig>,
    path: Arc<PathBuf>,
    buf: Vec<u8>,
    lines: Vec<LineSpan>,
    /// The stream broke after these lines.
    pub error: Option<Error>,
    /// Where the buffers go back when the chunk is dropped.
    bin: Arc<BufferBin>,
}

impl Drop for JsonLines {
    fn drop(&mut self) {
        let (mut buf, mut lines) = (
            std::mem::take(&mut self.buf),
            std::mem::take(&mut self.lines),
        );
        buf.clear();
        lines.clear();
        self.bin.put(buf, lines);
    }
}

/// Chunk buffers handed back by the workers for the reader to fill again: reading into
/// buffers already faulted in costs a copy, into fresh ones a page fault per 4 KiB as well.
///
/// Memory: at most [`BufferBin::KEEP`] spare chunks.
#[derive(Default)]
struct BufferBin {
    spare: std::sync::Mutex<Vec<(Vec<u8>, Vec<LineSpan>)>>,
}

impl BufferBin {
    /// Chunks in flight are one being read, two queued and one being worked on.
    const KEEP: usize = 16;

    fn take(&self) -> Option<(Vec<u8>, Vec<LineSpan>)> {
        self.spare.lock().ok()?.pop()
    }

    fn put(&self, buf: Vec<u8>, lines: Vec<LineSpan>) {
        if let Ok(mut s) = self.spare.lock() {
            if s.len() < Self::KEEP {
                s.push((buf, lines));
            }
        }
    }
}

struct LineSpan {
    start: usize,
    end: usize,
    record: u64,
    offset: u64,
    /// Bytes of a line over the record size limit (0 for a line within it).
    too_large: u64,
}

impl JsonLines {
    /// Number of lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// No lines (a chunk that holds only a stream error).
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Parses line `i` into a record. With `keep_raw`, the record keeps the raw line so the
    /// writer can give every other field back unchanged ([`Payload::JsonLine`]); learning does
    /// not need it.
    pub fn parse(&self, i: usize, keep_raw: bool) -> Result<Record> {
        let l = &self.lines[i];
        let loc = Location::new(&self.path, l.record, l.offset);
        if l.too_large > 0 {
            return Err(Error::RecordTooLarge {
                loc,
                size: l.too_large,
                limit: self.cfg.max_record_bytes,
            });
        }
        parse_json_line(&self.cfg, &self.buf[l.start..l.end], loc, keep_raw)
    }
}

/// Reads the fields of a JSONL record that dechrome needs ([`RawFields`]: the raw JSON of
/// each value, borrowed from the line) with serde_json; every other field is skipped without
/// being built.
struct FieldsSeed<'c>(&'c InputConfig);

impl<'de> DeserializeSeed<'de> for FieldsSeed<'_> {
    type Value = RawFields<'de>;
    fn deserialize<D: Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<RawFields<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FieldsSeed<'_> {
    type Value = RawFields<'de>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<RawFields<'de>, A::Error> {
        let mut out = RawFields::default();
        // Later duplicates win, as they would in a parsed map.
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let v: &'de RawValue = map.next_value()?;
            let v = v.get();
            let k: &str = &key.0;
            if k == self.0.text_field {
                out.text_twice |= out.text.is_some();
                out.text = Some(v);
            } else if k == self.0.id_field {
                out.id = Some(v);
            } else if k == self.0.url_field {
                out.url = Some(v);
            } else if k == self.0.site_field {
                out.site = Some(v);
            }
        }
        Ok(out)
    }
}

/// An object key, borrowed unless it has escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Key<'de>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// A JSON string value (its raw JSON text) as text: `None` when the value is not a string.
fn raw_str(raw: &str) -> Option<String> {
    if !raw.starts_with('"') {
        return None;
    }
    unescape(&raw[1..raw.len() - 1]).or_else(|| serde_json::from_str::<String>(raw).ok())
}

/// Where the first `\uXXXX` escape of a UTF-16 surrogate that is not half of a pair starts
/// in the raw JSON string `raw` (which the parser accepted, but no text can hold).
fn lone_surrogate(raw: &str) -> Option<usize> {
    let b = raw.as_bytes();
    let unit = |i: usize| -> Option<u32> {
        if b.get(i) != Some(&b'\\') || b.get(i + 1) != Some(&b'u') {
            return None;
        }
        u32::from_str_radix(raw.get(i + 2..i + 6)?, 16).ok()
    };
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        match unit(i) {
            Some(0xD800..=0xDBFF) if matches!(unit(i + 6), Some(0xDC00..=0xDFFF)) => i += 12,
            Some(0xD800..=0xDFFF) => return Some(i),
            Some(_) => i += 6,
            None => i += 2,
        }
    }
    None
}

/// The text of a JSON string's contents (between the quotes, already checked by the parser
/// to be a well-formed string), copied once: plain runs as they are, escapes decoded.
/// `None` for a `\u` escape of a surrogate, which [`raw_str`] leaves to serde_json (it
/// pairs them, and refuses lone ones).
fn unescape(inner: &str) -> Option<String> {
    let b = inner.as_bytes();
    let mut out = String::with_capacity(inner.len());
    let mut i = 0;
    while let Some(j) = crate::bytes::find_byte(&b[i..], b'\\') {
        // A backslash is ASCII, so both ends of the run are char boundaries.
        out.push_str(&inner[i..i + j]);
        i += j;
        let c = match *b.get(i + 1)? {
            b'n' => '\n',
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b't' => '\t',
            b'r' => '\r',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'u' => {
                let hex = inner.get(i + 2..i + 6)?;
                let cp = u32::from_str_radix(hex, 16).ok()?;
                if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                    return None;
                }
                i += 4;
                char::from_u32(cp)?
            }
            _ => return None,
        };
        out.push(c);
        i += 2;
    }
    out.push_str(&inner[i..]);
    Some(out)
}

/// Parses one JSONL line (with or without its line terminator) into a record.
fn parse_json_line(
    cfg: &InputConfig,
    line: &[u8],
    loc: Location,
    keep_raw: bool,
) -> Result<Record> {
    let bytes = line.len() as u64;
    let (line, lossy) = line_text(cfg, line, &loc)?;
    let line: &str = &line;
    let fields = read_fields(cfg, line, &loc)?;
    let Some(text_raw) = fields.text else {
        return Err(Error::MissingField {
            loc,
            field: cfg.text_field.clone(),
        });
    };
    if fields.text_twice {
        return Err(Error::BadRecord {
            loc,
            msg: format!("field {:?} appears twice", cfg.text_field),
        });
    }
    let Some(text) = raw_str(text_raw) else {
        let msg = match lone_surrogate(text_raw) {
            Some(at) => format!(
                "invalid JSON at column {}: lone surrogate escape {} in field {:?}",
                text_raw.as_ptr() as usize - line.as_ptr() as usize + at + 1,
                &text_raw[at..at + 6],
                cfg.text_field
            ),
            None => format!("field {:?} is not a string", cfg.text_field),
        };
        return Err(Error::BadRecord { loc, msg });
    };
    let id = match fields.id {
        Some(v) if v.starts_with('"') => raw_str(v).unwrap_or_default(),
        Some(v) => match serde_json::from_str::<Value>(v) {
            Ok(Value::Number(n)) => n.to_string(),
            _ => format!("{}#{}", loc.file.display(), loc.record),
        },
        None => format!("{}#{}", loc.file.display(), loc.record),
    };
    let url = fields.url.and_then(raw_str);
    let site_field = fields.site.and_then(raw_str);
    let site = resolve_site(site_field.as_deref(), url.as_deref(), None, cfg.site_key);
    let payload = if keep_raw {
        kept_line(line, text_raw)
    } else {
        Payload::None
    };
    let (text, dom) = super::html::field_blocks(text.into(), cfg.html_field);
    Ok(Record {
        id,
        site,
        url,
        text,
        dom,
        payload,
        bytes,
        loc,
        lossy,
    })
}

/// The line without its trailing white space, as text, and whether invalid UTF-8 in it was
/// replaced (an error instead under `strict_utf8`).
fn line_text<'l>(
    cfg: &InputConfig,
    line: &'l [u8],
    loc: &Location,
) -> Result<(Cow<'l, str>, bool)> {
    let mut end = line.len();
    while end > 0 && line[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    let line = &line[..end];
    // simdutf8 checks valid lines several times faster than std; std says where a bad one
    // goes wrong.
    let checked = simdutf8::basic::from_utf8(line).map_err(|_| std::str::from_utf8(line));
    match checked {
        Ok(s) | Err(Ok(s)) => Ok((Cow::Borrowed(s), false)),
        Err(Err(e)) => {
            if cfg.strict_utf8 {
                return Err(Error::InvalidUtf8 {
                    loc: loc.clone(),
                    bad_byte: e.valid_up_to() as u64,
                });
            }
            Ok((String::from_utf8_lossy(line), true))
        }
    }
}

/// The raw JSON of the fields dechrome reads, borrowed from `line`.
fn read_fields<'a>(cfg: &InputConfig, line: &'a str, loc: &Location) -> Result<RawFields<'a>> {
    let names = FieldNames {
        text: &cfg.text_field,
        id: &cfg.id_field,
        url: &cfg.url_field,
        site: &cfg.site_field,
    };
    // The fast scanner reads plain records; serde_json reads the rest and words the errors.
    if let Some(f) = scan_fields(line, &names) {
        return Ok(f);
    }
    let mut de = serde_json::Deserializer::from_str(line);
    let parsed = FieldsSeed(cfg)
        .deserialize(&mut de)
        .and_then(|f| de.end().map(|()| f));
    parsed.map_err(|e| {
        let msg = if !line.trim_start().starts_with('{') {
            "a JSONL record must be a JSON object".to_string()
        } else {
            format!("invalid JSON at column {}: {e}", e.column())
        };
        Error::BadRecord {
            loc: loc.clone(),
            msg,
        }
    })
}

/// The line as read with the text field's value (`text_raw`, a slice of `line`) replaced by
/// `""`, for the writer to fill in: the text itself is not kept twice.
fn kept_line(line: &str, text_raw: &str) -> Payload {
    let s = text_raw.as_ptr() as usize - line.as_ptr() as usize;
    let e = s + text_raw.len();
    let mut kept = String::with_capacity(line.len() - (e - s) + 2);
    kept.push_str(&line[..s]);
    kept.push_str("\"\"");
    kept.push_str(&line[e..]);
    Payload::JsonLine {
        text_span: s..s + 2,
        line: kept,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn chunk_buffers_go_back_to_the_reader() {
        let lines: String = (0..64)
            .map(|i| format!("{{\"id\":\"{i}\",\"text\":\"line {i}\"}}\n"))
            .collect();
        let r = Box::new(io::Cursor::new(lines.into_bytes()));
        let mut s = JsonlStream::new(InputConfig::default(), "t.jsonl".into(), r);
        let Some(Chunk::JsonLines(first)) = s.next_chunk(256) else {
            panic!("a chunk of lines")
        };
        let (ptr, n) = (first.buf.as_ptr(), first.len());
        drop(first);
        let Some(Chunk::JsonLines(second)) = s.next_chunk(256) else {
            panic!("a chunk of lines")
        };
        assert_eq!(
            second.buf.as_ptr(),
            ptr,
            "the dropped chunk's buffer is filled again"
        );
        let rec = second.parse(0, false).unwrap();
        assert_eq!(rec.text, format!("line {n}"));
    }

    /// A JSON string literal of `s`, with some chars written as `\u` escapes (surrogate
    /// pairs for chars beyond the BMP, upper- or lower-case hex) and some `/` as `\/`.
    fn json_literal(s: &str, escape_mask: u64) -> String {
        let mut out = String::from("\"");
        for (i, c) in s.chars().enumerate() {
            let bit = escape_mask >> (i % 64) & 1 == 1;
            match c {
                '/' if bit => out.push_str("\\/"),
                c if bit || (c as u32) < 0x20 || c == '"' || c == '\\' => {
                    let mut units = [0u16; 2];
                    for u in c.encode_utf16(&mut units) {
                        if i % 2 == 0 {
                            out.push_str(&format!("\\u{u:04x}"));
                        } else {
                            out.push_str(&format!("\\u{u:04X}"));
                        }
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    proptest::proptest! {
        /// The copying unescaper gives what serde_json gives, for its own escaping and for
        /// `\u` escapes of any char (surrogate pairs fall back to serde_json).
        #[test]
        fn raw_str_matches_serde(s in "(\\PC|[\"\\\\/\n\t\r\u{8}\u{c}\u{0}\u{1f}])*", mask: u64) {
            for lit in [serde_json::to_string(&s).unwrap(), json_literal(&s, mask)] {
                let raw: &RawValue = serde_json::from_str(&lit).unwrap();
                let want = serde_json::from_str::<String>(&lit).unwrap();
                proptest::prop_assert_eq!(raw_str(raw.get()), Some(want));
            }
        }
    }

    #[test]
    fn raw_str_of_lone_surrogates_is_none_as_in_serde() {
        for lit in [r#""a\ud800b""#, r#""\udc00""#, r#""x\ud83d""#] {
            let raw: &RawValue = serde_json::from_str(lit).unwrap();
            assert_eq!(raw_str(raw.get()), serde_json::from_str::<String>(lit).ok());
            assert_eq!(raw_str(raw.get()), None);
        }
        let raw: &RawValue = serde_json::from_str(r#""\ud83d\ude00!""#).unwrap();
        assert_eq!(raw_str(raw.get()).as_deref(), Some("😀!"));
    }
}
