//! `dechrome._dechrome`: the native half of the Python package. It converts between Python
//! (lists of str, Arrow string buffers) and the plain-Rust calls of [`engine`], releasing the
//! GIL while they run. The Python half (`dechrome/__init__.py`) takes records, tables and
//! keyword arguments and hands them over here.

mod arrow;
mod engine;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use arrow::{ArrowArg, ArrowStrings, StringsOut};
use engine::Page;

create_exception!(
    _dechrome,
    DechromeError,
    PyException,
    "An error of the dechrome library; its message says what is wrong and what to do."
);
create_exception!(
    _dechrome,
    ModelError,
    DechromeError,
    "A model file that cannot be used: not a model, another format version, damaged, or of \
     the wrong kind (partial where a final one is needed, or the reverse)."
);

fn to_py(e: dechrome::Error) -> PyErr {
    use dechrome::Error as E;
    let msg = e.to_string();
    match e {
        E::ModelMagic { .. } | E::ModelVersion { .. } | E::ModelCorrupt { .. } => {
            ModelError::new_err(msg)
        }
        E::ModelKind { .. } | E::Fst { .. } => ModelError::new_err(msg),
        _ => DechromeError::new_err(msg),
    }
}

/// Thread pools by size, built once: 0 (or `None`) means the global pool (one thread per
/// core).
fn pool(threads: Option<usize>) -> PyResult<Option<Arc<rayon::ThreadPool>>> {
    let n = match threads {
        None | Some(0) => return Ok(None),
        Some(n) => n,
    };
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<rayon::ThreadPool>>>> = OnceLock::new();
    let mut pools = POOLS
        .get_or_init(Default::default)
        .lock()
        .expect("no panics holding it");
    if let Some(p) = pools.get(&n) {
        return Ok(Some(p.clone()));
    }
    let p = Arc::new(engine::pool(n).map_err(to_py)?);
    pools.insert(n, p.clone());
    Ok(Some(p))
}

/// Pages from a column of texts and optional columns of site names and URLs.
fn pages<'a>(
    texts: &'a [Option<String>],
    sites: Option<&'a [Option<String>]>,
    urls: Option<&'a [Option<String>]>,
) -> PyResult<Vec<Option<Page<'a>>>> {
    for (name, col) in [("sites", sites), ("urls", urls)] {
        if let Some(c) = col {
            if c.len() != texts.len() {
                return Err(PyValueError::new_err(format!(
                    "{name} has {} items, texts has {}",
                    c.len(),
                    texts.len()
                )));
            }
        }
    }
    let at = |c: Option<&'a [Option<String>]>, i: usize| c.and_then(|c| c[i].as_deref());
    Ok(texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            t.as_deref().map(|text| Page {
                text,
                site: at(sites, i),
                url: at(urls, i),
            })
        })
        .collect())
}

/// The Arrow columns named by the Python side's buffer descriptions.
fn arrow_columns(
    texts: ArrowArg,
    sites: Option<ArrowArg>,
    urls: Option<ArrowArg>,
) -> PyResult<(ArrowStrings, Option<ArrowStrings>, Option<ArrowStrings>)> {
    // SAFETY: `dechrome._arrow.buffers` describes the buffers of arrays that the calling
    // Python frame holds until the native call returns.
    unsafe {
        Ok((
            ArrowStrings::new(texts)?,
            sites.map(|a| ArrowStrings::new(a)).transpose()?,
            urls.map(|a| ArrowStrings::new(a)).transpose()?,
        ))
    }
}

/// A model file held open (memory-mapped), and the temporary directory that holds it when
/// it was learned, merged or loaded from bytes here.
#[pyclass(module = "dechrome._dechrome", frozen)]
struct NativeModel {
    model: Arc<dechrome::Model>,
    path: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

impl NativeModel {
    fn open_path(
        path: PathBuf,
        dir: Option<tempfile::TempDir>,
        partial_ok: bool,
    ) -> PyResult<Self> {
        let model = if partial_ok {
            engine::open(&path)
        } else {
            engine::open_final(&path)
        }
        .map_err(to_py)?;
        Ok(NativeModel {
            model: Arc::new(model),
            path,
            _dir: dir,
        })
    }

