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
    /// The input file (`-` for stdin).
    pub file: PathBuf,
    /// 1-based record number within the file.
    pub record: u64,
    /// Byte offset of the record's first byte in the decompressed stream.
    pub offset: u64,
}

impl Location {
    /// A location from its parts.
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
    /// A file that cannot be read or written.
    // The cause is part of the message, not a `source()`, so that a front end printing the
    // whole chain (anyhow's `{:#}`) says it once.
    #[error("{path}: {err}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        err: io::Error,
    },

    /// A record that cannot be parsed (invalid JSON, a damaged WARC header...).
    #[error("{loc}: {msg}")]
    BadRecord {
        /// Where the record is.
        loc: Location,
        /// What is wrong with it.
        msg: String,
    },

    /// A record without the field that holds its text.
    #[error("{loc}: record has no text field {field:?}")]
    MissingField {
        /// Where the record is.
        loc: Location,
        /// The field looked for.
        field: String,
    },

    /// Text that is not valid UTF-8, refused because strict decoding was asked for.
    #[error(
        "{loc}: text is not valid UTF-8 (first bad byte at offset {bad_byte} of the record); \
         it was refused because strict UTF-8 decoding is on"
    )]
    InvalidUtf8 {
        /// Where the record is.
        loc: Location,
        /// Offset of the first invalid byte within the record.
        bad_byte: u64,
    },

    /// A page of more lines than the limit; it is skipped before it is split into blocks.
    #[error(
        "{loc}: page has {lines} lines, over the limit of {limit}; if it is a real page raise \
         the limit, else fix the input"
    )]
    PageTooLong {
        /// Where the record is.
        loc: Location,
        /// Its lines.
        lines: u64,
        /// The limit in force.
        limit: u64,
    },

    /// An input file with nothing in it.
    #[error("{path}: the file is empty; check the path, or drop it from the inputs")]
    EmptyInput {
        /// The file.
        path: PathBuf,
    },

    /// A record over the size limit; it is skipped without being held in memory.
    #[error(
        "{loc}: record is {size} bytes or more, over the limit of {limit} bytes; if it is a \
         real page raise the limit, else fix the input (a missing newline?)"
    )]
    RecordTooLarge {
        /// Where the record is.
        loc: Location,
        /// Bytes read of it before giving up.
        size: u64,
        /// The limit in force.
        limit: u64,
    },

    /// A file whose format was not recognised (binary data, an unknown container).
    #[error("{path}: not JSONL, WARC or text ({detail}); check the file, or name its format")]
    NotText {
        /// The file.
        path: PathBuf,
        /// What was seen instead.
        detail: String,
    },

    /// A compressed stream or container that breaks off or is damaged.
    #[error(
        "{path}: stream is damaged after byte {offset} of decompressed data ({detail}); the \
         records before it were read, the rest of the file is lost; re-fetch or repair the file"
    )]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Decompressed bytes read before the damage.
        offset: u64,
        /// The decoder's words.
        detail: String,
    },

    /// A Parquet file, or a row group of one, that cannot be read: a damaged or cut footer
    /// (none of the file is read), a damaged page (the rest of its row group is lost).
    #[error("{path}: damaged Parquet: {detail}; re-fetch or repair the file")]
    ParquetDamaged {
        /// The file.
        path: PathBuf,
        /// What is damaged (the footer, a row group by number and rows), and what was read.
        detail: String,
    },

    /// A Parquet file without a text column of strings: none of its rows is read.
    #[error("{path}: {detail}")]
    ParquetColumn {
        /// The file.
        path: PathBuf,
        /// The column looked for and what was found.
        detail: String,
    },

    /// A file that is not a model.
    #[error(
        "{path}: not a dechrome model (bad magic bytes); pass a file written by `dechrome learn`"
    )]
    ModelMagic {
        /// The file.
        path: PathBuf,
    },

    /// A model of another format version.
    #[error(
        "{path}: model format version {found}, this dechrome reads version {expected}; \
         rebuild it with `dechrome learn` from this version"
    )]
    ModelVersion {
        /// The file.
        path: PathBuf,
        /// Its format version.
        found: u32,
        /// The version this build reads.
        expected: u32,
    },

    /// A model that fails its checks.
    #[error(
        "{path}: model is damaged ({detail}); rebuild it with `dechrome learn`, or copy it \
         again (a model being written, or changed while read, looks damaged too: replace models \
         by rename, as `dechrome learn` does)"
    )]
    ModelCorrupt {
        /// The file.
        path: PathBuf,
        /// What failed (checksum, length, fst structure...).
        detail: String,
    },

    /// A prior file (`--prior`) that cannot be used: not a prior, another format version,
    /// damaged.
    #[error(
        "{path}: {problem}; rebuild it with `scripts/build_prior.sh` from this version, or \
         clean without it (`--no-prior`)"
    )]
    PriorFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },

    /// A model of the wrong kind for the operation (partial where final is needed...).
    #[error("{path}: {what}; {hint}")]
    ModelKind {
        /// The file.
        path: PathBuf,
        /// What kind of model it is.
        what: String,
        /// What to do instead.
        hint: String,
    },

    /// An error of the fst crate.
    #[error("fst error while {context}: {err}")]
    Fst {
        /// What was being done.
        context: String,
        /// The fst crate's error.
        err: fst::Error,
    },

    /// A setting that cannot work (an empty field name, no model to merge...).
    #[error("invalid configuration: {0}")]
    Config(String),

    /// An output path that cannot be written (its directory is missing or read-only, it is a
    /// directory...).
    #[error("{path}: cannot write the output here: {why}")]
    BadOutput {
        /// The output.
        path: PathBuf,
        /// What stands in the way.
        why: String,
    },

    /// A prediction or gold file that cannot be scored.
    #[error(transparent)]
    Eval(#[from] crate::eval::EvalError),

    /// An output that exists and may not be overwritten.
    #[error("{path}: output exists")]
    OutputExists {
        /// The output.
        path: PathBuf,
    },
}

