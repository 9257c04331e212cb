"""The Python API against the command line: the same model bytes as `dechrome learn` and the
same cleaned text as `dechrome run`, from dicts, lists and Arrow, in one go or merged from 1, 3
and 8 partial models."""

from __future__ import annotations

import pickle

import pyarrow as pa
import pytest

import dechrome
from conftest import read_jsonl, run_cli


def test_learn_from_dicts_gives_the_cli_model_and_text(corpus):
    model = dechrome.Model.learn(corpus.records)
    assert model.to_bytes() == corpus.model_bytes
    assert model.header["pages"] == len(corpus.records)
    got = model.clean_batch(corpus.texts, corpus.sites, corpus.urls)
    assert got == corpus.expected


def test_clean_one_page_and_threads(corpus):
    model = dechrome.Model.open(corpus.model_path)
    for r, want in list(zip(corpus.records, corpus.expected))[:20]:
        assert model.clean(r["text"], site=r["site"], url=r["url"]) == want
    for threads in (1, 2):
        got = model.clean_batch(corpus.texts, corpus.sites, corpus.urls, threads=threads)
        assert got == corpus.expected


@pytest.mark.parametrize("parts", [1, 3, 8])
def test_partial_models_merge_into_the_same_bytes(corpus, parts, tmp_path):
    shards = corpus.shards(parts)
    blobs = []
    for i, shard in enumerate(shards):
        learner = dechrome.Learner()
        for r in shard:
            learner.add(r["text"], r["site"], r["url"])
        if i % 2:  # half as files, half as bytes
            p = tmp_path / f"{i}.partial"
            learner.partial(p)
            blobs.append(p)
        elif learner.pages:
            blobs.append(learner.to_bytes())
    out = tmp_path / "merged.model"
    assert dechrome.merge(blobs, out) is None
    assert out.read_bytes() == corpus.model_bytes
    # A tree: pairs merged as partial models, then finished.
    layer = [b if isinstance(b, bytes) else b.read_bytes() for b in blobs]
    while len(layer) > 1:
        layer = [
            dechrome.merge(layer[i : i + 2], partial=True) if i + 1 < len(layer) else layer[i]
            for i in range(0, len(layer), 2)
        ]
    final = dechrome.merge(layer)
    assert final == corpus.model_bytes
    model = dechrome.Model.from_bytes(final)
    assert model.clean_batch(corpus.texts, corpus.sites, corpus.urls) == corpus.expected


def test_a_small_memory_budget_spills_and_gives_the_same_model(generated):
    learner = dechrome.Learner(memory="1M", threads=1)
    learner.add_records(generated.records)
    assert learner.model().to_bytes() == generated.model_bytes


def test_arrow_table_batches_and_columns(corpus):
    table = pa.Table.from_pylist(corpus.records)
    model = dechrome.Model.learn(table)
    assert model.to_bytes() == corpus.model_bytes
    model = dechrome.Model.learn(table.to_batches(max_chunksize=50))
    assert model.to_bytes() == corpus.model_bytes
    # A table in chunks, sliced (offsets not at 0), large and plain strings.
    chunked = pa.Table.from_batches(table.to_batches(max_chunksize=37))
    cleaned = model.clean_batch(chunked)
    assert cleaned.column("text").to_pylist() == corpus.expected
    assert cleaned.column("id").to_pylist() == [r["id"] for r in corpus.records]
    col = model.clean_batch(
        pa.chunked_array([c.cast(pa.large_string()) for c in chunked.column("text").chunks]),
        chunked.column("site"),
        chunked.column("url"),
    )
    assert col.to_pylist() == corpus.expected
    one = model.clean_batch(table.to_batches()[0].slice(5, 10))
    assert one.column("text").to_pylist() == corpus.expected[5:15]


