//! WET output: one WARC `conversion` record per cleaned page.
//!
//! - A WET record read as input keeps all its headers, in order; `Content-Length` is set to
//!   the cleaned text's length and `WARC-Block-Digest` is dropped (it described the old text).
//! - A WARC `response`/`resource` record becomes a `conversion` record that refers to it
//!   (`WARC-Refers-To`), with a new `WARC-Record-ID` derived from the old one (so the output
//!   is the same on every run), `Content-Type: text/plain`, and every other header carried
//!   over except the digests and those that describe the HTTP payload.
//! - A JSONL or text page gets `WARC-Type`, a derived `WARC-Record-ID`, `WARC-Date`
//!   1970-01-01T00:00:00Z, `WARC-Target-URI` when it has a URL, and `X-Dechrome-Id` holding
//!   its id, which `--id-field X-Dechrome-Id` reads back.

use crate::input::{Payload, Record};
use crate::warc::{header, write_record};

/// Headers of a response record that do not describe the derived text.
const DROPPED: &[&str] = &[
    "WARC-Type",
    "WARC-Record-ID",
    "Content-Type",
    "Content-Length",
    "WARC-Block-Digest",
    "WARC-Payload-Digest",
    "WARC-Identified-Payload-Type",
    "WARC-Truncated",
    "WARC-Concurrent-To",
    "WARC-Refers-To",
];

/// A urn:uuid built from a hash of `seed`, shaped as a version-4 UUID.
fn derived_uuid(seed: &str) -> String {
    let a = xxhash_rust::xxh3::xxh3_128_with_seed(seed.as_bytes(), 0x6465_6368);
    let b = a.to_be_bytes();
    format!(
        "<urn:uuid:{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-4{:01x}{:02x}-{:01x}{:01x}{:02x}-{}>",
        b[0],
        b[1],
        b[2],
        b[3],
        b[4],
        b[5],
        b[6] & 0x0f,
        b[7],
        8 | (b[8] & 0x3),
        b[8] >> 4,
        b[9],
        b[10..16]
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
    )
}

/// The headers of the WET record for a cleaned page.
pub(crate) fn wet_headers(rec: &Record) -> Vec<(String, String)> {
    let h = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    match &rec.payload {
        Payload::Warc { headers }
            if header(headers, "WARC-Type")
                .is_some_and(|t| t.eq_ignore_ascii_case("conversion")) =>
        {
            headers
                .iter()
                .filter(|(k, _)| !k.eq_ignore_ascii_case("WARC-Block-Digest"))
                .cloned()
                .collect()
        }
        Payload::Warc { headers } => {
            let old_id = header(headers, "WARC-Record-ID").unwrap_or(&rec.id);
            let mut out = vec![
                h("WARC-Type", "conversion"),
                h("WARC-Record-ID", &derived_uuid(old_id)),
            ];
            if header(headers, "WARC-Record-ID").is_some() {
                out.push(h("WARC-Refers-To", old_id));
            }
            for (k, v) in headers {
                if !DROPPED.iter().any(|d| d.eq_ignore_ascii_case(k)) {
                    out.push((k.clone(), v.clone()));
                }
            }
            out.push(h("Content-Type", "text/plain"));
            out.push(h("Content-Length", "0"));
            out
        }
        _ => {
            let date = "1970-01-01T00:00:00Z";
            let mut out = vec![h("WARC-Type", "conversion")];
            if let Some(u) = &rec.url {
                out.push(h("WARC-Target-URI", u));
            }
            out.push(h("WARC-Date", date));
            out.push(h("WARC-Record-ID", &derived_uuid(&rec.id)));
            out.push(h("X-Dechrome-Id", &rec.id));
            out.push(h("Content-Type", "text/plain"));
            out.push(h("Content-Length", "0"));
            out
        }
    }
}

/// Appends the WET record of a cleaned page to `out`.
pub(crate) fn write_wet(out: &mut Vec<u8>, rec: &Record, cleaned: &str) {
    write_record(out, &wet_headers(rec), cleaned.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_uuids() {
        let a = derived_uuid("x");
        assert_eq!(a, derived_uuid("x"));
        assert_ne!(a, derived_uuid("y"));
        assert_eq!(a.len(), "<urn:uuid:>".len() + 36);
    }
}
