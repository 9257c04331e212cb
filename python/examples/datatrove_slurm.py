"""dechrome on a Slurm cluster with datatrove: learn per task -> merge -> clean, as three
job arrays chained with ``depends=``. Folders may be local to a shared file system or remote
(s3://..., hf://...: anything fsspec opens). Every node needs the package: build the wheel
once (``pip wheel ./python -w dist``) and install it in the venv that ``venv_path`` names.

    python examples/datatrove_slurm.py s3://bucket/crawl/ s3://bucket/clean/ s3://bucket/dechrome/
"""

import sys

from datatrove.executor import SlurmPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

from dechrome.datatrove import stages

src, out, work = sys.argv[1:4]
TASKS = 500  # one per input shard or more; each learns one partial model
VENV = "/shared/venvs/dechrome"

learn, merge, clean = stages(
    reader=lambda: JsonlReader(src),
    writer=lambda: JsonlWriter(out),
    work_folder=work,
    memory="3G",  # per task; counts spill to the node's temporary directory beyond it
)
common = dict(time="04:00:00", partition="cpu", venv_path=VENV, mem_per_cpu_gb=4)
learn_x = SlurmPipelineExecutor(learn, tasks=TASKS, job_name="dechrome-learn",
                                logging_dir=f"{work}/logs/learn", **common)
# One task: a k-way streaming union of the partial models, memory-mapped when local.
merge_x = SlurmPipelineExecutor(merge, tasks=1, job_name="dechrome-merge", depends=learn_x,
                                logging_dir=f"{work}/logs/merge", **common)
clean_x = SlurmPipelineExecutor(clean, tasks=TASKS, job_name="dechrome-clean",
                                depends=merge_x, logging_dir=f"{work}/logs/clean", **common)
clean_x.run()
