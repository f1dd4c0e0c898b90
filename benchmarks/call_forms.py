"""Which callables honest pickles call with arguments: the evidence behind
``safeload.pickle.call_rules.SKLEARN_CALLED_WITH_ARGS``.

Pickles every model of the test corpora (tests/corpus.py and the scikit-learn kinds of
tests/corpus_kinds.py) at protocols 0 to 5, runs safeload's static pass on each, and prints
how often each callable was called (REDUCE, INST, OBJ) with a non-empty argument tuple, and
any model the pass refuses.

    make .venv/.installed-stamp && .venv/bin/python benchmarks/call_forms.py
"""

from __future__ import annotations

import collections
import pickle
import sys
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def main() -> None:
    """Print ``count module name`` for every callable called with arguments."""
    warnings.simplefilter("ignore")
    import corpus_kinds
    from corpus import build_corpus
    from safeload.pickle.walker import analyze
    from safeload.policy import Policy

    policy = Policy.default()
    models: list[Any] = [m.estimator for m in build_corpus()]
    for kind in corpus_kinds._sklearn_kinds():
        try:
            models.append(corpus_kinds.fit(kind).model)
        except Exception as exc:  # a kind that needs an optional library
            print(f"# skipped {kind.name}: {type(exc).__name__}", file=sys.stderr)
    seen: collections.Counter[tuple[str, str]] = collections.Counter()
    for model in models:
        for protocol in range(6):
            try:
                data = pickle.dumps(model, protocol)
            except Exception:  # noqa: S112 - a model holding a lambda cannot be pickled
                continue
            found = analyze(data, policy=policy, use_time=False, check_trees=False)
            for problem in found.problems[:1]:
                print(f"# refused: {type(model).__name__} protocol {protocol}: {problem.message}")
            for _pos, made in found.arg_calls:
                if made.cls is not None:
                    seen[made.cls.pair] += 1
    print(f"# {len(models)} models, protocols 0-5")
    for (module, name), count in sorted(seen.items()):
        print(count, module, name)


if __name__ == "__main__":
    main()
