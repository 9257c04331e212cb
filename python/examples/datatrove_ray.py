"""dechrome on a Ray cluster with datatrove: learn per task -> merge -> clean. The logging
and work folders must be shared by every node (a shared file system or an object store).
Install the package on every node (e.g. ``runtime_env={"pip": ["/path/dechrome-*.whl"]}``
in ``ray.init``).

    python examples/datatrove_ray.py s3://bucket/crawl/ s3://bucket/clean/ s3://bucket/dechrome/
"""

import sys

import ray
from datatrove.executor import RayPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

from dechrome.datatrove import stages

src, out, work = sys.argv[1:4]
TASKS = 200

ray.init()
learn, merge, clean = stages(
    reader=lambda: JsonlReader(src),
    writer=lambda: JsonlWriter(out),
    work_folder=work,
    memory="3G",
)
learn_x = RayPipelineExecutor(learn, tasks=TASKS, logging_dir=f"{work}/logs/learn",
                              mem_per_cpu_gb=4)
merge_x = RayPipelineExecutor(merge, tasks=1, depends=learn_x,
                              logging_dir=f"{work}/logs/merge", mem_per_cpu_gb=4)
clean_x = RayPipelineExecutor(clean, tasks=TASKS, depends=merge_x,
                              logging_dir=f"{work}/logs/clean")
clean_x.run()
