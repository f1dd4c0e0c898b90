"""Count the instructions one static pass over the 300-tree forest costs, with callgrind.

Wall-clock time on a shared 2-core machine varies by a third from run to run; callgrind's
instruction count does not. Run this script under callgrind twice, once with 1 pass and once
with 4, and divide the difference by 3 (imports and start-up cancel out)::

    .venv/bin/python benchmarks/ab_forest.py --repeat 1     # writes the forest once
    for n in 1 4; do OPENBLAS_NUM_THREADS=1 valgrind --tool=callgrind \\
        --callgrind-out-file=/tmp/cg.$n.out \\
        .venv/bin/python benchmarks/analyze_instructions.py $n 2>&1 | grep Collected; done

Put an older build first on ``PYTHONPATH`` (see ``ab_forest.py``) to compare two commits.
``callgrind_annotate --inclusive=yes /tmp/cg.4.out`` shows where the instructions go.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from safeload.pickle.walker import analyze
from safeload.policy import Policy


def main() -> None:
    passes = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    data = (Path(tempfile.gettempdir()) / "safeload-ab-forest.pkl").read_bytes()
    policy = Policy()
    for _ in range(passes):
        analyze(data, policy=policy, use_time=False, check_trees=False)  # as a load runs it


if __name__ == "__main__":
    main()
