"""The seed tutorial, made safe: linear regression on home prices, saved and loaded signed.

The tutorial fits price ~ area on five homes, saves the model with pickle and with joblib, loads
it back and predicts a 5000 sq ft home at about 859,554.79. Here every save writes a signature
sidecar and every load verifies it first, then deserializes through the restricted reader.

    python examples/home_prices.py                      # throwaway key, temporary folder
    python examples/home_prices.py --key keys/demo.key --pub keys/demo.pub --out out/
"""

from __future__ import annotations

import argparse
import csv
import tempfile
from pathlib import Path

import numpy as np
from sklearn.linear_model import LinearRegression

import safeload

DATA = Path(__file__).resolve().parent / "data" / "homeprices.csv"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--key", type=Path, help="Ed25519 private key (PEM); default: a new one")
    ap.add_argument("--pub", type=Path, help="the matching public key, used to verify")
    ap.add_argument("--out", type=Path, help="where to write the model files")
    args = ap.parse_args(argv)

    with DATA.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    area = np.array([[float(r["area"])] for r in rows])
    price = np.array([float(r["price"]) for r in rows])
    model = LinearRegression().fit(area, price)

    key = safeload.SigningKey.from_file(args.key) if args.key else safeload.SigningKey.generate()
    pub = safeload.VerifyKey.from_file(args.pub) if args.pub else key.public_key
    out = args.out or Path(tempfile.mkdtemp(prefix="safeload-home-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"signing key id {key.keyid[:16]}..., writing to {out}")

    for name in ("home_prices.pkl", "home_prices.joblib"):
        path = out / name
        for old in (path, path.with_name(name + ".sig")):
            old.unlink(missing_ok=True)
        sig = safeload.dump(model, path, key, version="1.0.0")
        loaded = safeload.load(path, pub)  # verify, then restricted load of the same bytes
        assert np.array_equal(loaded.coef_, model.coef_)
        assert loaded.intercept_ == model.intercept_
        predicted = loaded.predict([[5000.0]])[0]
        print(f"{name:<20} + {sig.name:<24} -> 5000 sq ft: {predicted:,.2f}")
        print(
            f"{'':<20}   coef_ {loaded.coef_[0]:.8f}, intercept_ {loaded.intercept_:.8f}"
            " (identical to the fitted model)"
        )

    # What verification catches: a flipped byte, and a missing signature.
    path = out / "home_prices.joblib"
    tampered = out / "tampered" / "home_prices.joblib"
    tampered.parent.mkdir(exist_ok=True)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    tampered.with_name("home_prices.joblib.sig").write_bytes(
        path.with_name("home_prices.joblib.sig").read_bytes()
    )
    try:
        safeload.load(tampered, pub)
    except safeload.SignatureError as exc:
        print(f"tampered copy refused: {type(exc).__name__}")
    unsigned = out / "unsigned" / "home_prices.joblib"
    unsigned.parent.mkdir(exist_ok=True)
    unsigned.write_bytes(path.read_bytes())
    try:
        safeload.load(unsigned, pub)
    except safeload.MissingSignatureError as exc:
        print(f"copy without its .sig refused: {type(exc).__name__}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
