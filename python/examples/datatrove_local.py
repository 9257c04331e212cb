"""dechrome on datatrove's LocalPipelineExecutor: learn per task -> merge -> clean.

    python examples/datatrove_local.py INPUT_FOLDER OUTPUT_FOLDER WORK_FOLDER [TASKS]

INPUT_FOLDER holds JSONL shards (``text``, ``url``, optional ``site`` fields; .gz/.zst fine);
the cleaned records go to OUTPUT_FOLDER; partial models, the model and logs to WORK_FOLDER.
tests/test_datatrove.py runs this file.
"""

import sys

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

from dechrome.datatrove import stages


def main(src: str, out: str, work: str, tasks: int = 4, workers: int = -1) -> None:
    learn, merge, clean = stages(
        reader=lambda: JsonlReader(src),
        writer=lambda: JsonlWriter(out, output_filename="${rank}.jsonl", compression=None),
        work_folder=work,
    )
    learn_x = LocalPipelineExecutor(learn, tasks=tasks, workers=workers,
                                    logging_dir=f"{work}/logs/learn")
    merge_x = LocalPipelineExecutor(merge, tasks=1, logging_dir=f"{work}/logs/merge",
                                    depends=learn_x)
    clean_x = LocalPipelineExecutor(clean, tasks=tasks, workers=workers,
                                    logging_dir=f"{work}/logs/clean", depends=merge_x)
    clean_x.run()  # runs the stages it depends on first


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], *(int(a) for a in sys.argv[4:5]))
