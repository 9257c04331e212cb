//! Reading crawls: JSONL, directories of text files and stdin, plain, gzip or zstd.
//!
//! Every reader yields [`Record`]s in input order. A record that cannot be read (invalid JSON,
//! no text field, invalid UTF-8 under `--strict`) is yielded as an `Err` naming the file, the
//! record number and its byte offset, and reading goes on with the next record, so the caller
//! decides whether to count-and-skip or stop. Damage to the stream itself (a truncated gzip
//! member) ends that file with an error after the records before it.
//!
//! Memory: one record at a time, plus one decompression window and a line buffer that grows
//! to the longest line seen.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use std::borrow::Cow;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::error::{Error, Location, Result};
use crate::input_json::{scan_fields, FieldNames, RawFields};
use crate::site::{site_from_url, SiteKey};

/// Input formats. `Auto` sniffs the (decompressed) content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Auto,
    Jsonl,
    Text,
    Wet,
    Warc,
}

/// How records are turned into pages; the validated form of the CLI's input flags.
#[derive(Debug, Clone)]
pub struct InputConfig {
    pub format: Format,
    pub id_field: String,
    pub text_field: String,
    pub url_field: String,
    pub site_field: String,
    pub site_key: SiteKey,
    /// Refuse text that is not valid UTF-8 instead of decoding it lossily.
    pub strict_utf8: bool,
    /// A record (JSONL line, WARC record, text file) longer than this is reported and skipped
    /// without being held in memory.
    pub max_record_bytes: u64,
    /// Input files read at once, each on its own thread (records still come out in input
    /// order); 0 picks one per core, at most 8.
    pub parallel_files: usize,
}

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            format: Format::Auto,
            id_field: "id".into(),
            text_field: "text".into(),
            url_field: "url".into(),
            site_field: "site".into(),
            site_key: SiteKey::Domain,
            strict_utf8: false,
            max_record_bytes: 64 << 20,
            parallel_files: 0,
        }
    }
}

/// What the writer needs to give a record back in its own format.
#[derive(Debug, Clone)]
pub enum Payload {
    /// A JSON object with every input field, the text field left as an empty string to be
    /// filled with the cleaned text.
    Json(Map<String, Value>),
    /// A text file, with its path relative to the input root.
    Text { rel: PathBuf },
    /// A WARC/WET record: its header lines, in order, as read.
    Warc { headers: Vec<(String, String)> },
    /// A JSONL line as read (without its line terminator), except that the text field's
    /// JSON string value is `""` (the text is in [`Record::text`]); `text_span` is the byte
    /// range of that value, which the writer replaces by the cleaned text so that every other
    /// field goes out byte for byte as it came in.
    JsonLine {
        line: String,
        text_span: std::ops::Range<usize>,
    },
    /// Nothing kept (a record read only to learn from).
    None,
}

/// One page of a crawl.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: String,
    /// The site key (see [`crate::site`]); empty when nothing names a site.
    pub site: String,
    pub url: Option<String>,
    pub text: String,
    pub payload: Payload,
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

/// Maps an error of the decompressor (or a read) to [`Error::Truncated`] when it is damage to
/// the stream, else to [`Error::Io`].
pub(crate) fn stream_error(path: &Path, offset: u64, e: io::Error) -> Error {
    match e.kind() {
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
            Error::Truncated {
                path: path.to_path_buf(),
                offset,
                detail: e.to_string(),
            }
        }
        _ => Error::io(path, e),
    }
}

/// Opens a file (or stdin for `-`) and undoes gzip or zstd compression, detected from the
/// magic bytes rather than the file name.
///
/// A regular file is memory-mapped: its bytes are read where the page cache holds them, with
/// no `read` call copying them first. (As with ripgrep, a file truncated by another process
/// while it is read ends the job with a bus error.)
pub fn open_decompressed(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    let raw: Box<dyn Read + Send> = if path == Path::new("-") {
        Box::new(io::stdin())
    } else {
        let f = File::open(path).map_err(|e| Error::io(path, e))?;
        match map_file(&f) {
            Some(map) => return decompressed(path, MappedReader::new(map)),
            None => Box::new(f),
        }
    };
    decompressed(path, BufReader::with_capacity(1 << 20, raw))
}

