"""Models fitted in a process that imported imbalanced-learn store its ``fit_resample`` routing
method (imblearn adds it to scikit-learn's metadata-routing methods on import): such files are
ordinary scikit-learn files and load by default."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from parity import load_unsigned


def test_a_model_fitted_after_importing_imblearn_loads(tmp_path: Path) -> None:
    pytest.importorskip("imblearn")
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import TunedThresholdClassifierCV

    x, y = make_classification(n_samples=80, random_state=0)
    model = TunedThresholdClassifierCV(LogisticRegression(), cv=3).fit(x, y)
    request = model._curve_scorer._metadata_request
    assert hasattr(request, "fit_resample")  # what imblearn's import did to the routing
    path = tmp_path / "tuned.pkl"
    path.write_bytes(pickle.dumps(model, protocol=5))
    assert np.array_equal(load_unsigned(path).predict(x), model.predict(x))
