//! Arrow string columns without an Arrow dependency: the Python side hands over the raw
//! buffers of a `string` or `large_string` array (addresses and sizes, from
//! `pyarrow.Buffer.address`), and the results go back as the buffers of a `large_string`
//! array that `pyarrow.Array.from_buffers` wraps. Every offset is checked against the buffer
//! sizes and every string against UTF-8 before it is read.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::engine::Page;

/// What Python passes for one column: `(length, offset, validity address (0: no nulls),
/// validity size, offsets address, offsets size, data address, data size, large)`.
pub type ArrowArg = (usize, usize, usize, usize, usize, usize, usize, usize, bool);

/// A borrowed Arrow string array. The Python caller keeps the array alive for the whole call
/// (it holds the array while the native call runs), so the buffers stay valid.
pub struct ArrowStrings {
    len: usize,
    offset: usize,
    validity: Option<&'static [u8]>,
    offsets: &'static [u8],
    data: &'static [u8],
    large: bool,
}

// SAFETY: the buffers are immutable Arrow memory, kept alive by the caller for the call.
unsafe impl Send for ArrowStrings {}
unsafe impl Sync for ArrowStrings {}

/// # Safety
/// `addr` must point to `size` readable bytes that outlive the call (or `size` is 0).
unsafe fn slice(addr: usize, size: usize) -> &'static [u8] {
    if size == 0 || addr == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(addr as *const u8, size)
    }
}

impl ArrowStrings {
    /// Reads the buffers named by `arg`, checking that the offsets fit them.
    ///
    /// # Safety
    /// The addresses and sizes must be those of a live Arrow array's buffers, as
    /// `dechrome._arrow.buffers` gives them.
    pub unsafe fn new(arg: ArrowArg) -> PyResult<ArrowStrings> {
        let (len, offset, v_addr, v_size, o_addr, o_size, d_addr, d_size, large) = arg;
        let width = if large { 8 } else { 4 };
        let bad = |what: &str| PyValueError::new_err(format!("Arrow string array: {what}"));
        if (offset + len + 1) * width > o_size && len > 0 {
            return Err(bad("offsets buffer too short"));
        }
        if v_addr != 0 && (offset + len).div_ceil(8) > v_size {
            return Err(bad("validity buffer too short"));
        }
        let a = ArrowStrings {
            len,
            offset,
            validity: (v_addr != 0).then(|| slice(v_addr, v_size)),
            offsets: slice(o_addr, o_size),
            data: slice(d_addr, d_size),
            large,
        };
        if len > 0 {
            let (first, last) = (a.off(0), a.off(len));
            if first > last || last > a.data.len() {
                return Err(bad("offsets run past the data buffer"));
            }
        }
        Ok(a)
    }

    fn off(&self, i: usize) -> usize {
        let j = self.offset + i;
        if self.large {
            let b: [u8; 8] = self.offsets[j * 8..j * 8 + 8].try_into().expect("8 bytes");
            i64::from_le_bytes(b) as usize
        } else {
            let b: [u8; 4] = self.offsets[j * 4..j * 4 + 4].try_into().expect("4 bytes");
            i32::from_le_bytes(b) as usize
        }
    }

    /// Bytes of string data the array spans.
    pub fn data_len(&self) -> usize {
        if self.len == 0 {
            0
        } else {
            self.off(self.len) - self.off(0)
        }
    }

    /// The `i`th string, `None` when null.
    pub fn get(&self, i: usize) -> PyResult<Option<&str>> {
        if let Some(v) = self.validity {
            let j = self.offset + i;
            if v[j / 8] >> (j % 8) & 1 == 0 {
                return Ok(None);
            }
        }
        let (s, e) = (self.off(i), self.off(i + 1));
        if s > e || e > self.data.len() {
            return Err(PyValueError::new_err(
                "Arrow string array: offsets out of order",
            ));
        }
        std::str::from_utf8(&self.data[s..e])
            .map(Some)
            .map_err(|e| PyValueError::new_err(format!("Arrow string {i}: {e}")))
    }
}

/// Pages from Arrow columns of texts and optional site names and URLs (`None` where the
/// text is null).
pub fn pages<'a>(
    texts: &'a ArrowStrings,
    sites: Option<&'a ArrowStrings>,
    urls: Option<&'a ArrowStrings>,
) -> PyResult<Vec<Option<Page<'a>>>> {
    for c in [sites, urls].into_iter().flatten() {
        if c.len != texts.len {
            return Err(PyValueError::new_err(format!(
                "columns differ in length ({} and {})",
                c.len, texts.len
            )));
        }
    }
    let at = |c: Option<&'a ArrowStrings>, i: usize| -> PyResult<Option<&'a str>> {
        c.map_or(Ok(None), |c| c.get(i))
    };
    (0..texts.len)
        .map(|i| {
            Ok(match texts.get(i)? {
                Some(text) => Some(Page {
                    text,
                    site: at(sites, i)?,
                    url: at(urls, i)?,
                }),
                None => None,
            })
        })
        .collect()
}

/// The buffers of a `large_string` array being built.
pub struct StringsOut {
    validity: Vec<u8>,
    offsets: Vec<u8>,
    data: Vec<u8>,
    len: usize,
    nulls: usize,
}

impl StringsOut {
    pub fn with_capacity(len: usize, data: usize) -> StringsOut {
        let mut offsets = Vec::with_capacity((len + 1) * 8);
        offsets.extend_from_slice(&0i64.to_le_bytes());
        StringsOut {
            validity: Vec::with_capacity(len.div_ceil(8)),
            offsets,
            data: Vec::with_capacity(data),
            len: 0,
            nulls: 0,
        }
    }

    pub fn push(&mut self, s: Option<&str>) {
        if self.len % 8 == 0 {
            self.validity.push(0);
        }
        match s {
            Some(s) => {
                *self.validity.last_mut().expect("pushed above") |= 1 << (self.len % 8);
                self.data.extend_from_slice(s.as_bytes());
            }
            None => self.nulls += 1,
        }
        self.offsets
            .extend_from_slice(&(self.data.len() as i64).to_le_bytes());
        self.len += 1;
    }

    /// `(validity or None, offsets, data, null count)` as Python bytes.
    pub fn into_py(
        self,
        py: Python<'_>,
    ) -> (
        Option<Bound<'_, PyBytes>>,
        Bound<'_, PyBytes>,
        Bound<'_, PyBytes>,
        usize,
    ) {
        let validity = (self.nulls > 0).then(|| PyBytes::new(py, &self.validity));
        (
            validity,
            PyBytes::new(py, &self.offsets),
            PyBytes::new(py, &self.data),
            self.nulls,
        )
    }
}
