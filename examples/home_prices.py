"""The seed tutorial, made safe: linear regression on home prices, saved and loaded signed.

The tutorial fits price ~ area on five homes, saves the model with pickle and with joblib, loads
it back and predicts a 5000 sq ft home at about 859,554.79. Here every save writes a signature
sidecar and every load verifies it first, then deserializes the same bytes through the restricted
reader. At the end, a copy with one flipped byte and a copy without its sidecar are refused.

    python examples/home_prices.py                      # throwaway key, temporary folder
    python examples/home_prices.py --key keys/demo.key --pub keys/demo.pub --out out/demo
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LinearRegression

import safeload

DATA = Path(__file__).resolve().parent / "data" / "homeprices.csv"
NAMES = ("home_prices.pkl", "home_prices.joblib")


def _read_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    area = np.array([[float(r["area"])] for r in rows])
    price = np.array([float(r["price"]) for r in rows])
    return area, price


def _expect_refusal(what: str, error: type[Exception], attempt: Callable[[], Any]) -> None:
    """Run ``attempt``; it must raise ``error``. Anything else stops the example."""
    try:
        attempt()
    except error as exc:
        print(f"{what} refused: {type(exc).__name__}")
        print(f"    {str(exc).splitlines()[0]}")
    else:
        raise AssertionError(f"{what} was loaded; safeload should have refused it")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--key", type=Path, help="Ed25519 private key (PEM); default: a new one")
    ap.add_argument("--pub", type=Path, help="the matching public key, pinned for verification")
    ap.add_argument(
        "--passphrase-env", metavar="VAR", help="environment variable holding --key's passphrase"
    )
    ap.add_argument("--out", type=Path, help="folder for the model files; default: a new temp dir")
    args = ap.parse_args(argv)
    if args.pub and not args.key:
        ap.error("--pub needs the matching --key (without --key a throwaway key is generated)")

    area, price = _read_csv(DATA)
    model = LinearRegression().fit(area, price)

    if args.key:
        password = os.environ[args.passphrase_env] if args.passphrase_env else None
        key = safeload.SigningKey.from_file(args.key, password)
    else:
        key = safeload.SigningKey.generate()  # lives only in memory, for this run
    # Pin the public key the way a consumer would: from its own file, not from the signer.
    pub = safeload.VerifyKey.from_file(args.pub) if args.pub else key.public_key
    out = args.out or Path(tempfile.mkdtemp(prefix="safeload-home-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"signing key id {key.keyid[:16]}..., writing to {out}")

    for name in NAMES:
        path = out / name
        sig = safeload.dump(model, path, key, version="1.0.0")  # format from the extension
        loaded = safeload.load(path, pub)  # verify, then restricted load of the same bytes
        assert np.array_equal(loaded.coef_, model.coef_)
        assert loaded.intercept_ == model.intercept_
        predicted = loaded.predict(np.array([[5000.0]]))[0]
        print(f"{name:<20} + {sig.name:<24} -> 5000 sq ft: {predicted:,.2f}")
        print(
            f"{'':<20}   coef_ {loaded.coef_[0]:.8f}, intercept_ {loaded.intercept_:.8f}"
            " (identical to the fitted model)"
        )

    # What verification catches. Each bad copy goes in its own folder, next to nothing else.
    original = out / "home_prices.joblib"
    original_sig = safeload.sidecar_path(original)

    tampered = out / "tampered" / original.name
    tampered.parent.mkdir(exist_ok=True)
    data = bytearray(original.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit of one byte
    tampered.write_bytes(bytes(data))
    safeload.sidecar_path(tampered).write_bytes(original_sig.read_bytes())
    _expect_refusal("tampered copy", safeload.SignatureError, lambda: safeload.load(tampered, pub))

    unsigned = out / "unsigned" / original.name
    unsigned.parent.mkdir(exist_ok=True)
    unsigned.write_bytes(original.read_bytes())
    safeload.sidecar_path(unsigned).unlink(missing_ok=True)
    _expect_refusal(
        "copy without its .sig",
        safeload.MissingSignatureError,
        lambda: safeload.load(unsigned, pub),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
