//! Reading crawls: JSONL, WET/WARC, Parquet, directories of text files and stdin, plain, gzip
//! or zstd.
//!
//! Every reader yields [`Record`]s in input order. A record that cannot be read (invalid JSON,
//! no text field, invalid UTF-8 under [`InputConfig::strict_utf8`]) is yielded as an `Err`
//! naming the file, the record number and its byte offset, and reading goes on with the next
//! record, so the caller decides whether to count-and-skip or stop. Damage to the stream
//! itself (a truncated gzip member) ends that file with an error after the records before it.
//!
//! The parts, in the order a byte meets them: `files` lists the inputs, `decode` opens one
//! (memory-mapped, gzip or zstd undone) and reads lines off it; the format is sniffed here and
//! one [`RecordStream`] reads the file: `jsonl` (with the `jsonl_scan` field scanner), `warc`
//! (with `html` for HTML responses), `parquet` or `text`; `site` names each page's site. [`Reader`] runs
//! the streams of several files on threads of their own and hands their records out in input
//! order.
//!
//! Memory: per file being read, one decompression window, a line buffer that grows to the
//! longest line seen, and at most two chunks of about 1 MiB of records in flight.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::error::{Error, Location, Result};

mod decode;
mod files;
mod html;
mod jsonl;
mod jsonl_scan;
mod parquet;
mod site;
mod text;
mod warc;

pub(crate) use self::parquet::{guarded as guarded_decode, Pread, Strings};
pub use self::parquet::{panic_is_caught, ParquetGroup, ParquetRows};
pub use html::{
    decode_html, html_to_blocks, html_to_blocks_reference, html_to_text, BlockDom, HtmlBlocks,
};
pub use jsonl::JsonLines;
pub use site::{resolve_site, site_from_url, SiteKey};

use self::parquet::ParquetStream;
use decode::{open_decompressed, stream_error};
use files::expand_inputs;
use jsonl::JsonlStream;
use text::TextFileStream;
use warc::WarcStream;
pub use warc::{HtmlRecord, WarcPage};

/// Input formats. `Auto` sniffs the (decompressed) content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Told from the first bytes: Parquet, JSONL, WET, WARC, else text.
    Auto,
    /// One JSON object per line.
    Jsonl,
    /// The whole file is one page.
    Text,
    /// WET: WARC `conversion` records, each a page's text (read as [`Format::Warc`] is).
    Wet,
    /// WARC: `conversion` records and HTML responses become pages, other records are passed
    /// over.
    Warc,
    /// Parquet: each row a page, its text, id, URL and site from the columns named by the
    /// `*_field` settings; told by its `PAR1` magic.
    Parquet,
}

/// How records are turned into pages; the validated form of the CLI's input flags.
#[derive(Debug, Clone)]
pub struct InputConfig {
    /// The input format, or [`Format::Auto`] to sniff each file's.
    pub format: Format,
    /// The JSONL field (or Parquet column) holding the page id (for WARC input, a header to take it from instead
    /// of `WARC-Record-ID`, unless it is the default `id`).
    pub id_field: String,
    /// The JSONL field (or Parquet column) holding the page text.
    pub text_field: String,
    /// The JSONL text field holds the page's HTML (`--html-field`): it is read as WARC
    /// responses are (text view and DOM side array), and the cleaned text replaces it.
    pub html_field: bool,
    /// The JSONL field (or Parquet column) holding the page URL.
    pub url_field: String,
    /// The JSONL field (or Parquet column) naming the page's site; without it, the site comes from the URL.
    pub site_field: String,
    /// How a URL is turned into a site key.
    pub site_key: SiteKey,
    /// Refuse text that is not valid UTF-8 instead of decoding it lossily.
    pub strict_utf8: bool,
    /// A record (JSONL line, WARC record, text file) longer than this is reported and skipped
    /// without being held in memory.
    pub max_record_bytes: u64,
    /// Input files read at once, each on its own thread (records still come out in input
    /// order); 0 picks one per core, at most 8.
    pub parallel_files: usize,
    /// A page of more lines than this is a bad record ([`Error::PageTooLong`]) for the jobs
    /// ([`crate::job`]): cleaning holds a few words per line, and millions of short lines in
    /// one page took gigabytes whatever the memory budget.
    pub max_page_lines: u64,
}