def test_nulls_and_removed_blocks(generated):
    model = dechrome.Model.open(generated.model_path)
    texts = [generated.texts[0], None, generated.texts[1]]
    sites = [generated.sites[0], None, generated.sites[1]]
    got = model.clean_batch(texts, sites)
    assert got == [generated.expected[0], None, generated.expected[1]]
    arr = model.clean_batch(pa.array(texts), pa.array(sites))
    assert arr.to_pylist() == got and arr.null_count == 1
    with_removed = model.clean_batch(texts[:1], sites[:1], keep_removed=True)
    text, removed = with_removed[0]
    assert text == generated.expected[0]
    explained = model.explain(texts[0], sites[0])
    assert removed == [(d["block"], d["text"], d["reason"]) for d in explained if not d["kept"]]
    assert "\n".join(d["text"] for d in explained if d["kept"]) == text
    table = model.clean_batch(pa.Table.from_pylist(generated.records[:3]), keep_removed=True)
    rows = table.column("removed").to_pylist()
    assert [(r["line"], r["text"], r["reason"]) for r in rows[0]] == removed


def test_explain_matches_the_cli(generated, dechrome_bin, tmp_path):
    rec = generated.records[3]
    model = dechrome.Model.open(generated.model_path)
    ours = model.explain(rec["text"], rec["site"], rec["url"])
    out = run_cli(
        dechrome_bin, "explain", generated.path, "--model", generated.model_path,
        "--id", rec["id"], "--json",
    ).stdout.decode()
    import json

    theirs = json.loads(out.splitlines()[0])["lines"]
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a["line"] == b["line"] and a["block"] == b["block"] and a["text"] == b["text"]
        assert a["kept"] == b["keep"] and a["reason"] == b["reason"]
        for k in ("site_pages_with", "site_pages", "cross_sites"):
            assert a[k] == b[k]
        assert abs(a["score"] - b["score"]) < 1e-4
    reasons = {d["reason"] for d in ours}
    assert reasons <= {
        "site-template", "cross-site", "templated", "repeated", "context",
        "kept:unique", "kept:shared", "kept:context", "kept:header",
    }


def test_site_keys():
    assert dechrome.site_of(url="http://news.bbc.co.uk/x") == "bbc.co.uk"
    assert dechrome.site_of("given", "http://news.bbc.co.uk/x") == "given"
    assert dechrome.site_of("", "https://user@Example.ORG./p") == "example.org"
    assert dechrome.site_of() == ""


def test_errors_carry_the_library_messages(tmp_path, generated):
    bad = tmp_path / "not.model"
    bad.write_bytes(b"hello, this is not a model at all")
    with pytest.raises(dechrome.ModelError, match="not a dechrome model"):
        dechrome.Model.open(bad)
    with pytest.raises(dechrome.DechromeError, match="No such file"):
        dechrome.Model.open(tmp_path / "missing.model")
    damaged = bytearray(generated.model_bytes)
    damaged[len(damaged) // 2] ^= 0xFF
    with pytest.raises(dechrome.ModelError, match="checksum"):
        dechrome.Model.from_bytes(bytes(damaged))
    learner = dechrome.Learner()
    learner.add_records(generated.records[:10])
    partial = learner.to_bytes()
    with pytest.raises(dechrome.ModelError, match="partial model"):
        dechrome.Model.from_bytes(partial)
    with pytest.raises(dechrome.ModelError, match="final model"):
        dechrome.merge([generated.model_bytes])
    with pytest.raises(dechrome.DechromeError, match="already written"):
        learner.to_bytes()
    with pytest.raises(dechrome.DechromeError, match="nothing to learn from"):
        dechrome.Model.learn([])
    with pytest.raises(dechrome.DechromeError, match="no text field"):
        dechrome.Model.learn([{"url": "http://a.example/"}])
    assert issubclass(dechrome.ModelError, dechrome.DechromeError)


def test_save_and_reopen(generated, tmp_path):
    model = dechrome.Model.learn(generated.records)
    p = tmp_path / "m.model"
    model.save(p)
    assert p.read_bytes() == generated.model_bytes
    again = dechrome.Model.open(p)
    assert again.header == model.header
    assert "pages" in repr(again)
    thawed = pickle.loads(pickle.dumps(again))
    assert thawed.to_bytes() == generated.model_bytes
