//! Reading WARC and WET records as pages.
//!
//! A record is `WARC/1.x` CRLF, header lines, an empty line, `Content-Length` bytes of block,
//! and CRLF CRLF (the framing the writer shares, [`crate::warc`]). Which records become pages:
//!
//! - `conversion` (WET): the block is the page text;
//! - `response` and `resource` whose payload is HTML (by the HTTP or WARC `Content-Type`, or
//!   by sniffing when there is none) with a 2xx status: the visible text of the HTML, one block
//!   per line ([`super::html`]);
//! - `warcinfo` records, non-HTML payloads and other record types are passed over and counted
//!   ([`super::PassedOver`]), not errors.
//!
//! The page id is the `WARC-Record-ID` without its angle brackets, or the value of the header
//! named by [`InputConfig::id_field`] when that is not the default `id` and the record has
//! it; the URL is `WARC-Target-URI`.
//!
//! Damage is reported per record, and reading resumes at the next record: a version line
//! that is not `WARC/`, a header without a colon, a missing `WARC-Type` or `Content-Length`,
//! or a `Content-Length` that does not end where the record ends. In the last case the block
//! is searched for the start of the next record, so a too-long `Content-Length` does not
//! swallow the record after it.

use std::io::{self, BufRead, Read};
use std::path::PathBuf;
use std::sync::Arc;

use super::decode::{decode_utf8, read_line, stream_error};
use super::html::{decode_html, decode_html_owned, html_to_blocks, HtmlBlocks};
use super::site::resolve_site;
use super::{
    gather, Chunk, ConvertedPages, InputConfig, PassedCounters, Payload, Record, RecordStream,
};
use crate::error::{Error, Location, Result};
use crate::warc::header;

/// Longest header line kept; longer ones are a damaged record.
const MAX_HEADER_LINE: u64 = 64 << 10;
/// Most header bytes in one record.
const MAX_HEADER_BYTES: usize = 1 << 20;

/// The records of one WARC or WET stream, as pages; records that are not pages are counted
/// in the shared [`PassedCounters`].
pub(super) struct WarcStream {
    cfg: InputConfig,
    path: PathBuf,
    r: Box<dyn BufRead + Send>,
    offset: u64,
    record_no: u64,
    done: bool,
    line: Vec<u8>,
    passed: Arc<PassedCounters>,
    /// HTML pages converted before (see [`super::Reader::set_converted`]).
    pub(super) converted: Option<Arc<dyn ConvertedPages>>,
}

/// `<...>` around a header value taken off.
fn strip_brackets(s: &str) -> &str {
    s.strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
        .unwrap_or(s)
}

/// What one record of the stream turned out to be.
enum Step {
    /// A page.
    Record(Box<Record>),
    /// A page whose HTML is still to be converted.
    Html(Box<HtmlRecord>),
    /// Not a page: counted and passed over.
    Passed,
}

/// A WARC record whose payload is HTML, framed and unpacked (chunked, gzip) by the reading
/// thread but not yet converted to its text view: the conversion is most of the cost of a
/// WARC page, and one reading thread per file would leave the other cores idle, so the worker
/// that takes the record converts it ([`HtmlRecord::into_record`]).
pub struct HtmlRecord {
    /// The record, its text empty.
    rec: Record,
    /// The HTML payload's bytes.
    body: Vec<u8>,
    /// The charset the HTTP headers name.
    charset: Option<String>,
    /// Refuse HTML that is not valid UTF-8 (`--strict`).
    strict: bool,
}

impl HtmlRecord {
    /// Bytes of HTML to convert: what the record weighs in a chunk.
    pub(super) fn weight(&self) -> usize {
        self.body.len()
    }