/// The default of [`InputConfig::max_page_lines`]: far above any real page (the longest of
/// the test crawls has a few thousand lines).
pub const DEFAULT_MAX_PAGE_LINES: u64 = 200_000;

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            format: Format::Auto,
            id_field: "id".into(),
            text_field: "text".into(),
            html_field: false,
            url_field: "url".into(),
            site_field: "site".into(),
            site_key: SiteKey::Domain,
            strict_utf8: false,
            max_record_bytes: 64 << 20,
            parallel_files: 0,
            max_page_lines: DEFAULT_MAX_PAGE_LINES,
        }
    }
}

/// What the writer needs to give a record back in its own format.
#[derive(Debug, Clone)]
pub enum Payload {
    /// A text file, with its path relative to the input root.
    Text {
        /// The path relative to the input root.
        rel: PathBuf,
    },
    /// A WARC/WET record: its header lines, in order, as read.
    Warc {
        /// `(name, value)` pairs, values trimmed, folded lines joined.
        headers: Vec<(String, String)>,
    },
    /// A JSONL line as read (without its line terminator), except that the text field's
    /// JSON string value is `""` (the text is in [`Record::text`]); `text_span` is the byte
    /// range of that value, which the writer replaces by the cleaned text so that every other
    /// field goes out byte for byte as it came in.
    JsonLine {
        /// The line, the text field's value `""`.
        line: String,
        /// The byte range of that `""` in `line`.
        text_span: std::ops::Range<usize>,
    },
    /// A Parquet row: the other columns of its batch and its index there, for the writer to
    /// give every column back with its type.
    Parquet {
        /// The columns of the batch the row was read in, the text column left out.
        rows: Arc<ParquetRows>,
        /// The row's index in the batch.
        row: usize,
    },
    /// A Parquet row read for a Parquet output ([`PayloadKind::Located`]): where it was
    /// read, for the writer to copy its other columns from the input file.
    ParquetRow {
        /// The row group the row was read from.
        group: Arc<ParquetGroup>,
        /// The row's index in its row group.
        row: usize,
    },
    /// Nothing kept (a record read only to learn from).
    None,
}

/// An HTML page's conversion (text view, DOM side array, lossy flag), made before.
#[derive(Debug)]
pub(crate) struct ConvertedHtml {
    /// The page's text view.
    pub text: String,
    /// Its DOM side array.
    pub dom: Vec<BlockDom>,
    /// Bytes had to be replaced when its HTML was decoded.
    pub lossy: bool,
}

/// Pages whose HTML an earlier pass over the same input converted (`run`'s first pass): a
/// reader takes them here instead of parsing their HTML again.
pub(crate) trait ConvertedPages: Send + Sync + std::fmt::Debug {
    /// The conversion of the record read at `loc` (file and record number), if one was kept
    /// and was made from a record of `bytes` bytes; taken out, so it is handed out once.
    fn take(&self, loc: &Location, bytes: u64) -> Option<ConvertedHtml>;
}

/// What the records of a [`Reader`] carry for the writer: how much of a Parquet row is
/// decoded. The other formats carry their [`Payload`] unless told [`PayloadKind::None`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadKind {
    /// Nothing: the records are not written out (learning, counting). A Parquet file is
    /// decoded only in the columns that make a page (text, id, URL, site).
    None,
    /// What any writer needs: a Parquet row's every column, decoded ([`Payload::Parquet`]).
    Full,
    /// For a Parquet output: a Parquet row is decoded as for [`PayloadKind::None`] and says
    /// where it was read ([`Payload::ParquetRow`]); the writer copies its other columns from
    /// the input file without decoding them.
    Located,
}

/// One page of a crawl.
#[derive(Debug, Clone)]
pub struct Record {
    /// The page id: the id field, the WARC record id, or a text file's relative path; else
    /// `file#record`.
    pub id: String,
    /// The site key (see [`SiteKey`]); empty when nothing names a site.
    pub site: String,
    /// The page URL, when the record has one.
    pub url: Option<String>,
    /// The page text, blocks one per line.
    pub text: String,
    /// For a page read from HTML, what the DOM says about each line of `text` (one entry per
    /// line); empty for text input.
    pub dom: Vec<BlockDom>,
    /// What the writer needs to give the record back in its own format.
    pub payload: Payload,
    /// Where the record was read: file, record number, byte offset.
    pub loc: Location,
    /// The text had invalid UTF-8 that was replaced by U+FFFD.
    pub lossy: bool,
    /// Bytes the record took in its (decompressed) input stream.
    pub bytes: u64,
}

