"""dechrome: strip site chrome (navigation, footers, share rows, teasers of other articles)
from scraped web text by learning, per site, which blocks recur across its pages.

Learning is a count of blocks per site (a map over pages and a sum of counts: partial models
learned on shards merge into exactly the model learned in one go); cleaning is a map over pages
against one shared, memory-mapped model. Both give the same bytes as the ``dechrome`` command
line (``dechrome run``) on the same pages, however the pages are split.

    >>> import dechrome
    >>> model = dechrome.Model.learn(records)             # dicts with text, url and/or site
    >>> model.clean(page_text, url="https://example.org/a")
    >>> model.clean_batch(texts, urls=urls, threads=4)      # lists or Arrow, GIL released
    >>> model.save("crawl.model")

See :mod:`dechrome.spark` and :mod:`dechrome.datatrove` for the same on clusters.
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Iterator, List, Mapping, Optional, Sequence, Union

from . import _dechrome
from ._dechrome import DechromeError, ModelError

__all__ = [
    "Model",
    "Learner",
    "merge",
    "site_of",
    "DechromeError",
    "ModelError",
    "__version__",
]
__version__: str = _dechrome.__version__

PathLike = Union[str, "os.PathLike[str]"]

# Pages handed to the native code per call when records come one by one.
_BATCH = 4096


def _parse_memory(memory: Union[int, str, None]) -> Optional[int]:
    """Bytes from an int or a size such as ``"512M"`` or ``"2G"`` (as the CLI's --memory)."""
    if memory is None or isinstance(memory, int):
        return memory
    s = memory.strip().upper().rstrip("B").rstrip("I")
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    if s and s[-1] in units:
        return int(float(s[:-1]) * units[s[-1]])
    return int(s)


def _str_or_none(v: Any) -> Optional[str]:
    return v if isinstance(v, str) else None


def site_of(site: Optional[str] = None, url: Optional[str] = None) -> str:
    """The site key dechrome gives a page: ``site`` when not empty, else the registrable
    domain of ``url`` (``news.bbc.co.uk`` -> ``bbc.co.uk``), else ``""``."""
    return _dechrome.NativeModel.site_key(site, url)


def _is_arrow(x: Any) -> bool:
    mod = type(x).__module__ or ""
    return mod.startswith("pyarrow")


class Model:
    """A learned model: per-site and cross-site block frequencies, memory-mapped from its
    file. Cheap to share between threads; cleaning releases the GIL."""

    __slots__ = ("_m",)

    def __init__(self, native: "_dechrome.NativeModel") -> None:
        self._m = native

    # --- loading and saving -------------------------------------------------------------
    @classmethod
    def open(cls, path: PathLike) -> "Model":
        """Opens a final model file (from ``dechrome learn``, ``dechrome merge``,
        :meth:`save` or :func:`merge`). Raises :class:`ModelError` for a file that is not a
        model, of another format version, damaged, or partial."""
        return cls(_dechrome.NativeModel.open(os.fspath(path)))

    @classmethod
    def from_bytes(cls, data: bytes) -> "Model":
        """A model from the bytes of a final model file."""
        return cls(_dechrome.NativeModel.from_bytes(bytes(data)))

    def save(self, path: PathLike) -> None:
        """Writes the model file to ``path`` (replacing it; written under a temporary name
        and renamed, so readers never see half a model)."""
        self._m.save(os.fspath(path))

    def to_bytes(self) -> bytes:
        """The bytes of the model file."""
        return self._m.to_bytes()

    @property
    def path(self) -> str:
        """The file the model is mapped from (a temporary file for learned models)."""
        return os.fspath(self._m.path)

    @property
    def header(self) -> dict:
        """``pages``, ``sites``, ``keys``, ``partial`` and ``shingle_max_tokens``."""
        return self._m.header

    def __reduce__(self):
        # Pickled as its bytes: a model captured in a Spark or multiprocessing closure.
        return (Model.from_bytes, (self.to_bytes(),))

    def __repr__(self) -> str:
        h = self.header
        return f"<dechrome.Model: {h['pages']} pages, {h['sites']} sites, {h['keys']} keys>"

    # --- learning -----------------------------------------------------------------------
    @classmethod
    def learn(
        cls,
        records: Any,
        *,
        memory: Union[int, str, None] = None,
        threads: Optional[int] = None,
        text_key: str = "text",
        site_key: str = "site",
        url_key: str = "url",
    ) -> "Model":
        """Learns a model from ``records``: an iterable of dicts (``text``, and ``site``
        and/or ``url`` naming the page's site, as the JSONL records of ``dechrome learn``),
        or a pyarrow Table / RecordBatch (or an iterable of RecordBatches) with those columns.

        ``memory`` bounds the counts (bytes, or ``"2G"``; beyond it they spill to disk, with
        the same result); ``threads`` computes features on that many threads (all cores when
        None). The model equals the one ``dechrome learn`` writes from the same pages."""
        learner = Learner(memory=memory, threads=threads)
        learner.add_records(records, text_key=text_key, site_key=site_key, url_key=url_key)
        return learner.model()

    # --- cleaning -----------------------------------------------------------------------
    def clean(self, text: str, site: Optional[str] = None, url: Optional[str] = None) -> str:
        """The page's own text: the kept blocks joined by ``\\n``. The site is ``site`` when
        given, else the registrable domain of ``url``."""
        return self._m.clean_texts([text], [site], [url], 1)[0]

    def clean_batch(
        self,
        texts: Any,
        sites: Any = None,
        urls: Any = None,
        *,
        threads: Optional[int] = None,
        keep_removed: bool = False,
        text_col: str = "text",
        site_col: Optional[str] = "site",
        url_col: Optional[str] = "url",
        removed_col: str = "removed",
    ) -> Any:
        """Cleans many pages at once, in parallel (``threads``; all cores when None) with the
        GIL released, results in input order.

        - ``texts`` a list of str (None items stay None): returns a list of str, or with
          ``keep_removed`` a list of ``(text, [(line, block, reason), ...])``;
        - ``texts`` a pyarrow Array or ChunkedArray of strings (``sites``/``urls`` likewise):
          returns a ``large_string`` array (chunked like the input);
        - ``texts`` a pyarrow Table or RecordBatch: returns it with ``text_col`` cleaned
          (site and URL from ``site_col``/``url_col`` when present), and with
          ``keep_removed`` a ``removed_col`` column of ``{line, text, reason}`` lists.
        """
        if _is_arrow(texts):
            from . import _arrow

            if hasattr(texts, "schema") and hasattr(texts, "column"):
                return _arrow.clean_table(
                    self._m, texts, text_col, site_col, url_col, threads, keep_removed,
                    removed_col,
                )
            return _arrow.clean_column(self._m, texts, sites, urls, threads)
        texts = list(texts)
        sites = None if sites is None else [_str_or_none(s) for s in sites]
        urls = None if urls is None else [_str_or_none(u) for u in urls]
        return self._m.clean_texts(texts, sites, urls, threads, keep_removed)

    def explain(
        self, text: str, site: Optional[str] = None, url: Optional[str] = None
    ) -> List[dict]:
        """Every block (line) of the page with its decision: ``line``, ``text``, ``kept``,
        ``reason`` (``site-template``, ``cross-site``, ``templated``, ``repeated``,
        ``context``, ``kept:unique``, ``kept:shared``, ``kept:context``, ``kept:header``) and
        the figures behind it (``site_pages_with``, ``site_pages``, ``cross_sites``,
        ``templated``, ``score``), as ``dechrome explain`` shows them."""
        return self._m.explain(text, site, url)


class Learner:
    """Counts pages into a model, batch by batch: feed it with :meth:`add`,
    :meth:`add_batch` or :meth:`add_records`, then take :meth:`model` (final), or
    :meth:`partial` / :meth:`to_bytes` (a partial model, for :func:`merge` with the partial
    models of other shards). A learner writes its model once."""

    __slots__ = ("_l", "_threads", "_pending")

    def __init__(self, memory: Union[int, str, None] = None, threads: Optional[int] = None):
        self._l = _dechrome.NativeLearner(_parse_memory(memory))
        self._threads = threads
        self._pending: List[tuple] = []

    def add(self, text: str, site: Optional[str] = None, url: Optional[str] = None) -> None:
        """Counts one page."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        self._pending.append((text, _str_or_none(site), _str_or_none(url)))
        if len(self._pending) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            t, s, u = zip(*self._pending)
            self._pending = []
            self._l.add_texts(list(t), list(s), list(u), self._threads)

    def add_batch(self, texts: Any, sites: Any = None, urls: Any = None) -> None:
        """Counts many pages: lists of str (None texts passed over), pyarrow arrays, or a
        pyarrow Table / RecordBatch (columns ``text``, ``site``, ``url``)."""
        self._flush()
        if _is_arrow(texts):
            from . import _arrow

            if hasattr(texts, "schema") and hasattr(texts, "column"):
                _arrow.learn_table(self._l, texts, "text", "site", "url", self._threads)
            else:
                _arrow.learn_column(self._l, texts, sites, urls, self._threads)
            return
        texts = list(texts)
        sites = None if sites is None else [_str_or_none(s) for s in sites]
        urls = None if urls is None else [_str_or_none(u) for u in urls]
        self._l.add_texts(texts, sites, urls, self._threads)

    def add_records(
        self,
        records: Any,
        *,
        text_key: str = "text",
        site_key: str = "site",
        url_key: str = "url",
    ) -> None:
        """Counts records: dicts, or pyarrow Tables / RecordBatches (or an iterable of
        RecordBatches). A dict without a string ``text_key`` raises :class:`DechromeError`."""
        self._flush()
        if _is_arrow(records):
            from . import _arrow

            _arrow.learn_table(self._l, records, text_key, site_key, url_key, self._threads)
            return
        t: List[str] = []
        s: List[Optional[str]] = []
        u: List[Optional[str]] = []
        for i, rec in enumerate(records):
            if _is_arrow(rec):
                from . import _arrow

                _arrow.learn_table(self._l, rec, text_key, site_key, url_key, self._threads)
                continue
            text = rec.get(text_key) if isinstance(rec, Mapping) else None
            if not isinstance(text, str):
                raise DechromeError(f"record {i + 1}: record has no text field {text_key!r}")
            t.append(text)
            s.append(_str_or_none(rec.get(site_key)))
            u.append(_str_or_none(rec.get(url_key)))
            if len(t) >= _BATCH:
                self._l.add_texts(t, s, u, self._threads)
                t, s, u = [], [], []
        if t:
            self._l.add_texts(t, s, u, self._threads)

    @property
    def pages(self) -> int:
        """Pages counted so far."""
        return self._l.pages + len(self._pending)

    def model(self) -> Model:
        """The final model of the pages counted (the learner is spent)."""
        self._flush()
        if self.pages == 0:
            raise DechromeError("no readable pages in the input; nothing to learn from")
        return Model(self._l.finish(False))

    def partial(self, path: PathLike) -> None:
        """Writes a partial model to ``path``, for :func:`merge` (the learner is spent)."""
        self._flush()
        self._l.write(os.fspath(path), True)

    def to_bytes(self) -> bytes:
        """The bytes of a partial model, for :func:`merge` (the learner is spent)."""
        self._flush()
        return self._l.finish(True).to_bytes()


def merge(
    parts: Iterable[Union[PathLike, bytes]],
    out: Optional[PathLike] = None,
    *,
    partial: bool = False,
) -> Optional[bytes]:
    """Merges partial models (paths or bytes from :meth:`Learner.to_bytes`), summing their
    counts: the final model is byte-identical to the one learned from all their pages at
    once. Written to ``out`` when given (returns None), else returned as bytes (load them with
    :meth:`Model.from_bytes`). ``partial=True`` keeps the result partial, for merging by a
    tree."""
    items = [p if isinstance(p, (bytes, bytearray, memoryview)) else os.fspath(p) for p in parts]
    items = [bytes(p) if isinstance(p, (bytearray, memoryview)) else p for p in items]
    return _dechrome.merge(items, None if out is None else os.fspath(out), partial)
