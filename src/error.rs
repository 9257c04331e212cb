//! The one error type of the library.
//!
//! Every variant carries the context a user needs to find the problem (the file, the record
//! number, the byte offset) and its `Display` says how to fix it, in the manner of fst's
//! `raw::Error`. The binary prints an error once, through `anyhow`, and never re-wraps it.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Where in the input a record came from: file, 1-based record number, byte offset of the
/// record's first byte in the (decompressed) stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub record: u64,
    pub offset: u64,
}

impl Location {
    pub fn new(file: &Path, record: u64, offset: u64) -> Location {
        Location {
            file: file.to_path_buf(),
            record,
            offset,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: record {} (byte {})",
            self.file.display(),
            self.record,
            self.offset
        )
    }
}

/// All the ways a library operation can fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("{loc}: {msg}; fix the record or rerun with --on-error skip to count and skip it")]
    BadRecord { loc: Location, msg: String },

    #[error("{loc}: record has no text field {field:?}; name the right one with --text-field")]
    MissingField { loc: Location, field: String },

    #[error(
        "{loc}: text is not valid UTF-8 (first bad byte at offset {bad_byte} of the record); \
         it was refused because of --strict, drop --strict to decode it lossily"
    )]
    InvalidUtf8 { loc: Location, bad_byte: u64 },

    #[error("{path}: the file is empty; check the path, or drop it from the inputs")]
    EmptyInput { path: PathBuf },

    #[error(
        "{loc}: record is {size} bytes or more, over the limit of {limit} bytes; raise \
         --max-record-mb if it is a real page, or fix the input (a missing newline?)"
    )]
    RecordTooLarge {
        loc: Location,
        size: u64,
        limit: u64,
    },

    #[error(
        "{path}: not JSONL, WARC or text ({detail}); check the file, or name its format with \
         --format"
    )]
    NotText { path: PathBuf, detail: String },

    #[error(
        "{path}: stream is damaged after byte {offset} of decompressed data ({detail}); the \
         records before it were read, the rest of the file is lost; re-fetch or repair the file"
    )]
    Truncated {
        path: PathBuf,
        offset: u64,
        detail: String,
    },

    #[error(
        "{path}: not a dechrome model (bad magic bytes); pass a file written by `dechrome learn`"
    )]
    ModelMagic { path: PathBuf },

    #[error(
        "{path}: model format version {found}, this dechrome reads version {expected}; \
         rebuild it with `dechrome learn` from this version"
    )]
    ModelVersion {
        path: PathBuf,
        found: u32,
        expected: u32,
    },

    #[error(
        "{path}: model is damaged ({detail}); rebuild it with `dechrome learn`, or copy it again"
    )]
    ModelCorrupt { path: PathBuf, detail: String },

    #[error("{path}: {what}; {hint}")]
    ModelKind {
        path: PathBuf,
        what: String,
        hint: String,
    },

    #[error("fst error while {context}: {source}")]
    Fst {
        context: String,
        #[source]
        source: fst::Error,
    },

    #[error("invalid configuration: {0}")]
    Config(String),

    #[error("{path}: output exists; pass --force to overwrite it")]
    OutputExists { path: PathBuf },

    #[error("{0} record(s) were bad and --on-error fail is in force; the first: {1}")]
    Aborted(u64, Box<Error>),
}

impl Error {
    pub fn io(path: impl AsRef<Path>, source: io::Error) -> Error {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    pub fn fst(context: impl Into<String>, source: fst::Error) -> Error {
        Error::Fst {
            context: context.into(),
            source,
        }
    }

    /// True for errors about one record, or about the rest of one input file (an empty,
    /// binary or damaged file), which `--on-error skip` counts, reports and passes over.
    pub fn is_record_error(&self) -> bool {
        matches!(
            self,
            Error::BadRecord { .. }
                | Error::MissingField { .. }
                | Error::InvalidUtf8 { .. }
                | Error::RecordTooLarge { .. }
                | Error::EmptyInput { .. }
                | Error::NotText { .. }
                | Error::Truncated { .. }
        )
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