/// Records of the input that are not pages and were passed over (counted, not errors).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PassedOver {
    /// WARC `warcinfo` records.
    pub warcinfo: u64,
    /// WARC `response`/`resource` records whose payload is not HTML (or not a 2xx answer, or
    /// in a content encoding that cannot be undone).
    pub non_html: u64,
    /// Other WARC records: `request`, `metadata`, `revisit`, ...
    pub other: u64,
}

impl PassedOver {
    /// All records passed over.
    pub fn total(&self) -> u64 {
        self.warcinfo + self.non_html + self.other
    }
}

/// Shared counters behind [`PassedOver`], updated by the reading threads.
#[derive(Debug, Default)]
pub(crate) struct PassedCounters([AtomicU64; 3]);

impl PassedCounters {
    pub(crate) fn warcinfo(&self) {
        self.0[0].fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn non_html(&self) {
        self.0[1].fetch_add(1, Ordering::Relaxed);
    }
    pub(crate) fn other(&self) {
        self.0[2].fetch_add(1, Ordering::Relaxed);
    }
    fn snapshot(&self) -> PassedOver {
        PassedOver {
            warcinfo: self.0[0].load(Ordering::Relaxed),
            non_html: self.0[1].load(Ordering::Relaxed),
            other: self.0[2].load(Ordering::Relaxed),
        }
    }
}

/// Sniffs the format of a decompressed stream from its first bytes.
fn sniff(head: &[u8]) -> Format {
    // A byte order mark says UTF-8, not which format.
    let head = head.strip_prefix(jsonl::BOM).unwrap_or(head);
    let t = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(&head[..0], |i| &head[i..]);
    if head.starts_with(self::parquet::MAGIC) {
        Format::Parquet
    } else if t.starts_with(b"{") {
        Format::Jsonl
    } else if t.starts_with(b"WARC/") {
        // WET files hold `conversion` records; WARC files `response` ones. The WARC reader
        // handles both, so the distinction only matters for output.
        if head.windows(21).any(|w| w == b"WARC-Type: conversion") {
            Format::Wet
        } else {
            Format::Warc
        }
    } else {
        Format::Text
    }
}

/// Why the first bytes of a stream cannot be text: NUL bytes, or mostly control bytes.
fn binary_reason(head: &[u8]) -> Option<String> {
    let head = &head[..head.len().min(4096)];
    if let Some(i) = memchr::memchr(0, head) {
        return Some(format!("binary data: a NUL byte at offset {i}"));
    }
    let ctrl = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    if ctrl * 10 > head.len() {
        return Some(format!(
            "binary data: {ctrl} control bytes in the first {}",
            head.len()
        ));
    }
    None
}

/// Reads the records of every input, file after file, in order.
///
/// Up to [`InputConfig::parallel_files`] files are opened, decompressed and parsed at once,
/// each on its own thread, which hands its records over in chunks through a small bounded
/// channel; the reader drains the files strictly in input order, so the order of records
/// (and so of the output) does not depend on the number of threads. Memory: at most two
/// chunks (about 1 MiB of text each) per file in flight.
pub struct Reader {
    cfg: InputConfig,
    files: std::vec::IntoIter<(PathBuf, PathBuf)>,
    window: usize,
    open: std::collections::VecDeque<crossbeam_channel::Receiver<Chunk>>,
    chunk: std::vec::IntoIter<Result<Record>>,
    passed: Arc<PassedCounters>,
    /// Read on the caller's thread instead of one thread per open file.
    inline: bool,
    /// The file being read inline.
    current: Option<Box<dyn RecordStream>>,
    /// What records carry for the writer ([`Reader::set_payload`]).
    payload: PayloadKind,
    /// HTML pages converted before ([`Reader::set_converted`]).
    converted: Option<Arc<dyn ConvertedPages>>,
}

/// A stream of records from one file.
pub trait RecordStream: Send {
    /// The next record, or the error that stands for it; `None` at the end of the stream.
    fn next_record(&mut self) -> Option<Result<Record>>;

