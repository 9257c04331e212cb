"""dechrome as datatrove pipeline steps, in the shape of datatrove's multi-stage dedup:

1. :class:`DechromeLearn` — one partial model per task (``{rank:05d}.partial`` in a folder);
2. :class:`DechromeMerge` — one task merges them into the final model (``model.dechrome``);
3. :class:`DechromeClean` — every task cleans its documents against that model.

Each stage is its own executor run (``depends=`` chains them); the same steps run on
``LocalPipelineExecutor``, ``SlurmPipelineExecutor`` and ``RayPipelineExecutor``, with folders
that are local or remote (anything fsspec opens). The merged model is byte-identical to the one
``dechrome learn`` writes from all the documents, and the cleaned text to what ``dechrome run``
writes, whatever the number of tasks.

A document's site is ``metadata[site_key]`` when present and not empty, else the registrable
domain of ``metadata[url_key]`` (datatrove's JSONL reader puts the record's other fields in
``metadata``). Note that datatrove's readers drop documents whose text is empty, which
``dechrome run`` counts as pages: on a corpus with empty pages the counts differ.
"""

from __future__ import annotations

import os
from typing import Callable, Iterable, List, Optional, Tuple, Union

from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep

import dechrome

__all__ = [
    "DechromeLearn",
    "DechromeMerge",
    "DechromeClean",
    "stages",
    "PARTIAL_SUFFIX",
    "MODEL_NAME",
]

PARTIAL_SUFFIX = ".partial"
MODEL_NAME = "model.dechrome"


def _site_url(doc: Document, site_key: Optional[str], url_key: Optional[str]):
    md = doc.metadata or {}
    site = md.get(site_key) if site_key else None
    url = md.get(url_key) if url_key else None
    return (site if isinstance(site, str) else None, url if isinstance(url, str) else None)


class DechromeLearn(PipelineStep):
    """Stage 1: counts the task's documents into a partial model, written to
    ``output_folder/{rank:05d}.partial``. Yields no documents (as dedup's signature stages).
    ``memory`` bounds the counts (bytes or ``"2G"``; they spill to the local temporary
    directory beyond it)."""

    name = "🧽 dechrome learn"
    type = "🫂 - DEDUP"

    def __init__(
        self,
        output_folder: DataFolderLike,
        site_key: Optional[str] = "site",
        url_key: Optional[str] = "url",
        memory: Union[int, str, None] = None,
    ):
        super().__init__()
        self.output_folder = get_datafolder(output_folder)
        self.site_key = site_key
        self.url_key = url_key
        self.memory = memory

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        learner = dechrome.Learner(memory=self.memory, threads=1)
        for doc in data:
            with self.track_time():
                site, url = _site_url(doc, self.site_key, self.url_key)
                learner.add(doc.text, site, url)
            self.stat_update("pages")
        if learner.pages:
            data_out = learner.to_bytes()
            with self.output_folder.open(f"{rank:05d}{PARTIAL_SUFFIX}", "wb") as f:
                f.write(data_out)
        return
        yield  # a generator that yields nothing


class DechromeMerge(PipelineStep):
    """Stage 2 (one task): merges every ``*.partial`` of ``input_folder`` into the final
    model ``output_folder/model_name``. Local folders are merged in place (memory-mapped);
    remote ones are read into memory first."""

    name = "🧽 dechrome merge"
    type = "🫂 - DEDUP"

    def __init__(
        self,
        input_folder: DataFolderLike,
        output_folder: DataFolderLike,
        model_name: str = MODEL_NAME,
    ):
        super().__init__()
        self.input_folder = get_datafolder(input_folder)
        self.output_folder = get_datafolder(output_folder)
        self.model_name = model_name

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if rank != 0:
            return
        files: List[str] = self.input_folder.list_files(glob_pattern="*" + PARTIAL_SUFFIX)
        if not files:
            raise dechrome.DechromeError("no readable pages in the input; nothing to learn from")
        with self.track_time():
            if self.input_folder.is_local():
                parts: List[Union[str, bytes]] = list(self.input_folder.resolve_paths(files))
            else:
                parts = []
                for f in files:
                    with self.input_folder.open(f, "rb") as fh:
                        parts.append(fh.read())
            if self.output_folder.is_local():
                out = self.output_folder.resolve_paths(self.model_name)
                os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
                dechrome.merge(parts, out)
            else:
                model = dechrome.merge(parts)
                with self.output_folder.open(self.model_name, "wb") as fh:
                    fh.write(model)
        self.stat_update("partial_models", value=len(files))
        return
        yield  # a generator that yields nothing


