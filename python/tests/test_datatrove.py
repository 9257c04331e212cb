"""dechrome.datatrove with LocalPipelineExecutor: learn per task -> merge -> clean, as
datatrove's multi-stage dedup; the same model bytes as `dechrome learn` and the same text as
`dechrome run`, for 1, 3 and 8 tasks."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("datatrove")

import importlib.util  # noqa: E402
from pathlib import Path  # noqa: E402

from conftest import read_jsonl  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "datatrove_local", Path(__file__).parents[1] / "examples" / "datatrove_local.py"
)
example = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(example)


def run_pipeline(corpus, tasks, tmp_path):
    """Runs examples/datatrove_local.py on the corpus split into `tasks` shards."""
    src = tmp_path / "in"
    src.mkdir()
    for i, shard in enumerate(corpus.shards(tasks)):
        with open(src / f"shard-{i:03d}.jsonl", "w", encoding="utf-8") as f:
            for r in shard:
                f.write(json.dumps(r) + "\n")
    out, work = tmp_path / "out", tmp_path / "work"
    example.main(str(src), str(out), str(work), tasks, min(tasks, 2))
    return work / "model" / "model.dechrome", out


@pytest.mark.parametrize("tasks", [1, 3, 8])
def test_datatrove_pipeline_gives_the_cli_bytes(corpus, tasks, tmp_path):
    model, out = run_pipeline(corpus, tasks, tmp_path)
    assert model.read_bytes() == corpus.model_bytes
    got = {}
    for f in sorted(out.glob("*.jsonl")):
        for r in read_jsonl(f):
            got[r["id"]] = r["text"]
    want = {r["id"]: t for r, t in zip(corpus.records, corpus.expected)}
    assert got == want