    /// The next records, about `max_bytes` of them. Streams whose records are cheap to split
    /// but dear to parse (JSONL) override this to hand out raw lines that workers parse.
    fn next_chunk(&mut self, max_bytes: usize) -> Option<Chunk> {
        let recs = gather(max_bytes, || self.next_record(), |r| r.text.len());
        (!recs.is_empty()).then_some(Chunk::Records(recs))
    }
}

/// Items from `next` until they weigh about `max_bytes` (`weight` of each, plus 64 bytes, as
/// an error does) or `next` runs out.
pub(super) fn gather<T>(
    max_bytes: usize,
    mut next: impl FnMut() -> Option<Result<T>>,
    weight: impl Fn(&T) -> usize,
) -> Vec<Result<T>> {
    let mut items = Vec::new();
    let mut bytes = 0usize;
    while bytes < max_bytes {
        let Some(item) = next() else { break };
        bytes += item.as_ref().map_or(0, &weight) + 64;
        items.push(item);
    }
    items
}

impl Reader {
    /// A reader of the files under `inputs` (files, directories walked in sorted order, `-`
    /// for stdin); an error when they name no file.
    pub fn new(cfg: InputConfig, inputs: &[PathBuf]) -> Result<Reader> {
        let files = expand_inputs(inputs)?;
        if files.is_empty() {
            return Err(Error::Config(
                "no input files found; name JSONL/WET/WARC files, text directories, or - for stdin"
                    .into(),
            ));
        }
        let window = match cfg.parallel_files {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get().min(8)),
            n => n,
        };
        Ok(Reader {
            cfg,
            files: files.into_iter(),
            window,
            open: Default::default(),
            chunk: Vec::new().into_iter(),
            passed: Default::default(),
            inline: false,
            current: None,
            payload: PayloadKind::Full,
            converted: None,
        })
    }

    /// HTML pages converted before: WARC records found there are not parsed again.
    pub(crate) fn set_converted(&mut self, converted: Option<Arc<dyn ConvertedPages>>) {
        self.converted = converted;
    }

    /// What records carry for the writer ([`PayloadKind::Full`] by default).
    pub fn set_payload(&mut self, payload: PayloadKind) {
        self.payload = payload;
    }

    /// Reads the files one after another on the calling thread (for single-threaded jobs)
    /// instead of on threads of their own.
    pub fn set_inline(&mut self, inline: bool) {
        self.inline = inline;
    }

    /// Records passed over so far (warcinfo, non-HTML payloads, ...); final once the reader
    /// is exhausted.
    pub fn passed_over(&self) -> PassedOver {
        self.passed.snapshot()
    }

    /// A handle on the passed-over counts that stays valid after the reader is moved.
    pub fn passed_over_handle(&self) -> impl Fn() -> PassedOver + Send + 'static {
        let p = self.passed.clone();
        move || p.snapshot()
    }

    /// The next chunk of records (about 1 MiB of them), from one file, in input order. An
    /// error opening a file comes as a one-record chunk.
    pub fn next_chunk(&mut self) -> Option<Chunk> {
        if self.inline {
            return self.next_chunk_inline();
        }
        loop {
            self.fill_window();
            let rx = self.open.front()?;
            match rx.recv() {
                Ok(chunk) => return Some(chunk),
                // That file is done (its thread dropped the sender).
                Err(_) => {
                    self.open.pop_front();
                }
            }
        }
    }

    /// [`Reader::next_chunk`], reading on this thread.
    fn next_chunk_inline(&mut self) -> Option<Chunk> {
        loop {
            if let Some(stream) = self.current.as_mut() {
                match stream.next_chunk(CHUNK_BYTES) {
                    Some(chunk) => return Some(chunk),
                    None => self.current = None,
                }
            }
            let (path, root) = self.files.next()?;
            let (passed, conv) = (self.passed.clone(), self.converted.clone());
            match open_stream(&self.cfg, path, root, passed, self.payload, conv) {
                Ok(s) => self.current = Some(s),
                Err(e) => return Some(Chunk::Records(vec![Err(e)])),
            }
        }
    }

    /// Starts reading files until `window` are open.
    fn fill_window(&mut self) {
        while self.open.len() < self.window {
            let Some((path, root)) = self.files.next() else {
                return;
            };
            let (tx, rx) = crossbeam_channel::bounded(2);
            let cfg = self.cfg.clone();
            let (passed, payload) = (self.passed.clone(), self.payload);
            let conv = self.converted.clone();
            std::thread::spawn(move || read_file(cfg, path, root, passed, payload, conv, tx));
            self.open.push_back(rx);
        }
    }
}

/// Bytes of records per chunk handed to the workers.
const CHUNK_BYTES: usize = 1 << 20;

