//! Files written whole or not at all, and never a user's file lost.
//!
//! [`AtomicFile`] writes under a temporary name beside its target and renames it into place
//! only on [`AtomicFile::commit`], so a failed or killed job never leaves a partial output (or
//! model) where a complete one is expected. Without `force` the rename itself refuses a target
//! that appeared while the job ran (`renameat2(RENAME_NOREPLACE)` on Linux, a hard link
//! elsewhere), so two jobs racing for one new output cannot both succeed. An output named
//! through a symbolic link replaces the link's target, not the link.
//!
//! Temporaries are registered while they exist ([`remove_temporaries`] deletes them, for a
//! signal handler), and the ones a killed process left behind (`.NAME.tmp.PID` of a PID that
//! no longer runs) are swept when the next job writes the same output.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// Temporary files and directories that exist now, for [`remove_temporaries`].
static TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Records a temporary file or directory that [`remove_temporaries`] must delete if the job is
/// interrupted.
pub(crate) fn register_temporary(path: &Path) {
    if let Ok(mut t) = TEMPORARIES.lock() {
        t.push(path.to_path_buf());
    }
}

/// Forgets a temporary that was renamed into place or removed.
pub(crate) fn forget_temporary(path: &Path) {
    if let Ok(mut t) = TEMPORARIES.lock() {
        if let Some(i) = t.iter().rposition(|p| p == path) {
            t.swap_remove(i);
        }
    }
}

/// Deletes every temporary file and directory that jobs of this process have open now
/// (partial outputs, partial models, spilled runs). A front end calls it when it is
/// interrupted (SIGINT, SIGTERM) before exiting; nothing of the user's is touched.
pub fn remove_temporaries() {
    let paths = match TEMPORARIES.lock() {
        Ok(mut t) => std::mem::take(&mut *t),
        Err(_) => return,
    };
    for p in paths {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.is_dir() => drop(fs::remove_dir_all(&p)),
            Ok(_) => drop(fs::remove_file(&p)),
            Err(_) => {}
        }
    }
}

/// Whether process `pid` still runs (or runs under another user). Used to tell a temporary
/// of a live job from one that a killed job left behind.
pub(crate) fn pid_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only checks that the process exists.
        if unsafe { libc::kill(pid, 0) } == 0 {
            return true;
        }
        io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Removes the entries of `dir` named `{prefix}{PID}…` whose PID no longer runs: temporaries
/// that killed jobs left behind.
pub(crate) fn sweep_stale(dir: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else {
            continue;
        };
        let digits: &str = rest
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap_or("");
        let Ok(pid) = digits.parse::<u32>() else {
            continue;
        };
        if pid == std::process::id() || pid_alive(pid) {
            continue;
        }
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => drop(fs::remove_dir_all(&p)),
            Ok(_) => drop(fs::remove_file(&p)),
            Err(_) => {}
        }
    }
}

/// The path an output named `target` is written to: the file a symbolic link points to
/// (followed to the end, relative links against the link's directory), else `target`.
pub fn resolve_output(target: &Path) -> PathBuf {
    let mut t = target.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&t) {
            Ok(m) if m.file_type().is_symlink() => match fs::read_link(&t) {
                Ok(to) if to.is_absolute() => t = to,
                Ok(to) => t = t.parent().unwrap_or(Path::new("")).join(to),
                Err(_) => return t,
            },
            _ => return t,
        }
    }
    t
}

/// The directory an output path is created in (`.` for a bare file name).
pub(crate) fn parent_dir(target: &Path) -> &Path {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Checks, before any work is done, that an output can be written at `target`: its directory
/// exists and is writable, and it does not exist unless `force` (a device or pipe is always
/// fine). `dir_ok` says `target` is a directory output: with `force` it may replace only a
/// directory that dechrome wrote ([`MANIFEST`]); anything else there is refused.
pub fn check_output(target: &Path, force: bool, dir_ok: bool) -> Result<()> {
    let target = resolve_output(target);
    let bad = |why: String| {
        Err(Error::BadOutput {
            path: target.clone(),
            why,
        })
    };
    if is_special(&target) {
        return Ok(());
    }
    if let Ok(m) = fs::metadata(&target) {
        if m.is_dir() && !dir_ok {
            return bad("it is a directory".into());
        }
        if !force {
            return Err(Error::OutputExists { path: target });
        }
        // A directory output replaces what is there: only ever a directory dechrome wrote.
        if dir_ok && !written_by_dechrome(&target) {
            return bad(NOT_OURS.into());
        }
    }
    let parent = parent_dir(&target);
    match fs::metadata(parent) {
        Err(_) => bad(format!("directory {} does not exist", parent.display())),
        Ok(m) if !m.is_dir() => bad(format!("{} is not a directory", parent.display())),
        Ok(_) if !writable(parent) => {
            bad(format!("directory {} is not writable", parent.display()))
        }
        Ok(_) => Ok(()),
    }
}

/// The file that marks a directory written by dechrome (a directory output): only such a
/// directory is ever replaced. It is empty; its name says what it is.
pub const MANIFEST: &str = ".dechrome-output";

/// Why an existing path is not replaced by a directory output.
const NOT_OURS: &str = "it was not written by dechrome (no .dechrome-output manifest); remove \
     it yourself or choose another directory";

/// Whether `dir` is a directory that dechrome wrote (it holds the [`MANIFEST`]).
pub(crate) fn written_by_dechrome(dir: &Path) -> bool {
    fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir())
        && fs::symlink_metadata(dir.join(MANIFEST)).is_ok_and(|m| m.is_file())
}