    fn clean_pages(
        &self,
        py: Python<'_>,
        pages: &[Option<Page<'_>>],
        keep: bool,
        threads: Option<usize>,
    ) -> PyResult<Vec<Option<engine::Cleaned>>> {
        let pool = pool(threads)?;
        let model = &self.model;
        Ok(py.detach(|| {
            let present: Vec<Page<'_>> = pages.iter().flatten().copied().collect();
            let mut done = engine::clean_pages(model, &present, keep, pool.as_deref()).into_iter();
            pages
                .iter()
                .map(|p| p.as_ref().and_then(|_| done.next()))
                .collect()
        }))
    }
}

fn temp_dir() -> PyResult<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("dechrome-model")
        .tempdir()
        .map_err(|e| DechromeError::new_err(format!("temporary directory: {e}")))
}

fn write_bytes(path: &Path, bytes: &[u8]) -> PyResult<()> {
    std::fs::write(path, bytes)
        .map_err(|e| DechromeError::new_err(format!("{}: {e}", path.display())))
}

fn read_bytes(path: &Path) -> PyResult<Vec<u8>> {
    std::fs::read(path).map_err(|e| DechromeError::new_err(format!("{}: {e}", path.display())))
}

/// Writes `bytes` to `path` under a temporary name beside it, then renames it: a reader never
/// sees a half-written model.
fn save_atomic(path: &Path, from: &Path) -> PyResult<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let tmp = tempfile::NamedTempFile::new_in(dir.unwrap_or(Path::new(".")))
        .map_err(|e| DechromeError::new_err(format!("{}: {e}", path.display())))?;
    std::fs::copy(from, tmp.path())
        .map_err(|e| DechromeError::new_err(format!("{}: {e}", path.display())))?;
    tmp.persist(path)
        .map_err(|e| DechromeError::new_err(format!("{}: {}", path.display(), e.error)))?;
    Ok(())
}

#[pymethods]
impl NativeModel {
    /// Opens a final model file (memory-mapped); `partial_ok` also opens partial ones.
    #[staticmethod]
    #[pyo3(signature = (path, partial_ok = false))]
    fn open(path: PathBuf, partial_ok: bool) -> PyResult<Self> {
        Self::open_path(path, None, partial_ok)
    }

    /// A model from the bytes of a model file.
    #[staticmethod]
    #[pyo3(signature = (data, partial_ok = false))]
    fn from_bytes(data: &[u8], partial_ok: bool) -> PyResult<Self> {
        let dir = temp_dir()?;
        let path = dir.path().join("model.dechrome");
        write_bytes(&path, data)?;
        Self::open_path(path, Some(dir), partial_ok)
    }

    /// Copies the model file to `path`.
    fn save(&self, path: PathBuf) -> PyResult<()> {
        save_atomic(&path, &self.path)
    }

