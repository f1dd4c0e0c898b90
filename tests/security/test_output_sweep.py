"""The output sweep (``fuzz/output_sweep.py``, all of it in ``make output-sweep``) over some
classes that the width tables of ``safeload.trust.object_checks`` name, with their base
settings and their mutants (each fitted array widened to 64 items along an axis, each integer
attribute set to 64): each method's real output width is explained by what safeload counts
for it, or the load refuses the mutant. A class whose ``transform`` or ``predict`` takes its
width from somewhere the tables do not read fails here (ComplementNB's ``feature_log_prob_``
rows, LatentDirichletAllocation's ``exp_dirichlet_component_`` did:
``test_output_rows.py``), and the full sweep finds it in any class scikit-learn lists."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

SWEEP = Path(__file__).resolve().parents[2] / "fuzz" / "output_sweep.py"
#: A class from several tables: OUTPUT_AXES, NEIGHBOUR_GRAPHS, KERNEL_PREDICTORS,
#: ENSEMBLE_TRANSFORMS and OUTPUT_ROWS (``make output-sweep`` runs them all).
CLASSES = (
    "PCA",
    "KNeighborsTransformer",
    "KernelPCA",
    "LabelSpreading",
    "StackingClassifier",
    "ComplementNB",
    "GaussianMixture",
    "LatentDirichletAllocation",
)


def test_output_widths_are_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOKY_MAX_CPU_COUNT", "1")
    spec = importlib.util.spec_from_file_location("output_sweep", SWEEP)
    assert spec is not None and spec.loader is not None
    sweep = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sweep)
    out = tmp_path / "sweep.jsonl"
    status = sweep.main(["--base-only", "--only", ",".join(CLASSES), "--out", str(out)])
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert status == 0, [r for r in rows if r["kind"] != "ok"]
    swept = {r["class"] for r in rows if r["kind"] == "ok"}
    assert swept == set(CLASSES), sorted(set(CLASSES) - swept)
