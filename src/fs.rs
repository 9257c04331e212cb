//! Files written whole or not at all: [`AtomicFile`] writes under a temporary name beside its
//! target and renames it into place only on [`AtomicFile::commit`], so a failed or killed job
//! never leaves a partial output (or model) where a complete one is expected.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A file written under a temporary name in the same directory and renamed over the target
/// by [`AtomicFile::commit`]. Dropped without a commit, the temporary file is removed.
pub struct AtomicFile {
    file: Option<File>,
    tmp: PathBuf,
    target: PathBuf,
}

impl AtomicFile {
    /// Creates the temporary file. Refuses an existing target unless `force`.
    pub fn create(target: &Path, force: bool) -> Result<AtomicFile> {
        if is_special(target) {
            // A device or pipe (`/dev/null`, a FIFO) is written in place: it cannot be renamed
            // over, and holds no partial file to clean up.
            let file = fs::OpenOptions::new()
                .write(true)
                .open(target)
                .map_err(|e| Error::io(target, e))?;
            return Ok(AtomicFile {
                file: Some(file),
                tmp: PathBuf::new(),
                target: target.to_path_buf(),
            });
        }
        if !force && target.exists() {
            return Err(Error::OutputExists {
                path: target.to_path_buf(),
            });
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let tmp = target.with_file_name(format!(".{name}.tmp.{}", std::process::id()));
        let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        Ok(AtomicFile {
            file: Some(file),
            tmp,
            target: target.to_path_buf(),
        })
    }

    /// Starts writing what was written so far to disk, without waiting for it (Linux's
    /// `sync_file_range`; elsewhere nothing), so that the sync before the final rename has
    /// little left to do and the writing thread never stalls the workers on the disk. (A
    /// device or pipe: nothing to do.)
    pub(crate) fn start_writeback(&self) -> io::Result<()> {
        match &self.file {
            #[cfg(target_os = "linux")]
            Some(f) if !self.tmp.as_os_str().is_empty() => {
                use std::os::fd::AsRawFd;
                // SAFETY: an open descriptor of ours; the call only schedules writeback.
                let r = unsafe {
                    libc::sync_file_range(f.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE)
                };
                if r == 0 {
                    Ok(())
                } else {
                    Err(io::Error::last_os_error())
                }
            }
            _ => Ok(()),
        }
    }

    /// Flushes to disk and renames the file into place.
    pub fn commit(mut self) -> Result<()> {
        let file = self.file.take().expect("not yet committed");
        if self.tmp.as_os_str().is_empty() {
            return Ok(());
        }
        file.sync_all().map_err(|e| Error::io(&self.tmp, e))?;
        drop(file);
        fs::rename(&self.tmp, &self.target).map_err(|e| Error::io(&self.target, e))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.as_mut().expect("not yet committed").write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().expect("not yet committed").flush()
    }
}

/// An existing path that is neither a regular file nor a directory.
pub(crate) fn is_special(p: &Path) -> bool {
    fs::metadata(p).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() && !self.tmp.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}