/// What a user can change to get past an error, in the library's terms. Front ends say it in
/// their own: the CLI names a flag (`--text-field`), the Python package an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Remedy {
    /// Count and skip bad records instead of stopping ([`crate::job::OnError::Skip`]).
    SkipBadRecords,
    /// Name the field that holds the text ([`crate::input::InputConfig::text_field`]).
    TextField,
    /// Decode invalid UTF-8 lossily ([`crate::input::InputConfig::strict_utf8`] off).
    LossyUtf8,
    /// Raise the record size limit ([`crate::input::InputConfig::max_record_bytes`]).
    MaxRecordSize,
    /// Raise the page line limit ([`crate::input::InputConfig::max_page_lines`]).
    MaxPageLines,
    /// Name the input's format instead of detecting it ([`crate::input::InputConfig::format`]).
    InputFormat,
    /// Allow an existing output to be replaced.
    Overwrite,
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<Path>, source: io::Error) -> Error {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            err: source,
        }
    }

    /// An error of the fst crate while doing `context`.
    pub fn fst(context: impl Into<String>, source: fst::Error) -> Error {
        Error::Fst {
            context: context.into(),
            err: source,
        }
    }

    /// What a user can change to get past this error, when a setting can.
    pub fn remedy(&self) -> Option<Remedy> {
        match self {
            Error::BadRecord { .. } => Some(Remedy::SkipBadRecords),
            Error::MissingField { .. } | Error::ParquetColumn { .. } => Some(Remedy::TextField),
            Error::InvalidUtf8 { .. } => Some(Remedy::LossyUtf8),
            Error::RecordTooLarge { .. } => Some(Remedy::MaxRecordSize),
            Error::PageTooLong { .. } => Some(Remedy::MaxPageLines),
            Error::NotText { .. } => Some(Remedy::InputFormat),
            Error::OutputExists { .. } => Some(Remedy::Overwrite),
            _ => None,
        }
    }

    /// True for errors about one record, or about the rest of one input file (an empty,
    /// binary or damaged file), which [`crate::job::OnError::Skip`] counts, reports and passes over.
    pub fn is_record_error(&self) -> bool {
        matches!(
            self,
            Error::BadRecord { .. }
                | Error::MissingField { .. }
                | Error::InvalidUtf8 { .. }
                | Error::RecordTooLarge { .. }
                | Error::PageTooLong { .. }
                | Error::EmptyInput { .. }
                | Error::NotText { .. }
                | Error::Truncated { .. }
                | Error::ParquetDamaged { .. }
                | Error::ParquetColumn { .. }
        )
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