    /// The bytes of the model file.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &read_bytes(&self.path)?))
    }

    /// The file the model is read from.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// The model header: pages, sites, keys, partial.
    #[getter]
    fn header<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let h = &self.model.header;
        let d = PyDict::new(py);
        d.set_item("pages", h.pages)?;
        d.set_item("sites", h.sites)?;
        d.set_item("keys", h.keys)?;
        d.set_item("partial", h.partial)?;
        d.set_item("shingle_max_tokens", h.params.shingle_max_tokens)?;
        Ok(d)
    }

    /// Cleans texts (None stays None), in order, on `threads` threads with the GIL released.
    /// With `removed`, each item is `(text, [(line, block, reason), ...])`.
    #[pyo3(signature = (texts, sites = None, urls = None, threads = None, removed = false))]
    fn clean_texts<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<Option<String>>,
        sites: Option<Vec<Option<String>>>,
        urls: Option<Vec<Option<String>>>,
        threads: Option<usize>,
        removed: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let pages = pages(&texts, sites.as_deref(), urls.as_deref())?;
        let done = self.clean_pages(py, &pages, removed, threads)?;
        let out = PyList::empty(py);
        for (c, p) in done.into_iter().zip(&pages) {
            match (c, p) {
                (Some(c), Some(p)) if removed => {
                    out.append((c.text, removed_blocks(p.text, &c.decisions)))?
                }
                (Some(c), _) => out.append(c.text)?,
                _ => out.append(py.None())?,
            }
        }
        Ok(out)
    }

    /// Cleans an Arrow string column (given as raw buffers, see `dechrome._arrow`), returning
    /// `(validity, offsets, data, null_count, removed)`: the buffers of a `large_string` array
    /// of the cleaned texts, and with `removed` a list per row of `(line, block, reason)`.
    #[pyo3(signature = (texts, sites = None, urls = None, threads = None, removed = false))]
    fn clean_arrow<'py>(
        &self,
        py: Python<'py>,
        texts: ArrowArg,
        sites: Option<ArrowArg>,
        urls: Option<ArrowArg>,
        threads: Option<usize>,
        removed: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (texts, sites, urls) = arrow_columns(texts, sites, urls)?;
        let pool = pool(threads)?;
        let model = &self.model;
        let (out, removed_rows) = py.detach(|| -> PyResult<_> {
            let pages = arrow::pages(&texts, sites.as_ref(), urls.as_ref())?;
            let present: Vec<Page<'_>> = pages.iter().flatten().copied().collect();
            let done = engine::clean_pages(model, &present, removed, pool.as_deref());
            let mut out = StringsOut::with_capacity(pages.len(), texts.data_len());
            let mut removed_rows = Vec::new();
            let mut done = done.into_iter().zip(present.iter());
            for p in &pages {
                match p {
                    Some(_) => {
                        let (c, page) = done.next().expect("one result per page");
                        out.push(Some(&c.text));
                        if removed {
                            removed_rows.push(Some(removed_blocks(page.text, &c.decisions)));
                        }
                    }
                    None => {
                        out.push(None);
                        if removed {
                            removed_rows.push(None);
                        }
                    }
                }
            }
            Ok((out, removed_rows))
        })?;
        let removed_py: Bound<'py, PyAny> = if removed {
            let l = PyList::empty(py);
            for r in removed_rows {
                match r {
                    Some(r) => l.append(r)?,
                    None => l.append(py.None())?,
                }
            }
            l.into_any()
        } else {
            py.None().into_bound(py)
        };
        let (validity, offsets, data, nulls) = out.into_py(py);
        Ok((validity, offsets, data, nulls, removed_py)
            .into_pyobject(py)?
            .into_any())
    }

    /// Every block of a page with its decision and figures.
    #[pyo3(signature = (text, site = None, url = None))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        site: Option<&str>,
        url: Option<&str>,
    ) -> PyResult<Bound<'py, PyList>> {
        let page = Page { text, site, url };
        let c = engine::clean_pages(&self.model, &[page], true, None)
            .pop()
            .expect("one page in, one out");
        let out = PyList::empty(py);
        // Line numbers (from 1) as `dechrome explain` counts them; blocks skip empty lines.
        let (mut line, mut pos) = (1usize, 0usize);
        for d in &c.decisions {
            line += text.as_bytes()[pos..d.start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            pos = d.start;
            let row = PyDict::new(py);
            row.set_item("line", line)?;
            row.set_item("block", d.line)?;
            row.set_item("text", &text[d.start..d.end])?;
            row.set_item("kept", d.keep)?;
            row.set_item("reason", d.reason.as_str())?;
            row.set_item("site_pages_with", d.site_pages_with)?;
            row.set_item("site_pages", d.site_pages)?;
            let share = if d.site_pages == 0 {
                0.0
            } else {
                d.site_pages_with as f64 / d.site_pages as f64
            };
            row.set_item("site_share", share)?;
            row.set_item("cross_sites", d.cross_sites)?;
            row.set_item("templated", d.templated)?;
            row.set_item("score", d.score)?;
            out.append(row)?;
        }
        Ok(out)
    }

    /// The site key dechrome gives a page with this site field and URL.
    #[staticmethod]
    #[pyo3(signature = (site = None, url = None))]
    fn site_key(site: Option<&str>, url: Option<&str>) -> String {
        Page {
            text: "",
            site,
            url,
        }
        .site_key()
    }
}

/// The removed blocks of a page: `(line, block text, reason)`.
fn removed_blocks(
    text: &str,
    decisions: &[dechrome::Decision],
) -> Vec<(u32, String, &'static str)> {
    decisions
        .iter()
        .filter(|d| !d.keep)
        .map(|d| (d.line, text[d.start..d.end].to_owned(), d.reason.as_str()))
        .collect()
}

/// Counts pages for a model; see `dechrome.Learner`.
#[pyclass(module = "dechrome._dechrome")]
struct NativeLearner {
    inner: Option<engine::Learner>,
}

impl NativeLearner {
    fn learner(&mut self) -> PyResult<&mut engine::Learner> {
        self.inner
            .as_mut()
            .ok_or_else(|| DechromeError::new_err("this learner has already written its model"))
    }