    /// The page: the HTML's text view and DOM side array; an error for HTML that is not
    /// valid UTF-8 under `strict`.
    pub fn into_record(self) -> Result<Record> {
        let HtmlRecord {
            mut rec,
            body,
            charset,
            strict,
        } = self;
        let (html, lossy) = if strict {
            let (html, lossy) = decode_html(&body, charset.as_deref());
            if lossy {
                return Err(Error::InvalidUtf8 {
                    loc: rec.loc,
                    bad_byte: std::str::from_utf8(&body)
                        .err()
                        .map_or(0, |e| e.valid_up_to() as u64),
                });
            }
            (html, lossy)
        } else {
            decode_html_owned(body, charset.as_deref())
        };
        let HtmlBlocks { text, dom } = html_to_blocks(&html);
        rec.text = text;
        rec.dom = dom;
        rec.lossy = lossy;
        Ok(rec)
    }
}

impl WarcStream {
    pub(super) fn new(
        cfg: InputConfig,
        path: PathBuf,
        r: Box<dyn BufRead + Send>,
        passed: Arc<PassedCounters>,
    ) -> WarcStream {
        WarcStream {
            cfg,
            path,
            r,
            offset: 0,
            record_no: 0,
            done: false,
            line: Vec::with_capacity(256),
            passed,
            converted: None,
        }
    }

    /// Puts bytes back in front of the stream.
    fn push_back(&mut self, bytes: Vec<u8>) {
        self.offset -= bytes.len() as u64;
        let rest = std::mem::replace(&mut self.r, Box::new(io::empty()));
        self.r = Box::new(io::Cursor::new(bytes).chain(rest));
    }

    /// Reads one line; `None` at the end of the stream.
    fn line(&mut self) -> Result<Option<bool>> {
        let (n, over) = read_line(
            &mut *self.r,
            &mut self.line,
            &self.path,
            self.offset,
            MAX_HEADER_LINE,
        )?;
        self.offset += n;
        Ok(if n == 0 { None } else { Some(over) })
    }

    /// Skips to the next line that starts a record, and leaves it to be read next. Returns
    /// the offset it resumes at.
    fn resync(&mut self) -> Result<u64> {
        loop {
            let start = self.offset;
            if self.line()?.is_none() {
                self.done = true;
                return Ok(start);
            }
            if self.line.starts_with(b"WARC/1.") || self.line.starts_with(b"WARC/0.") {
                let l = std::mem::take(&mut self.line);
                self.push_back(l);
                return Ok(start);
            }
        }
    }

    /// A bad record: skip to the next one and say where reading resumes (or the read error
    /// met while skipping).
    fn bad(&mut self, loc: Location, msg: String) -> Error {
        let at = match self.resync() {
            Ok(at) => at,
            Err(e) => return e,
        };
        let resume = if self.done {
            "; nothing readable follows in this file".to_owned()
        } else {
            format!("; reading resumes at the next record, byte {at}")
        };
        Error::BadRecord {
            loc,
            msg: format!("{msg}{resume}"),
        }
    }

    /// Reads one record: `None` at the end of the stream.
    fn step(&mut self) -> Result<Option<Step>> {
        let Some(loc) = self.version_line()? else {
            return Ok(None);
        };
        let headers = self.headers(&loc)?;
        let Some(cl) = header(&headers, "Content-Length") else {
            return Err(self.bad(loc, "missing Content-Length header".into()));
        };
        let Ok(cl) = cl.parse::<u64>() else {
            let msg = format!("Content-Length {cl:?} is not a number");
            return Err(self.bad(loc, msg));
        };
        let block = self.block(&loc, cl)?;
        self.page(headers, block, loc, cl).map(Some)
    }

    /// Reads the version line, after any blank lines, and numbers the record; `None` at the
    /// end of the stream.
    fn version_line(&mut self) -> Result<Option<Location>> {
        let start = loop {
            let start = self.offset;
            if self.line()?.is_none() {
                return Ok(None);
            }
            if !self.line.iter().all(u8::is_ascii_whitespace) {
                break start;
            }
        };
        self.record_no += 1;
        let loc = Location::new(&self.path, self.record_no, start);
        if !self.line.starts_with(b"WARC/") {
            let shown = String::from_utf8_lossy(&self.line[..self.line.len().min(40)])
                .trim_end()
                .to_owned();
            return Err(self.bad(
                loc,
                format!(
                    "expected a WARC version line (\"WARC/1.0\"), found {shown:?}: the \
                     Content-Length of the record before may be wrong, or this is not a WARC file"
                ),
            ));
        }
        Ok(Some(loc))
    }

