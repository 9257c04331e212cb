"""dechrome on Spark: learn from a crawl and clean it, writing Parquet.

    spark-submit --master yarn \\
        --archives dechrome-env.tar.gz#env \\
        --conf spark.pyspark.python=./env/bin/python \\
        examples/spark_clean.py s3a://bucket/crawl/*.jsonl.gz s3a://bucket/clean/

The executors need the package: pack a venv with it installed (``venv-pack`` or
``conda-pack``) and ship it with ``--archives`` as above, or install the wheel
(``pip wheel ./python -w dist``) on every node. Partial models are learned per partition
and merged (by a tree past 64 partitions); the model is shipped with ``addFile``.
"""

import sys

from pyspark.sql import SparkSession

from dechrome.spark import clean, learn

src, out = sys.argv[1:3]
spark = SparkSession.builder.appName("dechrome").getOrCreate()
df = spark.read.json(src)
site_col = "site" if "site" in df.columns else None
model = learn(df, text_col="text", url_col="url", site_col=site_col, memory="2G")
model.save("crawl.model")  # keep it: later crawls can be cleaned against it
cleaned = clean(df, text_col="text", url_col="url", site_col=site_col, model=model,
                keep_removed=False)
cleaned.write.mode("overwrite").parquet(out)
