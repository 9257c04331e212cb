//! A fast path for reading the few fields dechrome needs from a JSONL record.
//!
//! A record's text is most of its bytes, and serde_json's scan of a string runs about 3
//! instructions a byte. [`scan_fields`] walks the object itself, validating as it goes, and
//! scans strings 16 bytes at a time (SSE2 on x86-64, bytewise elsewhere). It answers only for
//! the plain case: a valid object whose keys have no escapes, nested at most
//! [`MAX_DEPTH`] deep. For anything else — invalid JSON included — it answers `None`, and the
//! caller parses the line with serde_json, which gives the same fields or the error message.
//!
//! Invariant (tested against serde_json on valid and broken lines): when it answers, the raw
//! value of each field is the same slice of the line that serde_json's `RawValue` gives, and
//! it never answers for a line serde_json rejects.

/// Raw values (the JSON text of each value, as in the line) of the fields a record is read
/// from; later duplicates win, as in a parsed map (except the text field's: see `text_twice`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct RawFields<'a> {
    pub text: Option<&'a str>,
    pub id: Option<&'a str>,
    pub url: Option<&'a str>,
    pub site: Option<&'a str>,
    /// The text field appears more than once (a bad record: which one to clean, and which
    /// one to give back?). Only the serde_json path sets it; the scanner leaves such lines
    /// to it.
    pub text_twice: bool,
}

/// The names of the fields to read.
pub(super) struct FieldNames<'n> {
    pub text: &'n str,
    pub id: &'n str,
    pub url: &'n str,
    pub site: &'n str,
}

/// Deeper nesting is left to serde_json (whose limit is 128).
const MAX_DEPTH: u32 = 64;

/// The fields of the JSON object `line` (surrounding whitespace allowed), or `None` when the
/// line is not a plain, valid object (see the module docs).
pub(super) fn scan_fields<'a>(line: &'a str, names: &FieldNames) -> Option<RawFields<'a>> {
    let b = line.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(b, i + 1);
    let mut out = RawFields::default();
    if b.get(i) == Some(&b'}') {
        return (skip_ws(b, i + 1) == b.len()).then_some(out);
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let (end, escaped) = string_end(b, i)?;
        if escaped {
            // Keys are compared decoded; leave escaped ones to serde_json.
            return None;
        }
        let key = &line[i + 1..end - 1];
        i = skip_ws(b, end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let start = skip_ws(b, i + 1);
        let vend = value_end(b, start, 0)?;
        let v = &line[start..vend];
        if key == names.text {
            if out.text.is_some() {
                return None;
            }
            out.text = Some(v);
        } else if key == names.id {
            out.id = Some(v);
        } else if key == names.url {
            out.url = Some(v);
        } else if key == names.site {
            out.site = Some(v);
        }
        i = skip_ws(b, vend);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return (skip_ws(b, i + 1) == b.len()).then_some(out),
            _ => return None,
        }
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

/// The end (one past the closing quote) of the string that opens at `b[start] == '"'`, and
/// whether it has escapes; `None` when it is not a valid JSON string.
fn string_end(b: &[u8], start: usize) -> Option<(usize, bool)> {
    let mut i = start + 1;
    let mut escaped = false;
    loop {
        i += plain_run(&b[i..]);
        match *b.get(i)? {
            b'"' => return Some((i + 1, escaped)),
            b'\\' => {
                escaped = true;
                match *b.get(i + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                    b'u' => {
                        let hex = b.get(i + 2..i + 6)?;
                        if !hex.iter().all(u8::is_ascii_hexdigit) {
                            return None;
                        }
                        i += 6;
                    }
                    _ => return None,
                }
            }
            // A control character, which must be escaped.
            _ => return None,
        }
    }
}

/// Bytes at the start of `s` that may stand in a string as they are: not `"`, not `\` and
/// not a control character.
#[inline]
fn plain_run(s: &[u8]) -> usize {
    let mut i = 0;
    #[cfg(target_arch = "x86_64")]
    while let Some(w) = s.get(i..i + 16) {
        // SAFETY: SSE2 is part of the x86-64 baseline; the load is unaligned and in bounds.
        let special = unsafe {
            use std::arch::x86_64::*;
            let v = _mm_loadu_si128(w.as_ptr().cast());
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let slash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
            // Unsigned v <= 0x1f: max(v, 0x1f) == 0x1f.
            let ctrl = _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x1f)), _mm_set1_epi8(0x1f));
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, slash), ctrl)) as u32
        };
        if special != 0 {
            return i + special.trailing_zeros() as usize;
        }
        i += 16;
    }
    while let Some(&c) = s.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

