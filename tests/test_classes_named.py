"""A class asked about before its library is imported is not taken as absent for good.

CatBoost's ``_catboost`` module exists in ``sys.modules`` only once ``catboost`` is imported.
Asked about earlier (a scan of another file, the facts' self-test), the class did not resolve,
and a cache kept that answer: every CatBoost model loaded afterwards in the process was refused
("_object: was not rebuilt"). Run in a fresh child, where nothing imported catboost yet.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

_CHILD = """
import pickle, sys
import numpy as np
from safeload.trust import classes
assert classes.classes_named(("_catboost:_CatBoost",)) == ()  # not importable yet
import catboost as cb
import safeload
model = cb.CatBoostClassifier(iterations=2, depth=2, verbose=0, allow_writing_files=False)
model.fit(np.random.RandomState(0).rand(20, 3), np.arange(20) % 2)
open(sys.argv[1], "wb").write(pickle.dumps(model, protocol=4))
safeload.load_unsigned(sys.argv[1], profiles=["catboost"])
print("loaded")
"""


def test_a_class_asked_about_too_early_is_found_later(tmp_path: Path) -> None:
    pytest.importorskip("catboost")
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tmp_path / "cb.pkl")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert out.stdout.strip().endswith("loaded"), out.stdout + out.stderr