/// Reads one file on its own thread and sends it in chunks (raw JSONL lines for the workers
/// to parse, or parsed records); stops early when the receiver is gone.
fn read_file(
    cfg: InputConfig,
    path: PathBuf,
    root: PathBuf,
    passed: Arc<PassedCounters>,
    payload: PayloadKind,
    converted: Option<Arc<dyn ConvertedPages>>,
    tx: crossbeam_channel::Sender<Chunk>,
) {
    let mut stream = match open_stream(&cfg, path, root, passed, payload, converted) {
        Ok(s) => s,
        Err(e) => {
            let _ = tx.send(Chunk::Records(vec![Err(e)]));
            return;
        }
    };
    while let Some(chunk) = stream.next_chunk(CHUNK_BYTES) {
        if tx.send(chunk).is_err() {
            return;
        }
    }
}

/// The record stream of one input file; `payload`: see [`Reader::set_payload`];
/// `converted`: see [`Reader::set_converted`].
fn open_stream(
    cfg: &InputConfig,
    path: PathBuf,
    root: PathBuf,
    passed: Arc<PassedCounters>,
    payload: PayloadKind,
    converted: Option<Arc<dyn ConvertedPages>>,
) -> Result<Box<dyn RecordStream>> {
    let r = open_decompressed(&path)?;
    stream_from(cfg, path, root, r, passed, payload, converted)
}

/// Reads records from an already decompressed stream named `path` (used in messages), with
/// the format sniffed unless `cfg` names one. For callers (and fuzzers) that have the bytes.
pub fn records_from(
    cfg: &InputConfig,
    path: &Path,
    r: Box<dyn BufRead + Send>,
) -> Result<Box<dyn RecordStream>> {
    let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
    stream_from(
        cfg,
        path.to_path_buf(),
        root,
        r,
        Default::default(),
        PayloadKind::Full,
        None,
    )
}

/// The record stream of a decompressed stream, in the format `cfg` names or its first bytes
/// tell; an empty stream, or binary data where the format is sniffed, is an error.
fn stream_from(
    cfg: &InputConfig,
    path: PathBuf,
    root: PathBuf,
    mut r: Box<dyn BufRead + Send>,
    passed: Arc<PassedCounters>,
    payload: PayloadKind,
    converted: Option<Arc<dyn ConvertedPages>>,
) -> Result<Box<dyn RecordStream>> {
    let head = r.fill_buf().map_err(|e| stream_error(&path, 0, e))?;
    if head.is_empty() {
        return Err(Error::EmptyInput { path });
    }
    let fmt = match cfg.format {
        Format::Auto => sniff(head),
        f => f,
    };
    if cfg.format == Format::Auto && fmt != Format::Parquet {
        if let Some(detail) = binary_reason(head) {
            return Err(Error::NotText { path, detail });
        }
    }
    match fmt {
        Format::Jsonl => Ok(Box::new(JsonlStream::new(cfg.clone(), path, r))),
        Format::Text => Ok(Box::new(TextFileStream::new(cfg.clone(), path, root, r))),
        Format::Wet | Format::Warc => {
            let mut s = WarcStream::new(cfg.clone(), path, r, passed);
            s.converted = converted;
            Ok(Box::new(s))
        }
        Format::Parquet => Ok(Box::new(ParquetStream::open(
            cfg.clone(),
            path,
            r,
            payload,
        )?)),
        Format::Auto => unreachable!("sniff never answers Auto"),
    }
}

impl Iterator for Reader {
    type Item = Result<Record>;
    fn next(&mut self) -> Option<Result<Record>> {
        loop {
            if let Some(r) = self.chunk.next() {
                return Some(r);
            }
            self.chunk = self.next_chunk()?.into_records(true).into_iter();
        }
    }
}

/// A run of records read from one input, handed from the reading thread to the workers.
pub enum Chunk {
    /// Records parsed by the reading thread (text files, Parquet).
    Records(Vec<Result<Record>>),
    /// Raw JSONL lines, parsed by the workers in parallel with [`JsonLines::parse`].
    JsonLines(JsonLines),
    /// WARC/WET pages, whose HTML the workers convert ([`WarcPage::into_record`]).
    Warc(Vec<Result<WarcPage>>),
}

