"""dechrome.spark in local[2] mode: partial models per partition, merged (on the driver, or by
a tree on the executors), shipped with addFile, partitions cleaned with mapInArrow: the same
text as `dechrome run`, for 1, 3 and 8 partitions."""

from __future__ import annotations

import pytest

pytest.importorskip("pyspark")

import dechrome  # noqa: E402
import dechrome.spark as dspark  # noqa: E402

COLUMNS = ("id", "site", "url", "text")


def frame(spark, corpus, parts):
    from pyspark.sql.types import StringType, StructField, StructType

    schema = StructType([StructField(c, StringType()) for c in COLUMNS])
    rows = [tuple(r[c] for c in COLUMNS) for r in corpus.records]
    df = spark.createDataFrame(spark.sparkContext.parallelize(rows, parts), schema)
    assert df.rdd.getNumPartitions() == parts
    return df


@pytest.mark.parametrize("parts", [1, 3, 8])
def test_spark_clean_gives_the_cli_text(spark, corpus, parts):
    df = frame(spark, corpus, parts)
    # Past 4 partitions, the partial models are merged by a tree on the executors.
    model = dspark.learn(df, site_col="site", tree_above=4)
    assert model.to_bytes() == corpus.model_bytes
    out = dspark.clean(df, site_col="site", model=model).collect()
    assert [r.id for r in out] == [r["id"] for r in corpus.records]
    assert [r.text for r in out] == corpus.expected


def test_spark_learns_itself_and_keeps_removed_blocks(spark, generated):
    df = frame(spark, generated, 3)
    out = dspark.clean(df, site_col="site", keep_removed=True).collect()
    assert [r.text for r in out] == generated.expected
    model = dechrome.Model.open(generated.model_path)
    _, removed = model.clean_batch(
        [generated.texts[0]], [generated.sites[0]], keep_removed=True
    )[0]
    assert [(x.line, x.text, x.reason) for x in out[0].removed] == removed


def test_spark_with_a_model_file_on_a_shared_path(spark, generated):
    df = frame(spark, generated, 2)
    out = dspark.clean(df, site_col="site", model=generated.model_path, shared_path=True)
    assert [r.text for r in out.collect()] == generated.expected
    # Without site_col, sites come from the URLs (what the CLI does for records without one).
    out = dspark.clean(df.drop("site"), model=generated.model_path).collect()
    assert len(out) == len(generated.records)
