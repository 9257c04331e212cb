"""Shared fixtures: the dechrome binary (the reference every test compares bytes with), a
generated crawl, big9 when ../shared/data is beside the clone, and one Spark session."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _binary() -> Path:
    env = os.environ.get("DECHROME_BIN")
    if env:
        return Path(env)
    p = ROOT / "target" / "release" / "dechrome"
    if not p.exists():
        subprocess.run(
            ["cargo", "build", "--release", "--bin", "dechrome"], cwd=ROOT, check=True
        )
    return p


@pytest.fixture(scope="session")
def dechrome_bin() -> Path:
    return _binary()


def run_cli(bin_: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_), *map(str, args)], check=True, capture_output=True)


def read_jsonl(path) -> list:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


class Corpus:
    """A crawl with what the CLI makes of it: `dechrome run`'s cleaned texts, by record, and
    `dechrome learn`'s model bytes."""

    def __init__(self, name: str, path: Path, bin_: Path, work: Path):
        self.name = name
        self.path = path
        self.records = [
            {k: r.get(k) for k in ("id", "site", "url", "text")} for r in read_jsonl(path)
        ]
        out = work / f"{name}.run.jsonl"
        run_cli(bin_, "run", path, "-o", out, "--force", "-q")
        self.expected = [r["text"] for r in read_jsonl(out)]
        model = work / f"{name}.model"
        run_cli(bin_, "learn", path, "-o", model, "--force", "-q")
        self.model_path = model
        self.model_bytes = model.read_bytes()
        assert len(self.expected) == len(self.records)

    @property
    def texts(self):
        return [r["text"] for r in self.records]

    @property
    def sites(self):
        return [r.get("site") for r in self.records]

    @property
    def urls(self):
        return [r.get("url") for r in self.records]

    def shards(self, n: int) -> list:
        """The records split into `n` contiguous shards (the last ones may be empty)."""
        k = -(-len(self.records) // n)
        return [self.records[i * k : (i + 1) * k] for i in range(n)]


def shared_data() -> Path:
    env = os.environ.get("DECHROME_SHARED_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("dechrome")


@pytest.fixture(scope="session")
def generated(dechrome_bin, work) -> Corpus:
    path = work / "generated.jsonl"
    run_cli(dechrome_bin, "generate", "-o", path, "--sites", "8", "--pages-per-site", "25",
            "--seed", "7", "--force")
    return Corpus("generated", path, dechrome_bin, work)


@pytest.fixture(scope="session")
def big9(dechrome_bin, work) -> Corpus:
    path = shared_data() / "big9" / "pages.jsonl"
    if not path.exists():
        pytest.skip(f"{path} absent (../shared/data is beside the clone on CI)")
    return Corpus("big9", path, dechrome_bin, work)


@pytest.fixture(params=["generated", "big9"])
def corpus(request) -> Corpus:
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="session")
def spark():
    pyspark = pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    s = (
        SparkSession.builder.master("local[2]")
        .appName("dechrome-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")
        .getOrCreate()
    )
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()
