//! Text-directory output: one text file per cleaned record, written under a temporary
//! directory beside the target and renamed into place when the run completes.
//!
//! A record read from a text directory keeps its path relative to the input root; any other
//! record gets a file named after its id (sanitised to `[A-Za-z0-9._-]`) with `.txt` appended.
//! Each file holds the cleaned text and a final newline (an empty page, an empty file).
//!
//! No record overwrites another: two records that would get one name (the same id, ids that
//! sanitise alike or differ only in case, which a case-insensitive filesystem would merge)
//! get `NAME`, `NAME~2`, ... in input order; an id too long for a file name is cut to its
//! first [`MAX_ID_BYTES`] bytes plus a hash of the whole id.
//!
//! The directory carries a manifest ([`MANIFEST`]) that marks it as dechrome's: `force`
//! replaces an existing directory only when it has one, swapping the new one in
//! (`renameat2(RENAME_EXCHANGE)` where there is one, else aside and in) before the old is
//! removed. Without `force` the final rename refuses a target that appeared while the job ran.
//! An unfinished output's temporary directory is removed when it is dropped, or by
//! [`crate::fs::remove_temporaries`] on a signal.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::fs::{
    check_output, exchange, file_name, forget_temporary, not_ours, parent_dir, register_temporary,
    rename_into_place, resolve_output, sweep_stale, temporary_name, written_by_dechrome, MANIFEST,
};
use crate::input::{Payload, Record};

/// An id's file name keeps at most this many bytes of it (then `-` and a hash of the whole
/// id), well under the 255 bytes file systems allow.
const MAX_ID_BYTES: usize = 180;

/// A directory of text files being written.
pub(super) struct TextDir {
    /// The temporary directory the files go to.
    tmp: PathBuf,
    /// Where the directory goes when the run completes (absolute when it existed).
    target: PathBuf,
    /// The target as the user named it, for messages.
    named: PathBuf,
    /// Whether an existing directory (one dechrome wrote) may be replaced.
    force: bool,
    /// The names given so far, lower-cased: a name is never given twice.
    used: HashSet<String>,
}

impl TextDir {
    /// Starts the output for `target`, refusing an existing one unless `force`, and then
    /// unless it is a directory dechrome wrote.
    pub(super) fn create(target: &Path, force: bool) -> Result<TextDir> {
        check_output(target, force, true)?;
        let named = target.to_path_buf();
        let mut target = resolve_output(target);
        // `.` or `..` have no name to put a temporary beside: work with the real path.
        if target.file_name().is_none() {
            target = fs::canonicalize(&target).map_err(|e| Error::io(&named, e))?;
        }
        if target.file_name().is_none() {
            return Err(not_ours(&named));
        }
        let tmp = temporary_name(&target);
        sweep_stale(
            parent_dir(&target),
            &format!(".{}.tmp.", file_name(&target)),
        );
        // Ours by its name: a leftover of an earlier process that had our PID.
        if fs::symlink_metadata(&tmp).is_ok() {
            let _ = fs::remove_dir_all(&tmp);
        }
        fs::create_dir(&tmp).map_err(|e| Error::io(&named, e))?;
        register_temporary(&tmp);
        let dir = TextDir {
            tmp,
            target,
            named,
            force,
            used: HashSet::from([MANIFEST.to_ascii_lowercase()]),
        };
        let manifest = dir.tmp.join(MANIFEST);
        fs::write(&manifest, b"").map_err(|e| Error::io(&dir.named, e))?;
        Ok(dir)
    }

