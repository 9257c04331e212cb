"""dechrome on PySpark: learn a model from a DataFrame and clean it, as a map and a reduce.

Learning: each partition counts its pages into a *partial* model (``mapInArrow``); the
partial models are merged, on the driver or (for many partitions) by a tree of merges on the
executors, into one final model, byte-identical to the one ``dechrome learn`` writes from all
the pages. Cleaning: the model file is shipped to the executors with ``SparkContext.addFile``
(or read from a path they share), memory-mapped once per Python worker, and each partition is
cleaned batch by batch with Arrow (``mapInArrow``), in order. The cleaned text is the same,
byte for byte, as ``dechrome run`` writes for the same pages, whatever the partitioning.

    from dechrome.spark import clean
    df = spark.read.json("crawl.jsonl")
    cleaned = clean(df, text_col="text", url_col="url", site_col="site")

Sites: a page's site is ``site_col`` when given and not empty, else the registrable domain of
``url_col`` (as the CLI, whose default site field is ``site``: pass ``site_col="site"`` when the
records carry one, to get the CLI's bytes).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from typing import Any, Dict, Iterator, Optional, Union

import dechrome

__all__ = ["learn", "clean", "ship_model"]

# Models opened in this Python worker, by the name they were shipped under: each worker maps
# a model once and reuses it for every task (Spark reuses Python workers by default).
_OPEN: Dict[str, "dechrome.Model"] = {}


def _columns(df, text_col: str, url_col: Optional[str], site_col: Optional[str]):
    names = set(df.columns)
    if text_col not in names:
        raise KeyError(f"no column {text_col!r} in {df.columns}")
    url = url_col if url_col in names else None
    site = site_col if site_col in names else None
    if site_col is not None and site is None:
        raise KeyError(f"no column {site_col!r} in {df.columns}")
    return url, site


def _partials(df, text_col, url_col, site_col, memory):
    """A DataFrame of one partial model (bytes) per non-empty partition."""
    import pyarrow as pa

    cols = [c for c in (text_col, site_col, url_col) if c]

    def learn_partition(batches: Iterator["pa.RecordBatch"]) -> Iterator["pa.RecordBatch"]:
        from dechrome import _arrow

        learner = dechrome.Learner(memory=memory, threads=1)
        for b in batches:
            _arrow.learn_column(
                learner._l,
                b.column(text_col),
                b.column(site_col) if site_col else None,
                b.column(url_col) if url_col else None,
                1,
            )
        if learner.pages:
            part = learner.to_bytes()
            yield pa.RecordBatch.from_arrays([pa.array([part], pa.binary())], ["part"])

    return df.select(*cols).mapInArrow(learn_partition, "part binary")


def learn(
    df,
    text_col: str = "text",
    url_col: Optional[str] = "url",
    site_col: Optional[str] = None,
    *,
    memory: Union[int, str, None] = None,
    tree_above: int = 64,
    tree_depth: int = 2,
) -> "dechrome.Model":
    """Learns a final model from the pages of ``df``: partial models per partition, merged
    on the driver, or by a tree of merges on the executors when there are more than
    ``tree_above`` partitions (``treeReduce`` with ``tree_depth``). ``memory`` bounds each
    partition's counts (they spill to the executor's temporary directory beyond it)."""
    url_col, site_col = _columns(df, text_col, url_col, site_col)
    parts = _partials(df, text_col, url_col, site_col, memory)
    if df.rdd.getNumPartitions() > tree_above:
        merged = parts.rdd.map(lambda r: bytes(r.part)).treeReduce(
            lambda a, b: dechrome.merge([a, b], partial=True), depth=tree_depth
        )
        final = dechrome.merge([merged])
    else:
        rows = [bytes(r.part) for r in parts.collect()]
        if not rows:
            raise dechrome.DechromeError("no readable pages in the input; nothing to learn from")
        final = dechrome.merge(rows)
    return dechrome.Model.from_bytes(final)


def ship_model(spark, model: Union["dechrome.Model", str, "os.PathLike[str]"]) -> str:
    """Ships a model to the executors (``SparkContext.addFile``) and returns the name to open
    it by there. A path is shipped as it is; a Model is saved to a temporary file first."""
    sc = spark.sparkContext
    if isinstance(model, dechrome.Model):
        data = model.to_bytes()
        name = "dechrome-" + hashlib.sha1(data).hexdigest()[:16] + ".model"
        path = os.path.join(tempfile.mkdtemp(prefix="dechrome-spark"), name)
        with open(path, "wb") as f:
            f.write(data)
    else:
        path = os.fspath(model)
        name = os.path.basename(path)
    sc.addFile(path)
    return name


def _open_shipped(name: str) -> "dechrome.Model":
    m = _OPEN.get(name)
    if m is None:
        from pyspark import SparkFiles

        m = dechrome.Model.open(SparkFiles.get(name))
        _OPEN[name] = m
    return m


def clean(
    df,
    text_col: str = "text",
    url_col: Optional[str] = "url",
    site_col: Optional[str] = None,
    *,
    model: Union["dechrome.Model", str, "os.PathLike[str]", None] = None,
    keep_removed: bool = False,
    removed_col: str = "removed",
    threads: int = 1,
    memory: Union[int, str, None] = None,
    shared_path: bool = False,
):
    """``df`` with ``text_col`` cleaned (and, with ``keep_removed``, a ``removed_col`` column
    of ``{line, text, reason}`` structs for the removed blocks), in the same order.

    The model is learned from ``df`` itself when ``model`` is None (see :func:`learn`), or
    given: a :class:`dechrome.Model`, or the path of a model file. A path is shipped with
    ``addFile``, or opened in place on the executors when ``shared_path`` (a file system all
    of them mount). ``threads`` is per task: Spark already runs one task per core."""
    from pyspark.sql.types import (
        ArrayType,
        IntegerType,
        StringType,
        StructField,
        StructType,
    )

    url_col, site_col = _columns(df, text_col, url_col, site_col)
    if model is None:
        model = learn(df, text_col, url_col, site_col, memory=memory)
    if shared_path and not isinstance(model, dechrome.Model):
        path = os.path.abspath(os.fspath(model))
        opener = lambda: _OPEN.get(path) or _OPEN.setdefault(path, dechrome.Model.open(path))  # noqa: E731
    else:
        name = ship_model(df.sparkSession, model)
        opener = lambda: _open_shipped(name)  # noqa: E731

    schema = df.schema
    if keep_removed:
        removed_t = ArrayType(
            StructType(
                [
                    StructField("line", IntegerType()),
                    StructField("text", StringType()),
                    StructField("reason", StringType()),
                ]
            )
        )
        schema = StructType(schema.fields + [StructField(removed_col, removed_t)])

    def clean_partition(batches):
        import pyarrow as pa

        from dechrome import _arrow

        m = opener()
        for b in batches:
            text_t = b.schema.field(text_col).type
            removed_type = pa.list_(
                pa.struct([("line", pa.int32()), ("text", text_t), ("reason", text_t)])
            )
            yield _arrow.clean_batch(
                m._m, b, text_col, site_col, url_col, threads, keep_removed, removed_col,
                removed_type=removed_type,
            )

    return df.mapInArrow(clean_partition, schema)