/// The error of a directory output that would replace `target`, which dechrome did not write.
pub(crate) fn not_ours(target: &Path) -> Error {
    Error::BadOutput {
        path: target.to_path_buf(),
        why: NOT_OURS.into(),
    }
}

/// Swaps `a` and `b` (two directories, or files) in one step, so that neither name is ever
/// missing: Linux's `renameat2(RENAME_EXCHANGE)`. Elsewhere, or where the filesystem lacks
/// it, [`io::ErrorKind::Unsupported`].
pub(crate) fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = |p: &Path| {
            std::ffi::CString::new(p.as_os_str().as_bytes())
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
        };
        let (a, b) = (c(a)?, c(b)?);
        // SAFETY: valid NUL-terminated paths; renameat2 only reads them.
        let r = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                a.as_ptr(),
                libc::AT_FDCWD,
                b.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if r == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) {
            return Err(io::ErrorKind::Unsupported.into());
        }
        Err(e)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (a, b);
        Err(io::ErrorKind::Unsupported.into())
    }
}

/// Whether this process may create files in `dir`.
fn writable(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
            return false;
        };
        // SAFETY: a valid NUL-terminated path; access() only reads it.
        unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) == 0 }
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        true
    }
}

/// Renames `tmp` to `target`. With `replace` false the rename fails with
/// [`io::ErrorKind::AlreadyExists`] when `target` exists, atomically: nothing that appeared
/// at `target` since the job started is overwritten. Works for files and directories.
pub(crate) fn rename_into_place(tmp: &Path, target: &Path, replace: bool) -> io::Result<()> {
    if replace {
        return fs::rename(tmp, target);
    }
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = |p: &Path| {
            std::ffi::CString::new(p.as_os_str().as_bytes())
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
        };
        let (from, to) = (c(tmp)?, c(target)?);
        // SAFETY: valid NUL-terminated paths; renameat2 only reads them.
        let r = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                from.as_ptr(),
                libc::AT_FDCWD,
                to.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if r == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        // Filesystems without RENAME_NOREPLACE answer EINVAL; the fallback below serves them.
        if !matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) {
            return Err(e);
        }
    }
    if fs::metadata(tmp)?.is_dir() {
        // No hard links to directories: the check and the rename are not atomic here.
        if fs::symlink_metadata(target).is_ok() {
            return Err(io::ErrorKind::AlreadyExists.into());
        }
        return fs::rename(tmp, target);
    }
    fs::hard_link(tmp, target)?;
    fs::remove_file(tmp)
}

/// A file written under a temporary name in the same directory and renamed over the target
/// by [`AtomicFile::commit`]. Dropped without a commit, the temporary file is removed.
pub struct AtomicFile {
    file: Option<File>,
    /// Empty for a device or pipe written in place.
    tmp: PathBuf,
    target: PathBuf,
    /// Whether the commit may replace a target that exists by then.
    replace: bool,
}

impl AtomicFile {
    /// Creates the temporary file. Refuses an existing target unless `force`, and then also
    /// refuses, at the commit, a target that appeared in the meantime. A target named through
    /// a symbolic link is the file the link points to.
    pub fn create(target: &Path, force: bool) -> Result<AtomicFile> {
        let target = &resolve_output(target);
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
                replace: true,
            });
        }
        check_output(target, force, false)?;
        let tmp = temporary_name(target);
        sweep_stale(parent_dir(target), &format!(".{}.tmp.", file_name(target)));
        let file = File::create(&tmp).map_err(|e| Error::io(target, e))?;
        register_temporary(&tmp);
        Ok(AtomicFile {
            file: Some(file),
            tmp,
            target: target.to_path_buf(),
            replace: force,
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
        file.sync_all().map_err(|e| Error::io(&self.target, e))?;
        drop(file);
        let r = rename_into_place(&self.tmp, &self.target, self.replace);
        if r.is_err() {
            let _ = fs::remove_file(&self.tmp);
        }
        forget_temporary(&self.tmp);
        r.map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => Error::OutputExists {
                path: self.target.clone(),
            },
            _ => Error::io(&self.target, e),
        })
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
pub fn is_special(p: &Path) -> bool {
    fs::metadata(p).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() && !self.tmp.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.tmp);
            forget_temporary(&self.tmp);
        }
    }
}

/// The last component of `target`, for temporary names (`out` when it has none).
pub(crate) fn file_name(target: &Path) -> String {
    target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into())
}

/// The temporary name of an output: hidden, beside it, marked with this process's id so that
/// a sweep can tell a live job's temporary from a dead one's.
pub(crate) fn temporary_name(target: &Path) -> PathBuf {
    target.with_file_name(format!(".{}.tmp.{}", file_name(target), std::process::id()))
}
