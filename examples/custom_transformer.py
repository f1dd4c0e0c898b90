"""A pipeline with a transformer of your own, saved signed and loaded with ``trusted=``.

A model often holds a class its author wrote: here ``ClipScaler``, in a module ``mytransforms``
next to the training script. safeload refuses any class it has not been told about, and the
refusal names the exact argument that allows it. You may trust your own classes by name (a
module that is not part of an installed package) or by passing the class object itself, which
also serves a package of yours that you installed (``pip install .`` or ``-e .``); a class of
an installed package is refused by name, because many such classes act when they are built.

    python examples/custom_transformer.py [--out DIR]
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

import safeload

#: The user's own module, written next to the model so that the example is self-contained.
MODULE = '''
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin


class ClipScaler(TransformerMixin, BaseEstimator):
    """Scales each column to [0, 1] by the range seen in fit, clipping what lies outside."""

    def __init__(self, margin=0.0):
        self.margin = margin

    def fit(self, X, y=None):
        X = np.asarray(X, dtype=float)
        self.low_ = X.min(axis=0) - self.margin
        self.high_ = X.max(axis=0) + self.margin
        return self

    def transform(self, X):
        span = np.where(self.high_ > self.low_, self.high_ - self.low_, 1.0)
        return np.clip((np.asarray(X, dtype=float) - self.low_) / span, 0.0, 1.0)
'''


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, help="folder for the files; default: a new temp dir")
    args = ap.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="safeload-custom-"))
    out.mkdir(parents=True, exist_ok=True)
    (out / "mytransforms.py").write_text(MODULE)
    sys.path.insert(0, str(out))  # (your own code is importable where the model is loaded)
    mytransforms = importlib.import_module("mytransforms")

    rng = np.random.RandomState(0)
    x = rng.rand(200, 3) * [1, 10, 100]
    y = (x[:, 0] + x[:, 1] / 10 > 1).astype(int)
    model = Pipeline([("clip", mytransforms.ClipScaler()), ("lr", LogisticRegression())])
    model.fit(x, y)

    key = safeload.SigningKey.generate()  # lives only in memory, for this run
    path = out / "pipeline.joblib"
    safeload.dump(model, path, key, version="1.0.0")
    print(f"saved {path.name} and {safeload.sidecar_path(path).name}")

    try:
        safeload.load(path, key.public_key)
    except safeload.UntrustedTypeError as exc:
        print(f"without trusted=: refused, the file names {exc.names}")
    else:
        raise AssertionError("a class nobody trusted was loaded")

    by_name = safeload.load(path, key.public_key, trusted=["mytransforms.ClipScaler"])
    by_class = safeload.load(path, key.public_key, trusted=[mytransforms.ClipScaler])
    for how, loaded in (("by name", by_name), ("by class", by_class)):
        same = bool((loaded.predict(x) == model.predict(x)).all())
        print(f"trusted {how}: loaded, predictions identical: {same}")
        if not same:
            raise AssertionError("the loaded pipeline predicts differently")

    # a class of an installed package that safeload has not reviewed: refused by name
    try:
        safeload.load(path, key.public_key, trusted=["scipy.stats._continuous_distns.norm_gen"])
    except safeload.UsageError as exc:
        print(f"trusting scipy's norm_gen by name: refused ({str(exc).split(':')[1].strip()})")
    else:
        raise AssertionError("a class of an unreviewed installed package was trusted by name")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