    /// Reads the header lines up to the empty line that ends them; a folded line (starting
    /// with white space) continues the header before.
    fn headers(&mut self, loc: &Location) -> Result<Vec<(String, String)>> {
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut header_bytes = 0usize;
        loop {
            match self.line()? {
                None => {
                    self.done = true;
                    return Err(Error::BadRecord {
                        loc: loc.clone(),
                        msg: "the file ends inside the record's headers (truncated file?)".into(),
                    });
                }
                Some(true) => {
                    let msg = format!("a header line is over {MAX_HEADER_LINE} bytes");
                    return Err(self.bad(loc.clone(), msg));
                }
                Some(false) => {}
            }
            header_bytes += self.line.len();
            if header_bytes > MAX_HEADER_BYTES {
                let msg = format!("headers are over {MAX_HEADER_BYTES} bytes");
                return Err(self.bad(loc.clone(), msg));
            }
            let text = String::from_utf8_lossy(&self.line);
            let text = text.trim_end_matches(['\r', '\n']);
            if text.is_empty() {
                return Ok(headers);
            }
            if text.starts_with([' ', '\t']) && !headers.is_empty() {
                let last = headers.last_mut().expect("not empty");
                last.1.push(' ');
                last.1.push_str(text.trim());
                continue;
            }
            let Some((k, v)) = text.split_once(':') else {
                let msg = format!("header line without a colon: {:?}", truncate(text, 60));
                return Err(self.bad(loc.clone(), msg));
            };
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }

    /// Reads the block of `cl` bytes and the empty line after it. A block over the record size
    /// limit is read past; a block that does not end where `cl` says is a bad record, and when
    /// the next record starts inside it, reading resumes there.
    fn block(&mut self, loc: &Location, cl: u64) -> Result<Vec<u8>> {
        let block_start = self.offset;
        let limit = self.cfg.max_record_bytes;
        if cl > limit {
            let n = io::copy(&mut (&mut self.r).take(cl), &mut io::sink())
                .map_err(|e| stream_error(&self.path, block_start, e))?;
            self.offset += n;
            self.trailer();
            return Err(Error::RecordTooLarge {
                loc: loc.clone(),
                size: cl,
                limit,
            });
        }
        let mut block = Vec::with_capacity(cl as usize);
        (&mut self.r)
            .take(cl)
            .read_to_end(&mut block)
            .map_err(|e| stream_error(&self.path, block_start + block.len() as u64, e))?;
        self.offset += block.len() as u64;
        if (block.len() as u64) < cl {
            self.done = true;
            return Err(Error::BadRecord {
                loc: loc.clone(),
                msg: format!(
                    "Content-Length says {cl} bytes but the file ends after {} (truncated file?)",
                    block.len()
                ),
            });
        }
        if self.trailer() {
            return Ok(block);
        }
        // The block does not end where Content-Length says. If the next record starts inside
        // it, the length was too long: resume there.
        let next = memchr::memmem::find_iter(&block, b"\r\n\r\n").find(|&p| {
            let rest = &block[p + 4..];
            rest.starts_with(b"WARC/") || (!rest.is_empty() && b"WARC/".starts_with(rest))
        });
        if let Some(p) = next {
            let rest = block.split_off(p + 4);
            self.push_back(rest);
            return Err(Error::BadRecord {
                loc: loc.clone(),
                msg: format!(
                    "Content-Length {cl} is wrong: the next record starts at byte {}, inside \
                     the block; reading resumes there",
                    self.offset
                ),
            });
        }
        let msg =
            format!("Content-Length {cl} is wrong: the block is not followed by an empty line");
        Err(self.bad(loc.clone(), msg))
    }

    /// What the record is, by its `WARC-Type`: a page (WET text, or the text of an HTML
    /// response) or something passed over.
    fn page(
        &mut self,
        headers: Vec<(String, String)>,
        block: Vec<u8>,
        loc: Location,
        cl: u64,
    ) -> Result<Step> {
        let Some(kind) = header(&headers, "WARC-Type") else {
            return Err(Error::BadRecord {
                loc,
                msg: "missing WARC-Type header".into(),
            });
        };
        match kind.to_ascii_lowercase().as_str() {
            "warcinfo" => {
                self.passed.warcinfo();
                Ok(Step::Passed)
            }
            "conversion" => {
                let (text, lossy) = decode_utf8(block, self.cfg.strict_utf8, &loc)?;
                Ok(Step::Record(Box::new(
                    self.record(headers, text, lossy, loc, cl),
                )))
            }
            "response" | "resource" => {
                let kept = self.converted.as_ref().and_then(|c| c.take(&loc, cl));
                if let Some(c) = kept {
                    // Converted by an earlier pass over this input: the same record, the
                    // same text.
                    let mut rec = self.record(headers, c.text, c.lossy, loc, cl);
                    rec.dom = c.dom;
                    return Ok(Step::Record(Box::new(rec)));
                }
                self.html_page(headers, &block, loc, cl)
            }
            _ => {
                self.passed.other();
                Ok(Step::Passed)
            }
        }
    }

    /// A `response` or `resource` record: a page when its payload is HTML (converted later,
    /// [`HtmlRecord::into_record`]).
    fn html_page(
        &mut self,
        headers: Vec<(String, String)>,
        block: &[u8],
        loc: Location,
        cl: u64,
    ) -> Result<Step> {
        match html_payload(&headers, block) {
            Some((body, charset)) => Ok(Step::Html(Box::new(HtmlRecord {
                rec: self.record(headers, String::new(), false, loc, cl),
                body,
                charset,
                strict: self.cfg.strict_utf8,
            }))),
            None => {
                self.passed.non_html();
                Ok(Step::Passed)
            }
        }
    }

    /// Reads the CRLF CRLF after a block (leniently: one to four CR/LF bytes). False when
    /// something else follows.
    fn trailer(&mut self) -> bool {
        let mut n = 0;
        while n < 4 {
            let b = match self.r.fill_buf() {
                Ok([]) => return true,
                Ok(b) => b[0],
                Err(_) => return true, // reported by the next read
            };
            if b != b'\r' && b != b'\n' {
                return n > 0;
            }
            self.r.consume(1);
            self.offset += 1;
            n += 1;
        }
        true
    }

    fn record(
        &self,
        headers: Vec<(String, String)>,
        text: String,
        lossy: bool,
        loc: Location,
        bytes: u64,
    ) -> Record {
        let id = (self.cfg.id_field != "id")
            .then(|| header(&headers, &self.cfg.id_field))
            .flatten()
            .or_else(|| header(&headers, "WARC-Record-ID"))
            .map(|s| strip_brackets(s).to_owned())
            .unwrap_or_else(|| format!("{}#{}", self.path.display(), loc.record));
        let url = header(&headers, "WARC-Target-URI").map(|u| strip_brackets(u).to_owned());
        let site = resolve_site(None, url.as_deref(), None, self.cfg.site_key);
        Record {
            id,
            site,
            url,
            text,
            dom: Vec::new(),
            payload: Payload::Warc { headers },
            loc,
            lossy,
            bytes,
        }
    }
}

fn truncate(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The HTML payload of a response/resource block and the charset its headers name, or None
/// when it is not an HTML page.
fn html_payload(headers: &[(String, String)], block: &[u8]) -> Option<(Vec<u8>, Option<String>)> {
    let warc_ct = header(headers, "Content-Type").unwrap_or("");
    let (ctype, body, http) = if warc_ct.to_ascii_lowercase().starts_with("application/http")
        || block.starts_with(b"HTTP/")
    {
        let end = memchr::memmem::find(block, b"\r\n\r\n")
            .map(|i| i + 4)
            .or_else(|| memchr::memmem::find(block, b"\n\n").map(|i| i + 2))?;
        let head = String::from_utf8_lossy(&block[..end]);
        let mut lines = head.lines();
        let status = lines.next()?;
        let code: u16 = status.split_whitespace().nth(1)?.parse().ok()?;
        if !(200..300).contains(&code) {
            return None;
        }
        let hs: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let ct = header(&hs, "Content-Type").unwrap_or("").to_owned();
        (ct, &block[end..], Some(hs))
    } else {
        (warc_ct.to_owned(), block, None)
    };
    let lower = ctype.to_ascii_lowercase();
    let is_html = if lower.is_empty() {
        let head = String::from_utf8_lossy(&body[..body.len().min(1024)]).to_ascii_lowercase();
        head.contains("<html") || head.contains("<!doctype html")
    } else {
        lower.contains("html")
    };
    if !is_html {
        return None;
    }
    let charset = lower
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("charset="))
        .map(|c| c.trim_matches(['"', '\'']).to_owned())
        .next();
    let mut body = body.to_vec();
    if let Some(hs) = http {
        if header(&hs, "Transfer-Encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
            body = dechunk(&body)?;
        }
        match header(&hs, "Content-Encoding").map(str::to_ascii_lowercase) {
            None => {}
            Some(e) if e == "identity" => {}
            Some(e) if e == "gzip" || e == "x-gzip" => {
                let mut out = Vec::new();
                flate2::read::MultiGzDecoder::new(&body[..])
                    .read_to_end(&mut out)
                    .ok()?;
                body = out;
            }
            Some(e) if e == "deflate" => {
                let mut out = Vec::new();
                flate2::read::ZlibDecoder::new(&body[..])
                    .read_to_end(&mut out)
                    .ok()?;
                body = out;
            }
            Some(_) => return None,
        }
    }
    Some((body, charset))
}

/// Undoes HTTP chunked transfer encoding.
fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(b.len());
    loop {
        let eol = memchr::memchr(b'\n', b)?;
        let size_str = std::str::from_utf8(&b[..eol]).ok()?.trim();
        let size_str = size_str.split(';').next()?.trim();
        let size = usize::from_str_radix(size_str, 16).ok()?;
        b = &b[eol + 1..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(..size)?);
        b = b.get(size..)?;
        b = b
            .strip_prefix(b"\r\n")
            .or_else(|| b.strip_prefix(b"\n"))
            .unwrap_or(b);
    }
}