    /// Writes the text file of one record.
    pub(super) fn write(&mut self, rec: &Record, cleaned: &str) -> Result<()> {
        let rel = match &rec.payload {
            Payload::Text { rel } => rel.clone(),
            _ => PathBuf::from(id_file_name(&rec.id) + ".txt"),
        };
        let rel = self.unique(rel);
        let p = self.tmp.join(&rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(self.named.join(&rel), e))?;
        }
        let mut body = cleaned.to_owned();
        if !body.is_empty() {
            body.push('\n');
        }
        fs::write(&p, body).map_err(|e| Error::io(self.named.join(&rel), e))
    }

    /// `rel`, or `rel` with `~2`, `~3`... before its extension when an earlier record took
    /// that name (compared without case).
    fn unique(&mut self, rel: PathBuf) -> PathBuf {
        if self.used.insert(rel.to_string_lossy().to_lowercase()) {
            return rel;
        }
        let stem = rel.file_stem().map(|s| s.to_string_lossy().into_owned());
        let ext = rel.extension().map(|e| e.to_string_lossy().into_owned());
        for n in 2u64.. {
            let name = match &ext {
                Some(e) => format!("{}~{n}.{e}", stem.as_deref().unwrap_or("")),
                None => format!("{}~{n}", stem.as_deref().unwrap_or("")),
            };
            let candidate = rel.with_file_name(name);
            if self.used.insert(candidate.to_string_lossy().to_lowercase()) {
                return candidate;
            }
        }
        unreachable!("some number is free")
    }

    /// Puts the written directory in place of the target.
    pub(super) fn commit(self) -> Result<()> {
        // Either ours is in place, or the attempt failed and ours is removed when `self` is
        // dropped (theirs is kept); after an exchange the temporary name holds the old output,
        // removed then too.
        self.put_in_place()
    }

    fn put_in_place(&self) -> Result<()> {
        let exists = fs::symlink_metadata(&self.target).is_ok();
        if !exists || !self.force {
            return rename_into_place(&self.tmp, &self.target, false).map_err(|e| {
                match e.kind() {
                    io::ErrorKind::AlreadyExists => Error::OutputExists {
                        path: self.named.clone(),
                    },
                    // A directory that appeared in the meantime, not empty.
                    _ if e.raw_os_error() == Some(libc::ENOTEMPTY) => Error::OutputExists {
                        path: self.named.clone(),
                    },
                    _ => Error::io(&self.named, e),
                }
            });
        }
        // Checked again: the target may have changed since the job started.
        if !written_by_dechrome(&self.target) {
            return Err(not_ours(&self.named));
        }
        match exchange(&self.tmp, &self.target) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Unsupported => self.swap_by_renames(),
            Err(e) => Err(Error::io(&self.named, e)),
        }
    }

    /// Where there is no atomic exchange: the old directory is renamed aside, the new one in,
    /// and the old one back if that fails. (The caller removes the old one.)
    fn swap_by_renames(&self) -> Result<()> {
        // Named like the temporary, so that a sweep removes it if the job is killed here.
        let mut aside = self.tmp.clone().into_os_string();
        aside.push(".old");
        let aside = PathBuf::from(aside);
        fs::rename(&self.target, &aside).map_err(|e| Error::io(&self.named, e))?;
        if let Err(e) = rename_into_place(&self.tmp, &self.target, false) {
            let _ = fs::rename(&aside, &self.target);
            return Err(Error::io(&self.named, e));
        }
        fs::rename(&aside, &self.tmp).map_err(|e| Error::io(&self.named, e))
    }
}

impl Drop for TextDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.tmp);
        forget_temporary(&self.tmp);
    }
}

/// The file name (without `.txt`) of a record id: characters outside `[A-Za-z0-9._-]` become
/// `_`; an id longer than [`MAX_ID_BYTES`] keeps that many bytes, then `-` and a hash of the
/// whole id, so that two long ids with one beginning still get different names.
fn id_file_name(id: &str) -> String {
    let mut name: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.len() > MAX_ID_BYTES {
        // Only ASCII is left, so any byte is a char boundary.
        name.truncate(MAX_ID_BYTES);
        let h = xxhash_rust::xxh3::xxh3_64(id.as_bytes());
        name.push_str(&format!("-{h:016x}"));
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_ids_are_cut_and_hashed() {
        let a = id_file_name(&"x".repeat(300));
        let b = id_file_name(&("x".repeat(299) + "y"));
        assert_eq!(a.len(), MAX_ID_BYTES + 17);
        assert_ne!(a, b);
        assert_eq!(id_file_name("a/b c"), "a_b_c");
    }
}
