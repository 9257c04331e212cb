//! Text-directory output: one text file per cleaned record, written under a temporary
//! directory beside the target and renamed into place when the run completes.
//!
//! A record read from a text directory keeps its path relative to the input root; any other
//! record gets a file named after its id (sanitised to `[A-Za-z0-9._-]`) with `.txt` appended.
//! Each file holds the cleaned text and a final newline (an empty page, an empty file). An
//! unfinished output's temporary directory is removed when it is dropped.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::input::{Payload, Record};

/// A directory of text files being written.
pub(super) struct TextDir {
    /// The temporary directory the files go to.
    tmp: PathBuf,
    /// Where the directory goes when the run completes.
    target: PathBuf,
    /// Whether renaming into place was tried (then the temporary directory is kept).
    done: bool,
}

impl TextDir {
    /// Starts the output for `target`, refusing an existing one unless `force`.
    pub(super) fn create(target: &Path, force: bool) -> Result<TextDir> {
        if target.exists() && !force {
            return Err(Error::OutputExists {
                path: target.to_path_buf(),
            });
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let tmp = target.with_file_name(format!(".{name}.tmp.{}", std::process::id()));
        fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
        Ok(TextDir {
            tmp,
            target: target.to_path_buf(),
            done: false,
        })
    }

    /// Writes the text file of one record.
    pub(super) fn write(&self, rec: &Record, cleaned: &str) -> Result<()> {
        let rel = match &rec.payload {
            Payload::Text { rel } => rel.clone(),
            _ => PathBuf::from(sanitize_id(&rec.id) + ".txt"),
        };
        let p = self.tmp.join(&rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        let mut body = cleaned.to_owned();
        if !body.is_empty() {
            body.push('\n');
        }
        fs::write(&p, body).map_err(|e| Error::io(&p, e))
    }

    /// Replaces the target by the written directory.
    pub(super) fn commit(mut self) -> Result<()> {
        // From here on the temporary directory is kept, even when this fails: once the old
        // output is being removed, it may hold the only complete copy.
        self.done = true;
        if self.target.exists() {
            fs::remove_dir_all(&self.target).map_err(|e| Error::io(&self.target, e))?;
        }
        fs::rename(&self.tmp, &self.target).map_err(|e| Error::io(&self.target, e))
    }
}

impl Drop for TextDir {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Turns a record id into a safe relative file name.
fn sanitize_id(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}