impl WarcStream {
    /// The next page, its HTML perhaps still to be converted; `None` at the end of the stream.
    fn next_page(&mut self) -> Option<Result<WarcPage>> {
        loop {
            if self.done {
                return None;
            }
            match self.step() {
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Ok(Some(Step::Passed)) => continue,
                Ok(Some(Step::Record(r))) => return Some(Ok(WarcPage::Ready(r))),
                Ok(Some(Step::Html(h))) => return Some(Ok(WarcPage::Html(h))),
                Err(e) => {
                    if matches!(e, Error::Truncated { .. } | Error::Io { .. }) {
                        self.done = true;
                    }
                    return Some(Err(e));
                }
            }
        }
    }
}

/// A page of a WARC or WET stream as the reading thread hands it over.
pub enum WarcPage {
    /// Read in full (WET text, or HTML an earlier pass converted).
    Ready(Box<Record>),
    /// HTML the taker converts.
    Html(Box<HtmlRecord>),
}

impl WarcPage {
    /// The page, converting its HTML if that is still to be done.
    pub fn into_record(self) -> Result<Record> {
        match self {
            WarcPage::Ready(r) => Ok(*r),
            WarcPage::Html(h) => h.into_record(),
        }
    }

    /// Bytes the page weighs in a chunk.
    fn weight(&self) -> usize {
        match self {
            WarcPage::Ready(r) => r.text.len(),
            WarcPage::Html(h) => h.weight(),
        }
    }
}