/// The end of the JSON value that starts at `b[i]`, `None` when there is none there.
fn value_end(b: &[u8], i: usize, depth: u32) -> Option<usize> {
    match *b.get(i)? {
        b'"' => string_end(b, i).map(|(e, _)| e),
        b'{' => {
            if depth >= MAX_DEPTH {
                return None;
            }
            let mut j = skip_ws(b, i + 1);
            if b.get(j) == Some(&b'}') {
                return Some(j + 1);
            }
            loop {
                if b.get(j) != Some(&b'"') {
                    return None;
                }
                j = skip_ws(b, string_end(b, j)?.0);
                if b.get(j) != Some(&b':') {
                    return None;
                }
                j = skip_ws(b, value_end(b, skip_ws(b, j + 1), depth + 1)?);
                match b.get(j) {
                    Some(b',') => j = skip_ws(b, j + 1),
                    Some(b'}') => return Some(j + 1),
                    _ => return None,
                }
            }
        }
        b'[' => {
            if depth >= MAX_DEPTH {
                return None;
            }
            let mut j = skip_ws(b, i + 1);
            if b.get(j) == Some(&b']') {
                return Some(j + 1);
            }
            loop {
                j = skip_ws(b, value_end(b, j, depth + 1)?);
                match b.get(j) {
                    Some(b',') => j = skip_ws(b, j + 1),
                    Some(b']') => return Some(j + 1),
                    _ => return None,
                }
            }
        }
        b't' => b[i..].starts_with(b"true").then_some(i + 4),
        b'f' => b[i..].starts_with(b"false").then_some(i + 5),
        b'n' => b[i..].starts_with(b"null").then_some(i + 4),
        b'-' | b'0'..=b'9' => number_end(b, i),
        _ => None,
    }
}

/// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
fn number_end(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |b: &[u8], mut i: usize| {
        let s = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i > s).then_some(i)
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    i = match b.get(i)? {
        b'0' => i + 1,
        b'1'..=b'9' => digits(b, i)?,
        _ => return None,
    };
    if b.get(i) == Some(&b'.') {
        i = digits(b, i + 1)?;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        i = digits(b, i)?;
    }
    // A digit right after a leading zero ("01") is not a number; the caller sees the digit
    // where it expects `,` or `}` and answers `None`.
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::{Deserializer, MapAccess, Visitor};
    use serde_json::value::RawValue;

    const NAMES: FieldNames = FieldNames {
        text: "text",
        id: "id",
        url: "url",
        site: "site",
    };

    /// What serde_json makes of the line: the raw value of each field, or `None` when it
    /// refuses the line (or its keys are not all plain strings).
    fn by_serde(line: &str) -> Option<RawFields<'_>> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawFields<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<RawFields<'de>, A::Error> {
                let mut out = RawFields::default();
                while let Some(k) = m.next_key::<std::borrow::Cow<'de, str>>()? {
                    let v: &'de RawValue = m.next_value()?;
                    match &*k {
                        "text" => out.text = Some(v.get()),
                        "id" => out.id = Some(v.get()),
                        "url" => out.url = Some(v.get()),
                        "site" => out.site = Some(v.get()),
                        _ => {}
                    }
                }
                Ok(out)
            }
        }
        let mut de = serde_json::Deserializer::from_str(line);
        let f = (&mut de).deserialize_map(V).ok()?;
        de.end().ok()?;
        Some(f)
    }

    fn agrees(line: &str) -> Result<(), TestCaseError> {
        let fast = scan_fields(line, &NAMES);
        let slow = by_serde(line);
        if let Some(f) = fast {
            prop_assert_eq!(Some(f), slow, "line {:?}", line);
            // The same slices of the line, not equal copies.
            if let (Some(a), Some(b)) = (f.text, slow.and_then(|s| s.text)) {
                prop_assert_eq!(a.as_ptr(), b.as_ptr());
            }
        }
        Ok(())
    }

    #[test]
    fn plain_records_are_read_without_serde() {
        let line = r#" {"id": 7, "url":"https://a.example/x", "meta": {"tags": ["a", 1.5e3, null, true]}, "text": "Home\nStory \"quoted\" \u00e9 line", "site": "a.example"} "#;
        let f = scan_fields(line, &NAMES).expect("a plain record");
        assert_eq!(f.id, Some("7"));
        assert_eq!(f.url, Some(r#""https://a.example/x""#));
        assert_eq!(f.text, Some(r#""Home\nStory \"quoted\" \u00e9 line""#));
        assert_eq!(Some(f), by_serde(line));
    }

    #[test]
    fn what_is_not_plain_is_left_to_serde() {
        for line in [
            r#"{"te\u0078t": "escaped key"}"#,
            r#"{"text": "a"} x"#,
            r#"{"text": "a",}"#,
            r#"{"text": 01}"#,
            r#"{"text": "tab	inside"}"#,
            r#"{"text": "\x"}"#,
            r#"{"text": "\u12g4"}"#,
            r#"["text"]"#,
            r#"{"text": "unterminated}"#,
            r#"{"a": [1, 2,]}"#,
            r#"{"a": tru}"#,
            r#"{"a": -}"#,
            r#"{"a": 1.}"#,
            r#"{"a": 1e}"#,
        ] {
            assert_eq!(scan_fields(line, &NAMES), None, "{line}");
        }
        let deep = format!("{{\"a\": {}1{}}}", "[".repeat(100), "]".repeat(100));
        assert_eq!(scan_fields(&deep, &NAMES), None);
    }

    proptest! {
        // Valid records of every shape, written by serde_json.
        #[test]
        fn valid_records_read_as_serde_reads_them(
            text in "\\PC{0,40}",
            id in proptest::option::of(0u64..1000),
            extra in proptest::collection::vec(("[a-z]{1,4}", "\\PC{0,8}", -1e6f64..1e6), 0..4),
            pad in "[ \t]{0,2}",
        ) {
            let mut obj = serde_json::Map::new();
            for (k, s, n) in &extra {
                obj.insert(k.clone(), serde_json::json!([s, n, {"x": null, "y": [true, false]}]));
            }
            obj.insert("text".into(), serde_json::Value::String(text));
            if let Some(id) = id {
                obj.insert("id".into(), id.into());
            }
            let line = format!("{pad}{}{pad}", serde_json::Value::Object(obj));
            prop_assert!(scan_fields(&line, &NAMES).is_some(), "{:?}", line);
            agrees(&line)?;
        }

        // Broken records: the fast path answers only where serde_json reads the same.
        #[test]
        fn broken_records_are_never_read_differently(
            base in r#"\{"text": "a[ -~]{0,6}b", "x": \[1, "\\\\", \{"y": -0\.5e\+2\}\]\}"#,
            at in 0usize..56,
            with in prop::sample::select(vec!["", "\"", "\\", ",", "}", "]", "{", ":", " ", "0", "\u{1}", "\\u", "e", "-", "tru"]),
            cut in 0usize..2,
        ) {
            let mut line = base.clone();
            let at = at.min(line.len());
            if line.is_char_boundary(at) {
                let end = (at + cut).min(line.len());
                if line.is_char_boundary(end) {
                    line.replace_range(at..end, with);
                }
            }
            // The base record is read unless its text drew a quote or a backslash.
            let text = &base[10..base.find(r#"", "x""#).unwrap_or(10)];
            if !text.contains(['"', '\\']) {
                prop_assert!(scan_fields(&base, &NAMES).is_some(), "{:?}", base);
            }
            agrees(&line)?;
        }
    }
}
