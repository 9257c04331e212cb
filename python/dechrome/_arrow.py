"""Arrow columns to and from the native code, without copying the input: the buffers of a
``string``/``large_string`` array are described by address and size (the array is held by
the calling frame while the native call runs), and results come back as the buffers of a
``large_string`` array."""

from __future__ import annotations

from typing import Any, Optional

import pyarrow as pa
import pyarrow.compute as pc


def _strings(arr: Any) -> Optional[pa.Array]:
    """A string or large_string array (cast when needed); None for an all-null column."""
    if arr is None:
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not isinstance(arr, pa.Array):
        arr = pa.array(arr)
    t = arr.type
    if pa.types.is_null(t):
        return None
    if not (pa.types.is_string(t) or pa.types.is_large_string(t)):
        arr = pc.cast(arr, pa.large_string())
    return arr


def describe(arr: Optional[pa.Array]):
    """The tuple the native code reads a string array from."""
    if arr is None:
        return None
    v, o, d = arr.buffers()
    large = pa.types.is_large_string(arr.type)
    return (
        len(arr),
        arr.offset,
        v.address if (v is not None and arr.null_count) else 0,
        v.size if (v is not None and arr.null_count) else 0,
        o.address if o is not None else 0,
        o.size if o is not None else 0,
        d.address if d is not None else 0,
        d.size if d is not None else 0,
        large,
    )


def _wrap(validity, offsets, data, nulls, n) -> pa.Array:
    bufs = [
        pa.py_buffer(validity) if validity is not None else None,
        pa.py_buffer(offsets),
        pa.py_buffer(data),
    ]
    return pa.Array.from_buffers(pa.large_string(), n, bufs, null_count=nulls)


REMOVED_TYPE = pa.list_(
    pa.struct([("line", pa.uint32()), ("text", pa.large_string()), ("reason", pa.string())])
)


def _removed(rows) -> pa.Array:
    return pa.array(
        [
            None if r is None else [{"line": a, "text": b, "reason": c} for a, b, c in r]
            for r in rows
        ],
        type=REMOVED_TYPE,
    )


def _clean_arrays(native, texts, sites, urls, threads, keep_removed):
    t, s, u = _strings(texts), _strings(sites), _strings(urls)
    if t is None:
        n = len(texts)
        return pa.nulls(n, pa.large_string()), (pa.nulls(n, REMOVED_TYPE) if keep_removed else None)
    v, o, d, nulls, removed = native.clean_arrow(
        describe(t), describe(s), describe(u), threads, keep_removed
    )
    out = _wrap(v, o, d, nulls, len(t))
    return out, (_removed(removed) if keep_removed else None)


def clean_column(native, texts, sites, urls, threads):
    if isinstance(texts, pa.ChunkedArray):
        chunks, start = [], 0
        for c in texts.chunks:
            sl = lambda col: None if col is None else col.slice(start, len(c))  # noqa: E731
            chunks.append(_clean_arrays(native, c, sl(sites), sl(urls), threads, False)[0])
            start += len(c)
        return pa.chunked_array(chunks, type=pa.large_string())
    return _clean_arrays(native, texts, sites, urls, threads, False)[0]


def _col(batch, name):
    if name is None or name not in batch.schema.names:
        return None
    return batch.column(name)


def clean_batch(native, batch: pa.RecordBatch, text_col, site_col, url_col, threads,
                keep_removed, removed_col, removed_type=None) -> pa.RecordBatch:
    """The batch with ``text_col`` cleaned (in the column's own string type) and, with
    ``keep_removed``, a ``removed_col`` column (cast to ``removed_type`` when given)."""
    i = batch.schema.get_field_index(text_col)
    if i < 0:
        raise KeyError(f"no column {text_col!r} in {batch.schema.names}")
    cleaned, removed = _clean_arrays(
        native, batch.column(i), _col(batch, site_col), _col(batch, url_col), threads,
        keep_removed,
    )
    field = batch.schema.field(i)
    if cleaned.type != field.type:
        cleaned = cleaned.cast(field.type)
    cols = list(batch.columns)
    cols[i] = cleaned
    names = list(batch.schema.names)
    if keep_removed:
        if removed_type is not None and removed.type != removed_type:
            removed = removed.cast(removed_type)
        cols.append(removed)
        names.append(removed_col)
    return pa.RecordBatch.from_arrays(cols, names=names)


def clean_table(native, data, text_col, site_col, url_col, threads, keep_removed, removed_col):
    if isinstance(data, pa.RecordBatch):
        return clean_batch(native, data, text_col, site_col, url_col, threads, keep_removed,
                           removed_col)
    batches = [
        clean_batch(native, b, text_col, site_col, url_col, threads, keep_removed, removed_col)
        for b in data.to_batches()
    ]
    if not batches:
        return data
    return pa.Table.from_batches(batches)


def learn_column(native, texts, sites, urls, threads):
    t, s, u = _strings(texts), _strings(sites), _strings(urls)
    if t is not None:
        native.add_arrow(describe(t), describe(s), describe(u), threads)


def learn_table(native, data, text_col, site_col, url_col, threads):
    if isinstance(data, pa.Table):
        batches = data.to_batches()
    elif isinstance(data, pa.RecordBatch):
        batches = [data]
    else:
        batches = data
    for b in batches:
        if text_col not in b.schema.names:
            raise KeyError(f"no column {text_col!r} in {b.schema.names}")
        learn_column(native, b.column(text_col), _col(b, site_col), _col(b, url_col), threads)