impl RecordStream for WarcStream {
    fn next_record(&mut self) -> Option<Result<Record>> {
        self.next_page().map(|p| p.and_then(WarcPage::into_record))
    }

    /// About `max_bytes` of pages (of HTML, for pages still to be converted), whose HTML the
    /// workers convert.
    fn next_chunk(&mut self, max_bytes: usize) -> Option<Chunk> {
        let pages = gather(max_bytes, || self.next_page(), WarcPage::weight);
        (!pages.is_empty()).then_some(Chunk::Warc(pages))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Reader;
    use crate::warc::write_record;

    fn rec(kind: &str, extra: &str, block: &[u8]) -> Vec<u8> {
        let mut v = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{kind}>\r\n\
             WARC-Target-URI: http://a.example.com/x\r\n{extra}Content-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        v.extend_from_slice(block);
        v.extend_from_slice(b"\r\n\r\n");
        v
    }

    fn read(bytes: &[u8]) -> (Vec<Result<Record>>, crate::input::PassedOver) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.warc");
        std::fs::write(&p, bytes).unwrap();
        let mut r = Reader::new(InputConfig::default(), &[p]).unwrap();
        let v: Vec<_> = r.by_ref().collect();
        (v, r.passed_over())
    }

    #[test]
    fn html_is_converted_by_the_chunks_taker_not_the_reading_thread() {
        let html =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><p>Story here</p></html>";
        let mut w = rec("response", "", html);
        w.extend(rec("conversion", "", b"Wet text"));
        let cfg = InputConfig::default();
        let mut s = WarcStream::new(
            cfg,
            "x.warc".into(),
            Box::new(std::io::Cursor::new(w)),
            Default::default(),
        );
        let Some(Chunk::Warc(pages)) = s.next_chunk(1 << 20) else {
            panic!("a WARC stream hands out WARC pages");
        };
        assert!(
            matches!(pages[0], Ok(WarcPage::Html(_))),
            "HTML left to the taker"
        );
        assert!(
            matches!(pages[1], Ok(WarcPage::Ready(_))),
            "WET text is read in full"
        );
        let recs: Vec<Record> = pages
            .into_iter()
            .map(|p| p.and_then(WarcPage::into_record).unwrap())
            .collect();
        assert_eq!(recs[0].text, "Story here");
        assert_eq!(recs[0].dom.len(), 1);
        assert_eq!(recs[1].text, "Wet text");
    }

