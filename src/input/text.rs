//! Text files and stdin: each file is one page; `.html` and `.htm` files are read as HTML
//! (text view and DOM side array, decoded as WARC responses are).
//!
//! The page id is the file's path relative to its input root (`stdin.txt` for stdin), its site
//! the directory it is in under that root (or the root's own name for a file at the top).
//! Memory: the whole file, up to [`InputConfig::max_record_bytes`]; a longer one is read past
//! and reported.

use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};

use super::decode::{decode_utf8, stream_error};
use super::html::{decode_html, html_to_blocks, HtmlBlocks};
use super::site::resolve_site;
use super::{InputConfig, Payload, Record, RecordStream};
use crate::error::{Error, Location, Result};

/// A text file is one page; its site is its directory relative to the input root.
pub(super) struct TextFileStream {
    cfg: InputConfig,
    path: PathBuf,
    root: PathBuf,
    r: Option<Box<dyn BufRead + Send>>,
}

impl TextFileStream {
    pub(super) fn new(
        cfg: InputConfig,
        path: PathBuf,
        root: PathBuf,
        r: Box<dyn BufRead + Send>,
    ) -> TextFileStream {
        TextFileStream {
            cfg,
            path,
            root,
            r: Some(r),
        }
    }
}

impl RecordStream for TextFileStream {
    fn next_record(&mut self) -> Option<Result<Record>> {
        let mut r = self.r.take()?;
        let loc = Location::new(&self.path, 1, 0);
        let mut bytes = Vec::new();
        let limit = self.cfg.max_record_bytes;
        if let Err(e) = (&mut r).take(limit + 1).read_to_end(&mut bytes) {
            return Some(Err(stream_error(&self.path, bytes.len() as u64, e)));
        }
        if bytes.len() as u64 > limit {
            let size = match io::copy(&mut r, &mut io::sink()) {
                Ok(n) => n + bytes.len() as u64,
                Err(e) => return Some(Err(stream_error(&self.path, bytes.len() as u64, e))),
            };
            return Some(Err(Error::RecordTooLarge { loc, size, limit }));
        }
        let is_html = (self.path.extension())
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
        let (text, dom, lossy) = if is_html {
            // An `.html` file is a page's HTML: its text view and DOM side array, decoded as
            // WARC responses are.
            let (html, lossy) = decode_html(&bytes, None);
            if lossy && self.cfg.strict_utf8 {
                let bad_byte = std::str::from_utf8(&bytes)
                    .err()
                    .map_or(0, |e| e.valid_up_to() as u64);
                return Some(Err(Error::InvalidUtf8 { loc, bad_byte }));
            }
            let HtmlBlocks { text, dom } = html_to_blocks(&html);
            (text, dom, lossy)
        } else {
            match decode_utf8(bytes, self.cfg.strict_utf8, &loc) {
                Ok((t, lossy)) => (t, Vec::new(), lossy),
                Err(e) => return Some(Err(e)),
            }
        };
        let rel = if self.path == Path::new("-") {
            PathBuf::from("stdin.txt")
        } else {
            self.path
                .strip_prefix(&self.root)
                .unwrap_or(&self.path)
                .to_path_buf()
        };
        let dir = rel
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty())
            .or_else(|| {
                self.root
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
            });
        let site = resolve_site(None, None, dir.as_deref(), self.cfg.site_key);
        Some(Ok(Record {
            id: rel.to_string_lossy().into_owned(),
            site,
            url: None,
            bytes: text.len() as u64,
            text,
            dom,
            payload: Payload::Text { rel },
            loc,
            lossy,
        }))
    }
}