impl Chunk {
    /// The chunk's records in order, parsing JSONL lines on this thread; a stream error after
    /// the lines comes last.
    pub fn into_records(self, keep_raw: bool) -> Vec<Result<Record>> {
        match self {
            Chunk::Records(r) => r,
            Chunk::Warc(p) => p
                .into_iter()
                .map(|p| p.and_then(WarcPage::into_record))
                .collect(),
            Chunk::JsonLines(mut j) => {
                let mut out: Vec<Result<Record>> =
                    (0..j.len()).map(|i| j.parse(i, keep_raw)).collect();
                if let Some(e) = j.error.take() {
                    out.push(Err(e));
                }
                out
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;
    use std::io::Write;

    fn read_all(cfg: InputConfig, paths: &[PathBuf]) -> Vec<Result<Record>> {
        Reader::new(cfg, paths).unwrap().collect()
    }

    #[test]
    fn jsonl_fields_and_sites() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        std::fs::write(
            &p,
            "{\"id\":\"x\",\"url\":\"https://news.bbc.co.uk/a\",\"text\":\"hi\\nthere\",\"extra\":1}\n\n\
             {\"id\":2,\"site\":\"s1\",\"text\":\"t\"}\n",
        )
        .unwrap();
        let recs: Vec<_> = read_all(InputConfig::default(), &[p])
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].id, "x");
        assert_eq!(recs[0].site, "bbc.co.uk");
        assert_eq!(recs[0].text, "hi\nthere");
        assert_eq!(recs[1].id, "2");
        assert_eq!(recs[1].site, "s1");
        assert_eq!(recs[1].loc.record, 3);
    }

    #[test]
    fn jsonl_bad_records_are_reported_and_reading_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        std::fs::write(
            &p,
            "{\"id\":1,\"text\":\"a\"}\n{oops\n{\"id\":3}\n{\"id\":4,\"text\":\"d\"}\n",
        )
        .unwrap();
        let recs = read_all(InputConfig::default(), &[p]);
        assert_eq!(recs.len(), 4);
        let e = recs[1].as_ref().unwrap_err().to_string();
        assert!(e.contains("record 2") && e.contains("invalid JSON"), "{e}");
        let e = recs[2].as_ref().unwrap_err().to_string();
        assert!(e.contains("record 3") && e.contains("no text field"), "{e}");
        assert_eq!(recs[3].as_ref().unwrap().id, "4");
    }

    #[test]
    fn gzip_and_zstd_are_read_transparently() {
        let dir = tempfile::tempdir().unwrap();
        let body = b"{\"id\":\"a\",\"site\":\"s\",\"text\":\"one\"}\n";
        let gz = dir.path().join("x.jsonl.gz");
        let mut enc = flate2::write::GzEncoder::new(File::create(&gz).unwrap(), Default::default());
        enc.write_all(body).unwrap();
        enc.finish().unwrap();
        let zs = dir.path().join("y.jsonl.zst");
        std::fs::write(&zs, zstd::encode_all(&body[..], 3).unwrap()).unwrap();
        for p in [gz, zs] {
            let recs = read_all(InputConfig::default(), &[p]);
            assert_eq!(recs[0].as_ref().unwrap().text, "one");
        }
    }

    #[test]
    fn text_directory_site_is_the_subdirectory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("site-a")).unwrap();
        std::fs::write(dir.path().join("site-a/p1.txt"), "x\ny").unwrap();
        std::fs::write(dir.path().join("site-a/p2.txt"), "z").unwrap();
        let recs: Vec<_> = read_all(InputConfig::default(), &[dir.path().to_path_buf()])
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].site, "site-a");
        assert_eq!(recs[0].id, "site-a/p1.txt");
    }

    #[test]
    fn empty_file_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("empty.jsonl");
        std::fs::write(&p, "").unwrap();
        let recs = read_all(InputConfig::default(), &[p]);
        assert!(matches!(recs[0], Err(Error::EmptyInput { .. })));
    }

    #[test]
    fn invalid_utf8_is_lossy_or_refused_under_strict() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.jsonl");
        std::fs::write(&p, b"{\"id\":\"a\",\"text\":\"caf\xe9\"}\n").unwrap();
        let recs = read_all(InputConfig::default(), std::slice::from_ref(&p));
        let r = recs[0].as_ref().unwrap();
        assert!(r.lossy && r.text.contains('\u{fffd}'));
        let cfg = InputConfig {
            strict_utf8: true,
            ..Default::default()
        };
        let recs = read_all(cfg, &[p]);
        assert!(matches!(recs[0], Err(Error::InvalidUtf8 { .. })));
    }
}