    fn take(&mut self) -> PyResult<engine::Learner> {
        self.inner
            .take()
            .ok_or_else(|| DechromeError::new_err("this learner has already written its model"))
    }
}

#[pymethods]
impl NativeLearner {
    #[new]
    #[pyo3(signature = (memory = None))]
    fn new(memory: Option<usize>) -> PyResult<Self> {
        Ok(NativeLearner {
            inner: Some(engine::Learner::new(memory).map_err(to_py)?),
        })
    }

    /// Counts pages given as lists (None texts are passed over).
    #[pyo3(signature = (texts, sites = None, urls = None, threads = None))]
    fn add_texts(
        &mut self,
        py: Python<'_>,
        texts: Vec<Option<String>>,
        sites: Option<Vec<Option<String>>>,
        urls: Option<Vec<Option<String>>>,
        threads: Option<usize>,
    ) -> PyResult<()> {
        let pages = pages(&texts, sites.as_deref(), urls.as_deref())?;
        let present: Vec<Page<'_>> = pages.into_iter().flatten().collect();
        let pool = pool(threads)?;
        let learner = self.learner()?;
        py.detach(|| learner.add(&present, pool.as_deref()))
            .map_err(to_py)
    }

    /// Counts pages given as Arrow string buffers (null texts are passed over).
    #[pyo3(signature = (texts, sites = None, urls = None, threads = None))]
    fn add_arrow(
        &mut self,
        py: Python<'_>,
        texts: ArrowArg,
        sites: Option<ArrowArg>,
        urls: Option<ArrowArg>,
        threads: Option<usize>,
    ) -> PyResult<()> {
        let (texts, sites, urls) = arrow_columns(texts, sites, urls)?;
        let pool = pool(threads)?;
        let learner = self.learner()?;
        py.detach(|| -> PyResult<()> {
            let pages = arrow::pages(&texts, sites.as_ref(), urls.as_ref())?;
            let present: Vec<Page<'_>> = pages.into_iter().flatten().collect();
            learner.add(&present, pool.as_deref()).map_err(to_py)
        })
    }

    /// Pages counted so far.
    #[getter]
    fn pages(&self) -> PyResult<u64> {
        self.inner
            .as_ref()
            .map(engine::Learner::pages)
            .ok_or_else(|| DechromeError::new_err("this learner has already written its model"))
    }

    /// Writes the model (partial or final) to `path`; the learner is spent.
    fn write(&mut self, py: Python<'_>, path: PathBuf, partial: bool) -> PyResult<()> {
        let learner = self.take()?;
        py.detach(|| learner.write(&path, partial)).map_err(to_py)
    }

    /// The model (partial or final), held in a temporary file; the learner is spent.
    fn finish(&mut self, py: Python<'_>, partial: bool) -> PyResult<NativeModel> {
        let learner = self.take()?;
        let dir = temp_dir()?;
        let path = dir.path().join("model.dechrome");
        py.detach(|| learner.write(&path, partial)).map_err(to_py)?;
        NativeModel::open_path(path, Some(dir), true)
    }
}

/// Merges partial models (paths or bytes) into a partial or final model: written to `out`
/// when given (and None returned), else returned as bytes.
#[pyfunction]
#[pyo3(signature = (parts, out = None, partial = false))]
fn merge<'py>(
    py: Python<'py>,
    parts: Vec<Bound<'py, PyAny>>,
    out: Option<PathBuf>,
    partial: bool,
) -> PyResult<Option<Bound<'py, PyBytes>>> {
    let dir = temp_dir()?;
    let mut inputs = Vec::with_capacity(parts.len());
    for (i, p) in parts.iter().enumerate() {
        if let Ok(b) = p.cast::<PyBytes>() {
            let path = dir.path().join(format!("part-{i}.dechrome"));
            write_bytes(&path, b.as_bytes())?;
            inputs.push(path);
        } else {
            inputs.push(p.extract::<PathBuf>()?);
        }
    }
    let target = out
        .clone()
        .unwrap_or_else(|| dir.path().join("merged.dechrome"));
    py.detach(|| engine::merge(&inputs, &target, partial))
        .map_err(to_py)?;
    match out {
        Some(_) => Ok(None),
        None => Ok(Some(PyBytes::new(py, &read_bytes(&target)?))),
    }
}

#[pymodule]
fn _dechrome(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeModel>()?;
    m.add_class::<NativeLearner>()?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add("DechromeError", m.py().get_type::<DechromeError>())?;
    m.add("ModelError", m.py().get_type::<ModelError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
