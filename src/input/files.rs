//! The list of input files: files as named, directories walked for the files in them.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Lists the input files under the given paths, each with its root (what a text file's name
/// is taken relative to): files as given, directories walked in sorted order for regular
/// files. `-` stands for stdin.
pub(super) fn expand_inputs(paths: &[PathBuf]) -> Result<Vec<(PathBuf, PathBuf)>> {
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

/// Appends the regular files under `dir`, at any depth, to `out`; hidden files (a name
/// starting with `.`) are left out.
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