/// A read-only map of a non-empty regular file, advised for sequential reading; `None` where
/// the file cannot be mapped (then it is read).
fn map_file(f: &File) -> Option<memmap2::Mmap> {
    let meta = f.metadata().ok()?;
    if !meta.is_file() || meta.len() == 0 {
        return None;
    }
    // SAFETY: the map is read-only and private to this reader; see open_decompressed for a
    // file changed underneath.
    let map = unsafe { memmap2::Mmap::map(f) }.ok()?;
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Sequential);
    Some(map)
}

/// Reads a memory-mapped file in order, handing back the pages it has read past so that
/// resident memory stays bounded however large the file (the page cache keeps them).
///
/// Memory: at most [`MappedReader::RELEASE`] bytes of read pages stay mapped in.
struct MappedReader {
    map: memmap2::Mmap,
    pos: usize,
    /// Bytes before this offset were handed back.
    released: usize,
    /// Bytes read past before they are handed back.
    release: usize,
}

impl MappedReader {
    const RELEASE: usize = 16 << 20;

    fn new(map: memmap2::Mmap) -> MappedReader {
        MappedReader::with_release(map, Self::RELEASE)
    }

    fn with_release(map: memmap2::Mmap, release: usize) -> MappedReader {
        MappedReader {
            map,
            pos: 0,
            released: 0,
            release,
        }
    }
}

impl Read for MappedReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.fill_buf()?.len().min(buf.len());
        buf[..n].copy_from_slice(&self.map[self.pos..self.pos + n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for MappedReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        Ok(&self.map[self.pos..])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.map.len());
        if self.pos - self.released >= self.release {
            // Whole pages only, all of them read past: no slice handed out still borrows
            // them (`consume` takes `&mut self`).
            let end = self.pos & !(4095);
            #[cfg(unix)]
            // SAFETY: the map is read-only and file-backed, so pages dropped from it are read
            // again from the file if touched; none before `end` will be.
            unsafe {
                let _ = self.map.unchecked_advise_range(
                    memmap2::UncheckedAdvice::DontNeed,
                    self.released,
                    end - self.released,
                );
            }
            self.released = end;
        }
    }
}

/// `br` with gzip or zstd undone, told by its first bytes.
fn decompressed<R: BufRead + Send + 'static>(
    path: &Path,
    mut br: R,
) -> Result<Box<dyn BufRead + Send>> {
    let head = br.fill_buf().map_err(|e| Error::io(path, e))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        // MultiGzDecoder: Common Crawl writes one gzip member per record.
        let dec = flate2::bufread::MultiGzDecoder::new(br);
        Ok(Box::new(BufReader::with_capacity(1 << 20, dec)))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        let dec = zstd::stream::read::Decoder::with_buffer(br).map_err(|e| Error::io(path, e))?;
        Ok(Box::new(BufReader::with_capacity(1 << 20, dec)))
    } else {
        Ok(Box::new(br))
    }
}

