"""Compare the restricted load and the scan of one forest pickle between two builds of safeload.

Run it once per build, alternating, on an idle machine; the ratio to ``pickle.loads`` in the
same process is what to compare. To time an older commit, build its wheel and put it first on
the path::

    git worktree add --detach /tmp/old <commit>
    .venv/bin/python -m pip wheel --no-deps /tmp/old -w /tmp/oldwheel
    .venv/bin/python -m zipfile -e /tmp/oldwheel/*.whl /tmp/old_site
    PYTHONPATH=/tmp/old_site .venv/bin/python benchmarks/ab_forest.py
    .venv/bin/python benchmarks/ab_forest.py

The forest (300 trees on 3,000 rows of noise, about 38 MB pickled) is written once to
``--model`` (in the temporary folder) and reused, so both builds read the same bytes.
"""

from __future__ import annotations

import argparse
import gc
import pickle
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np


def _forest(path: Path) -> None:
    from sklearn.ensemble import RandomForestClassifier

    rng = np.random.RandomState(0)
    x = rng.rand(3000, 20)
    y = rng.randint(0, 3, 3000)
    model = RandomForestClassifier(n_estimators=300, random_state=0, n_jobs=2).fit(x, y)
    path.write_bytes(pickle.dumps(model, protocol=5))


def _best_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = Path(tempfile.gettempdir()) / "safeload-ab-forest.pkl"
    parser.add_argument("--model", type=Path, default=default)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if not args.model.exists():
        _forest(args.model)
    import safeload

    data = args.model.read_bytes()
    safeload.load_unsigned(args.model)  # warm: imports, class lookups
    plain = _best_ms(lambda: pickle.loads(data), args.repeat)
    load = _best_ms(lambda: safeload.load_unsigned(args.model), args.repeat)
    scan = _best_ms(lambda: safeload.scan(args.model), args.repeat)
    print(f"safeload from {Path(safeload.__file__).parent}")
    print(
        f"pickle.loads {plain:.1f} ms, load_unsigned {load:.1f} ms ({load / plain:.2f}x), "
        f"scan {scan:.1f} ms"
    )


if __name__ == "__main__":
    main()