    #[test]
    fn strict_html_that_is_not_utf8_is_refused_at_its_record() {
        let mut w = rec("conversion", "", b"Fine");
        w.extend(rec(
            "response",
            "",
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>bad \xff byte</p>",
        ));
        let cfg = InputConfig {
            strict_utf8: true,
            ..InputConfig::default()
        };
        let mut s = WarcStream::new(
            cfg,
            "x.warc".into(),
            Box::new(std::io::Cursor::new(w)),
            Default::default(),
        );
        let recs = s.next_chunk(1 << 20).unwrap().into_records(true);
        assert_eq!(recs[0].as_ref().unwrap().text, "Fine");
        match &recs[1] {
            Err(Error::InvalidUtf8 { loc, .. }) => assert_eq!(loc.record, 2),
            other => panic!(
                "expected InvalidUtf8 at record 2, got {:?}",
                other.as_ref().map(|r| &r.text)
            ),
        }
    }

    #[test]
    fn wet_and_html_records_are_pages_others_are_passed_over() {
        let mut w = rec("warcinfo", "", b"software: x\r\n");
        w.extend(rec("conversion", "", "Home\nStory é".as_bytes()));
        w.extend(rec(
            "response",
            "Content-Type: application/http; msgtype=response\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>Hi<p>there",
        ));
        w.extend(rec(
            "response",
            "Content-Type: application/http; msgtype=response\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG",
        ));
        w.extend(rec("request", "", b"GET / HTTP/1.1\r\n\r\n"));
        let (v, passed) = read(&w);
        let v: Vec<Record> = v.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].text, "Home\nStory é");
        assert_eq!(v[0].id, "urn:uuid:conversion");
        assert_eq!(v[0].site, "example.com");
        assert_eq!(v[1].text, "Hi\nthere");
        assert_eq!(
            passed,
            crate::input::PassedOver {
                warcinfo: 1,
                non_html: 1,
                other: 1
            }
        );
    }

    #[test]
    fn wrong_content_length_loses_only_that_record() {
        // Too long: swallows the next record's start, which is found again.
        let mut w = rec("conversion", "", b"one");
        let mut bad = rec("conversion", "", b"two");
        let s = String::from_utf8(bad.clone())
            .unwrap()
            .replace("Length: 3", "Length: 30");
        bad = s.into_bytes();
        w.extend(bad);
        w.extend(rec("conversion", "", b"three"));
        w.extend(rec("conversion", "", b"four"));
        // Too short.
        let s = String::from_utf8(rec("conversion", "", b"five5"))
            .unwrap()
            .replace("Length: 5", "Length: 2");
        w.extend(s.into_bytes());
        w.extend(rec("conversion", "", b"six"));
        let (v, _) = read(&w);
        let texts: Vec<String> = v
            .iter()
            .map(|r| match r {
                Ok(r) => r.text.clone(),
                Err(e) => format!("ERR {e}"),
            })
            .collect();
        assert_eq!(texts[0], "one");
        assert!(texts[1].starts_with("ERR") && texts[1].contains("Content-Length 30 is wrong"));
        assert_eq!(texts[2], "three");
        assert_eq!(texts[3], "four");
        assert!(texts[4].contains("record 5") && texts[4].contains("Content-Length 2 is wrong"));
        assert_eq!(texts[5], "six");
        assert_eq!(texts.len(), 6);
    }

    #[test]
    fn missing_headers_are_bad_records() {
        let mut w = b"WARC/1.0\r\nWARC-Type: conversion\r\n\r\nabc\r\n\r\n".to_vec();
        w.extend(b"WARC/1.0\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n");
        w.extend(rec("conversion", "", b"ok"));
        let (v, _) = read(&w);
        assert_eq!(v.len(), 3);
        let e = v[0].as_ref().unwrap_err().to_string();
        assert!(e.contains("record 1 (byte 0)") && e.contains("missing Content-Length"));
        let e = v[1].as_ref().unwrap_err().to_string();
        assert!(
            e.contains("record 2") && e.contains("missing WARC-Type"),
            "{e}"
        );
        assert_eq!(v[2].as_ref().unwrap().text, "ok");
    }

    #[test]
    fn chunked_and_gzip_http_payloads() {
        assert_eq!(
            dechunk(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").unwrap(),
            b"abcde"
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), Default::default());
        io::Write::write_all(&mut gz, b"<p>zipped</p>").unwrap();
        let body = gz.finish().unwrap();
        let mut block =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n"
                .to_vec();
        block.extend(body);
        let hs = vec![("Content-Type".into(), "application/http".into())];
        assert_eq!(html_payload(&hs, &block).unwrap().0, b"<p>zipped</p>");
    }

    #[test]
    fn written_records_read_back() {
        let mut out = Vec::new();
        let hs = vec![
            ("WARC-Type".to_owned(), "conversion".to_owned()),
            ("Content-Length".to_owned(), "999".to_owned()),
        ];
        write_record(&mut out, &hs, "a\nb é".as_bytes());
        let (v, _) = read(&out);
        assert_eq!(v[0].as_ref().unwrap().text, "a\nb é");
    }
}
