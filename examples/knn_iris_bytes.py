"""KNN on iris saved to a bytes string, the safe way: dumps/loads with a signature.

The seed tutorial pickles a KNeighborsClassifier to a bytes string and unpickles it. Here
``safeload.dumps`` returns the payload and its sidecar as two byte strings (for a cache, a
database column or a message queue), and ``safeload.loads`` verifies before deserializing.
An HMAC key fits this use because both ends belong to one service; anything that crosses a
trust boundary should use an Ed25519 key instead.

    python examples/knn_iris_bytes.py
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier

import safeload


def _expect_refusal(what: str, attempt: Callable[[], Any]) -> None:
    """Run ``attempt``; it must raise SignatureError. Anything else stops the example."""
    try:
        attempt()
    except safeload.SignatureError:
        print(f"{what}: refused (SignatureError)")
    else:
        raise AssertionError(f"{what}: loaded, but safeload should have refused it")


def main() -> int:
    x, y = load_iris(return_X_y=True)  # ships with scikit-learn; no download
    x_train, x_test, y_train, _ = train_test_split(x, y, test_size=0.3, random_state=0)
    knn = KNeighborsClassifier(n_neighbors=3).fit(x_train, y_train)

    key = safeload.HMACKey.generate()  # in a service: HMACKey.from_env("MODEL_CACHE_KEY")
    payload, sidecar = safeload.dumps(knn, key, format="pickle", name="iris-knn")
    print(f"payload {len(payload)} bytes, sidecar {len(sidecar)} bytes, key id {key.keyid[:16]}...")

    restored = safeload.loads(payload, sidecar, key, name="iris-knn")
    same = np.array_equal(restored.predict(x_test), knn.predict(x_test))
    print(f"restored predictions identical: {same}")
    assert same

    other = safeload.HMACKey.generate()
    _expect_refusal("another key", lambda: safeload.loads(payload, sidecar, other))
    changed = bytearray(payload)
    changed[len(changed) // 2] ^= 0x01
    _expect_refusal("one changed byte", lambda: safeload.loads(bytes(changed), sidecar, key))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
