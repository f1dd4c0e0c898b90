"""Seed inputs for the fuzz targets: small valid artifacts and sidecars, made at run time."""

from __future__ import annotations

import io
import pickle
from pathlib import Path


def write_seeds(directory: Path) -> Path:
    """Fill ``directory`` with a few valid pickles, joblib files and sidecars."""
    import joblib
    import numpy as np
    from sklearn.linear_model import LinearRegression

    import safeload

    directory.mkdir(parents=True, exist_ok=True)
    model = LinearRegression().fit([[1.0], [2.0], [3.0]], [1.0, 2.0, 3.1])
    values = [model, {"a": [1, 2.5, "x"]}, np.arange(6).reshape(2, 3), (None, True, b"b")]
    values.append([np.arange(520.0), "x"])  # 4160 bytes: a protocol 5 array loaded as a view
    for i, value in enumerate(values):
        for protocol in (0, 2, 4, 5):
            (directory / f"p{i}-{protocol}.pkl").write_bytes(pickle.dumps(value, protocol))
        buf = io.BytesIO()
        joblib.dump(value, buf)
        (directory / f"j{i}.joblib").write_bytes(buf.getvalue())
    key = safeload.SigningKey.generate()
    _, sidecar = safeload.dumps({"w": 1}, key)
    (directory / "sidecar.sig").write_bytes(sidecar)
    return directory
