//! WARC record framing, shared by the WARC/WET reader ([`crate::input`]) and the WET writer.
//!
//! A record is a version line (`WARC/1.0` CRLF), header lines (`Name: value` CRLF), an empty
//! line, `Content-Length` bytes of block, and CRLF CRLF. Headers are kept as `(name, value)`
//! pairs in the order read; names compare without regard to case.

/// Case-insensitive header lookup.
pub(crate) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Writes one WARC record: version line, headers (Content-Length set to the block's), block,
/// CRLF CRLF.
pub(crate) fn write_record(out: &mut Vec<u8>, headers: &[(String, String)], block: &[u8]) {
    out.extend_from_slice(b"WARC/1.0\r\n");
    let mut wrote_len = false;
    for (k, v) in headers {
        if k.eq_ignore_ascii_case("Content-Length") {
            if wrote_len {
                continue;
            }
            wrote_len = true;
            out.extend_from_slice(format!("Content-Length: {}\r\n", block.len()).as_bytes());
            continue;
        }
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b": ");
        // Header values cannot hold line breaks.
        for c in v.bytes() {
            out.push(if c == b'\r' || c == b'\n' { b' ' } else { c });
        }
        out.extend_from_slice(b"\r\n");
    }
    if !wrote_len {
        out.extend_from_slice(format!("Content-Length: {}\r\n", block.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(block);
    out.extend_from_slice(b"\r\n\r\n");
}