/// Sniffs the format of a decompressed stream from its first bytes.
pub fn sniff(head: &[u8]) -> Format {
    let t = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(&head[..0], |i| &head[i..]);
    if t.starts_with(b"{") {
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

/// Lists the input files under the given paths: files as given, directories walked in sorted
/// order for regular files. `-` stands for stdin.
pub fn expand_inputs(paths: &[PathBuf]) -> Result<Vec<(PathBuf, PathBuf)>> {
    let mut out = Vec::new();
    for p in paths {
        if p == Path::new("-") {
            out.push((p.clone(), PathBuf::from("-")));
            continue;
        }
        let md = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
        if md.is_dir() {
            let mut files = Vec::new();
            walk(p, &mut files)?;
            files.sort();
            for f in files {
                out.push((f, p.clone()));
            }
        } else {
            let root = p.parent().map(Path::to_path_buf).unwrap_or_default();
            out.push((p.clone(), root));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let ft = entry.file_type().map_err(|e| Error::io(&path, e))?;
        if ft.is_dir() {
            walk(&path, out)?;
        } else if ft.is_file()
            && !path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        {
            out.push(path);
        }
    }
    Ok(())
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
}

/// A stream of records from one file.
pub trait RecordStream: Send {
    fn next_record(&mut self) -> Option<Result<Record>>;

    /// The next records, about `max_bytes` of them. Streams whose records are cheap to split
    /// but dear to parse (JSONL) override this to hand out raw lines that workers parse.
    fn next_chunk(&mut self, max_bytes: usize) -> Option<Chunk> {
        let mut recs = Vec::new();
        let mut bytes = 0usize;
        while bytes < max_bytes {
            match self.next_record() {
                Some(r) => {
                    bytes += r.as_ref().map_or(64, |r| r.text.len() + 64);
                    recs.push(r);
                }
                None => break,
            }
        }
        if recs.is_empty() {
            None
        } else {
            Some(Chunk::Records(recs))
        }
    }
}

impl Reader {
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
        })
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

    /// Starts reading files until `window` are open.
    fn fill_window(&mut self) {
        while self.open.len() < self.window {
            let Some((path, root)) = self.files.next() else {
                return;
            };
            let (tx, rx) = crossbeam_channel::bounded(2);
            let cfg = self.cfg.clone();
            let passed = self.passed.clone();
            std::thread::spawn(move || read_file(cfg, path, root, passed, tx));
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
    tx: crossbeam_channel::Sender<Chunk>,
) {
    let mut stream = match open_stream(&cfg, path, root, passed) {
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

fn open_stream(
    cfg: &InputConfig,
    path: PathBuf,
    root: PathBuf,
    passed: Arc<PassedCounters>,
) -> Result<Box<dyn RecordStream>> {
    let r = open_decompressed(&path)?;
    stream_from(cfg, path, root, r, passed)
}

/// Reads records from an already decompressed stream named `path` (used in messages), with
/// the format sniffed unless `cfg` names one. For callers (and fuzzers) that have the bytes.
pub fn records_from(
    cfg: &InputConfig,
    path: &Path,
    r: Box<dyn BufRead + Send>,
) -> Result<Box<dyn RecordStream>> {
    let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
    stream_from(cfg, path.to_path_buf(), root, r, Default::default())
}

fn stream_from(
    cfg: &InputConfig,
    path: PathBuf,
    root: PathBuf,
    mut r: Box<dyn BufRead + Send>,
    passed: Arc<PassedCounters>,
) -> Result<Box<dyn RecordStream>> {
    let head = r.fill_buf().map_err(|e| stream_error(&path, 0, e))?;
    if head.is_empty() {
        return Err(Error::EmptyInput { path });
    }
    let fmt = match cfg.format {
        Format::Auto => sniff(head),
        f => f,
    };
    if cfg.format == Format::Auto {
        if let Some(detail) = binary_reason(head) {
            return Err(Error::NotText { path, detail });
        }
    }
    match fmt {
        Format::Jsonl => Ok(Box::new(JsonlStream::new(cfg.clone(), path, r))),
        Format::Text => Ok(Box::new(TextFileStream::new(cfg.clone(), path, root, r))),
        Format::Wet | Format::Warc => Ok(Box::new(crate::input_warc::WarcStream::new(
            cfg.clone(),
            path,
            r,
            passed,
        ))),
        Format::Auto => unreachable!("sniff never answers Auto"),
    }
}

impl Reader {
    /// The next chunk of about `max_bytes` of records, from one file. Errors opening a file
    /// come as a one-record chunk.
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
}

impl Reader {
    fn next_chunk_inline(&mut self) -> Option<Chunk> {
        loop {
            if let Some(stream) = self.current.as_mut() {
                match stream.next_chunk(CHUNK_BYTES) {
                    Some(chunk) => return Some(chunk),
                    None => self.current = None,
                }
            }
            let (path, root) = self.files.next()?;
            match open_stream(&self.cfg, path, root, self.passed.clone()) {
                Ok(s) => self.current = Some(s),
                Err(e) => return Some(Chunk::Records(vec![Err(e)])),
            }
        }
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

/// Reads one line (up to and including `\n`) into `buf`, keeping at most `limit` bytes of it;
/// returns the bytes the line took in the stream (0 at the end) and whether it was longer
/// than `limit` (then `buf` holds only its start and the rest was read past, not kept).
/// A decompression error becomes [`Error::Truncated`].
pub(crate) fn read_line(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    path: &Path,
    offset: u64,
    limit: u64,
) -> Result<(u64, bool)> {
    buf.clear();
    append_line(r, buf, path, offset, limit)
}

/// [`read_line`], appending to `buf` instead of replacing it; on a line over `limit`, `buf`
/// keeps only the line's first `limit` bytes after what it held before.
pub(crate) fn append_line(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    path: &Path,
    offset: u64,
    limit: u64,
) -> Result<(u64, bool)> {
    let at = buf.len();
    let mut total = 0u64;
    let mut over = false;
    loop {
        let avail = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(stream_error(path, offset + total, e)),
        };
        if avail.is_empty() {
            return Ok((total, over));
        }
        let (n, done) = match memchr::memchr(b'\n', avail) {
            Some(i) => (i + 1, true),
            None => (avail.len(), false),
        };
        if !over {
            let room = limit.saturating_sub((buf.len() - at) as u64) as usize;
            if n <= room {
                buf.extend_from_slice(&avail[..n]);
            } else {
                buf.extend_from_slice(&avail[..room]);
                over = true;
            }
        }
        r.consume(n);
        total += n as u64;
        if done {
            return Ok((total, over));
        }
    }
}

/// Decodes bytes as UTF-8, lossily unless `strict`. Returns the text and whether it was lossy.
pub(crate) fn decode_utf8(bytes: Vec<u8>, strict: bool, loc: &Location) -> Result<(String, bool)> {
    match String::from_utf8(bytes) {
        Ok(s) => Ok((s, false)),
        Err(e) => {
            if strict {
                Err(Error::InvalidUtf8 {
                    loc: loc.clone(),
                    bad_byte: e.utf8_error().valid_up_to() as u64,
                })
            } else {
                Ok((String::from_utf8_lossy(e.as_bytes()).into_owned(), true))
            }
        }
    }
}

/// Resolves the site key of a page: the site field if it has one, else the URL's registrable
/// domain (or host), else the fallback (a text file's directory).
pub(crate) fn resolve_site(
    field: Option<&str>,
    url: Option<&str>,
    fallback: Option<&str>,
    key: SiteKey,
) -> String {
    if let Some(s) = field.filter(|s| !s.is_empty()) {
        return s.replace('\0', " ");
    }
    if let Some(s) = url.and_then(|u| site_from_url(u, key)) {
        return s;
    }
    fallback.unwrap_or("").replace('\0', " ")
}

struct JsonlStream {
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
    fn new(cfg: InputConfig, path: PathBuf, r: Box<dyn BufRead + Send>) -> JsonlStream {
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

impl RecordStream for JsonlStream {
    fn next_record(&mut self) -> Option<Result<Record>> {
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

/// A run of records read from one input, handed from the reading thread to the workers.
pub enum Chunk {
    /// Records parsed by the reading thread (text files, WARC/WET).
    Records(Vec<Result<Record>>),
    /// Raw JSONL lines, parsed by the workers in parallel with [`JsonLines::parse`].
    JsonLines(JsonLines),
}

impl Chunk {
    /// The chunk's records in order, parsing JSONL lines on this thread; a stream error after
    /// the lines comes last.
    pub fn into_records(self, keep_raw: bool) -> Vec<Result<Record>> {
        match self {
            Chunk::Records(r) => r,
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
pub(crate) fn parse_json_line(
    cfg: &InputConfig,
    line: &[u8],
    loc: Location,
    keep_raw: bool,
) -> Result<Record> {
    let bytes = line.len() as u64;
    let mut end = line.len();
    while end > 0 && line[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    let line = &line[..end];
    // simdutf8 checks valid lines several times faster than std; std says where a bad one
    // goes wrong.
    let checked = simdutf8::basic::from_utf8(line).map_err(|_| std::str::from_utf8(line));
    let (line, lossy): (Cow<str>, bool) = match checked {
        Ok(s) | Err(Ok(s)) => (Cow::Borrowed(s), false),
        Err(Err(e)) => {
            if cfg.strict_utf8 {
                return Err(Error::InvalidUtf8 {
                    loc,
                    bad_byte: e.valid_up_to() as u64,
                });
            }
            (String::from_utf8_lossy(line), true)
        }
    };
    let line: &str = &line;
    let names = FieldNames {
        text: &cfg.text_field,
        id: &cfg.id_field,
        url: &cfg.url_field,
        site: &cfg.site_field,
    };
    // The fast scanner reads plain records; serde_json reads the rest and words the errors.
    let fields = match scan_fields(line, &names) {
        Some(f) => f,
        None => {
            let mut de = serde_json::Deserializer::from_str(line);
            let parsed = FieldsSeed(cfg)
                .deserialize(&mut de)
                .and_then(|f| de.end().map(|()| f));
            match parsed {
                Ok(f) => f,
                Err(e) => {
                    let msg = if !line.trim_start().starts_with('{') {
                        "a JSONL record must be a JSON object".to_string()
                    } else {
                        format!("invalid JSON at column {}: {e}", e.column())
                    };
                    return Err(Error::BadRecord { loc, msg });
                }
            }
        }
    };
    let Some(text_raw) = fields.text else {
        return Err(Error::MissingField {
            loc,
            field: cfg.text_field.clone(),
        });
    };
    let Some(text) = raw_str(text_raw) else {
        return Err(Error::BadRecord {
            loc,
            msg: format!("field {:?} is not a string", cfg.text_field),
        });
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
        let base = line.as_ptr() as usize;
        let s = text_raw.as_ptr() as usize - base;
        let e = s + text_raw.len();
        // The text itself is not kept twice: an empty string stands in for it.
        let mut kept = String::with_capacity(line.len() - (e - s) + 2);
        kept.push_str(&line[..s]);
        kept.push_str("\"\"");
        kept.push_str(&line[e..]);
        Payload::JsonLine {
            text_span: s..s + 2,
            line: kept,
        }
    } else {
        Payload::None
    };
    Ok(Record {
        id,
        site,
        url,
        text,
        payload,
        bytes,
        loc,
        lossy,
    })
}

/// A text file is one page; its site is its directory relative to the input root.
struct TextFileStream {
    cfg: InputConfig,
    path: PathBuf,
    root: PathBuf,
    r: Option<Box<dyn BufRead + Send>>,
}

impl TextFileStream {
    fn new(
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
        let (text, lossy) = match decode_utf8(bytes, self.cfg.strict_utf8, &loc) {
            Ok(t) => t,
            Err(e) => return Some(Err(e)),
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
            payload: Payload::Text { rel },
            loc,
            lossy,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn read_all(cfg: InputConfig, paths: &[PathBuf]) -> Vec<Result<Record>> {
        Reader::new(cfg, paths).unwrap().collect()
    }

    #[test]
    fn a_mapped_file_reads_whole_while_read_pages_are_handed_back() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.txt");
        let text: String = (0..20_000)
            .map(|i| format!("line {i} of the file\n"))
            .collect();
        std::fs::write(&p, &text).unwrap();
        let map = map_file(&File::open(&p).unwrap()).expect("a regular file maps");
        let mut r = MappedReader::with_release(map, 8192);
        let mut lines = Vec::new();
        let mut line = String::new();
        while r.read_line(&mut line).unwrap() > 0 {
            lines.push(std::mem::take(&mut line));
        }
        assert_eq!(lines.concat(), text);
        assert!(
            r.released > text.len() - 8192 - 4096,
            "released up to {}",
            r.released
        );
        let mut rest = Vec::new();
        assert_eq!(r.read_to_end(&mut rest).unwrap(), 0);
    }

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
        assert!(e.contains("record 3") && e.contains("--text-field"), "{e}");
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