class DechromeClean(PipelineStep):
    """Stage 3: replaces each document's text by its cleaned text (the kept blocks), in
    batches of ``batch_size`` cleaned on ``threads`` threads with the GIL released.
    ``keep_removed`` stores the removed blocks in ``metadata["dechrome_removed"]`` as
    ``[line, text, reason]`` lists; ``drop_empty`` drops documents left without text."""

    name = "🧽 dechrome clean"
    type = "✂️ - FORMAT"

    def __init__(
        self,
        model_folder: DataFolderLike,
        model_name: str = MODEL_NAME,
        site_key: Optional[str] = "site",
        url_key: Optional[str] = "url",
        batch_size: int = 512,
        threads: int = 1,
        keep_removed: bool = False,
        drop_empty: bool = False,
    ):
        super().__init__()
        self.model_folder = get_datafolder(model_folder)
        self.model_name = model_name
        self.site_key = site_key
        self.url_key = url_key
        self.batch_size = batch_size
        self.threads = threads
        self.keep_removed = keep_removed
        self.drop_empty = drop_empty
        self._model: Optional[dechrome.Model] = None

    def _load(self) -> dechrome.Model:
        if self._model is None:
            if self.model_folder.is_local():
                self._model = dechrome.Model.open(self.model_folder.resolve_paths(self.model_name))
            else:
                with self.model_folder.open(self.model_name, "rb") as fh:
                    self._model = dechrome.Model.from_bytes(fh.read())
        return self._model

    def _clean(self, batch: List[Document]) -> Iterable[Document]:
        sites, urls = zip(*(_site_url(d, self.site_key, self.url_key) for d in batch))
        with self.track_time(unit="batch"):
            out = self._load().clean_batch(
                [d.text for d in batch], list(sites), list(urls),
                threads=self.threads, keep_removed=self.keep_removed,
            )
        for doc, cleaned in zip(batch, out):
            if self.keep_removed:
                cleaned, removed = cleaned
                doc.metadata["dechrome_removed"] = [list(r) for r in removed]
            self.stat_update("bytes_in", value=len(doc.text))
            doc.text = cleaned
            self.stat_update("bytes_out", value=len(cleaned))
            if self.drop_empty and not cleaned:
                self.stat_update("dropped_empty")
                continue
            self.update_doc_stats(doc)
            yield doc

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        batch: List[Document] = []
        for doc in data:
            batch.append(doc)
            if len(batch) >= self.batch_size:
                yield from self._clean(batch)
                batch = []
        if batch:
            yield from self._clean(batch)


def stages(
    reader: Callable[[], PipelineStep],
    writer: Callable[[], PipelineStep],
    work_folder: str,
    *,
    site_key: Optional[str] = "site",
    url_key: Optional[str] = "url",
    memory: Union[int, str, None] = None,
    threads: int = 1,
    keep_removed: bool = False,
) -> Tuple[list, list, list]:
    """The three pipelines, for three executors chained with ``depends=``: learn (one task
    per input shard, partial models in ``work_folder/partial``), merge (one task, the model in
    ``work_folder/model``) and clean (``reader() -> DechromeClean -> writer()``). ``reader``
    and ``writer`` make a fresh step each time they are called (the input is read twice)."""
    work_folder = work_folder.rstrip("/")
    parts, model = f"{work_folder}/partial", f"{work_folder}/model"
    return (
        [reader(), DechromeLearn(parts, site_key=site_key, url_key=url_key, memory=memory)],
        [DechromeMerge(parts, model)],
        [
            reader(),
            DechromeClean(
                model, site_key=site_key, url_key=url_key, threads=threads,
                keep_removed=keep_removed,
            ),
            writer(),
        ],
    )
