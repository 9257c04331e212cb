"""dechrome.datatrove with LocalPipelineExecutor: learn per task -> merge -> clean, as
datatrove's multi-stage dedup; the same model bytes as `dechrome learn` and the same text as
`dechrome run`, for 1, 3 and 8 tasks."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("datatrove")

from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.readers import JsonlReader  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402

from dechrome.datatrove import DechromeClean, DechromeLearn, DechromeMerge  # noqa: E402
from conftest import read_jsonl  # noqa: E402


def run_pipeline(corpus, tasks, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i, shard in enumerate(corpus.shards(tasks)):
        with open(src / f"shard-{i:03d}.jsonl", "w", encoding="utf-8") as f:
            for r in shard:
                f.write(json.dumps(r) + "\n")
    parts, model_dir, out = tmp_path / "parts", tmp_path / "model", tmp_path / "out"
    common = dict(workers=min(tasks, 2), start_method="fork")
    learn = LocalPipelineExecutor(
        [JsonlReader(str(src)), DechromeLearn(str(parts))],
        tasks=tasks, logging_dir=str(tmp_path / "logs/learn"), **common,
    )
    merge = LocalPipelineExecutor(
        [DechromeMerge(str(parts), str(model_dir))],
        tasks=1, logging_dir=str(tmp_path / "logs/merge"), depends=learn, workers=1,
    )
    clean = LocalPipelineExecutor(
        [
            JsonlReader(str(src)),
            DechromeClean(str(model_dir)),
            JsonlWriter(str(out), output_filename="${rank}.jsonl", compression=None),
        ],
        tasks=tasks, logging_dir=str(tmp_path / "logs/clean"), depends=merge, **common,
    )
    clean.run()
    return model_dir / "model.dechrome", out


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
