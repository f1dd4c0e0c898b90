"""A model file arrives from outside with no signature: scan it, load it, re-sign it as skops.

1. ``safeload.scan`` lists every global the file would import, without importing or running
   anything, and says whether the default allowlist trusts them all.
2. ``safeload.load_unsigned`` loads it through the restricted reader (no signature exists to
   check, and the function's name says so).
3. ``safeload.convert`` writes it as a signed skops file for the team, after checking the
   converted model predicts identically on a probe input.
4. A malicious file that would run a command is shown refused at every step, and so is a file
   built only from allowed classes whose state would make ``predict`` write a file.

    python examples/third_party_model.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import joblib
import numpy as np
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import safeload


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="safeload-third-party-") as tmp:
        return _run(Path(tmp))


def _run(out: Path) -> int:
    rng = np.random.RandomState(0)
    x = rng.rand(300, 4)
    y = (x[:, 0] + x[:, 1] > 1).astype(int)
    vendor_model = make_pipeline(StandardScaler(), GradientBoostingClassifier(n_estimators=20))
    vendor_model.fit(x, y)
    downloaded = out / "vendor_model.joblib"
    joblib.dump(vendor_model, downloaded, compress=3)  # what the vendor shipped: no .sig

    report = safeload.scan(downloaded)
    print(
        f"scan: {report.verdict}, {len(report.globals)} globals, {len(report.untrusted)} untrusted"
    )
    model = safeload.load_unsigned(downloaded)
    print(f"load_unsigned: {type(model).__name__} with steps {[name for name, _ in model.steps]}")

    team_key = safeload.SigningKey.generate()
    sig = safeload.convert(
        downloaded, out / "vendor_model.skops", team_key, check=x[:50], version="2026.11"
    )
    again = safeload.load(out / "vendor_model.skops", team_key.public_key)
    same = np.array_equal(again.predict(x), vendor_model.predict(x))
    print(f"converted to {sig.name[:-4]} (signed, skops), predictions identical: {same}")

    evil = out / "evil.joblib"
    evil.write_bytes(
        b"\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00"
        b"\x8c\x02os\x8c\x06system\x93\x8c\x05touch\x85R."
    )
    print(
        f"malicious file scan: {safeload.scan(evil).verdict}, "
        f"untrusted {list(safeload.scan(evil).untrusted)}"
    )
    for step, call in (
        ("load_unsigned", lambda: safeload.load_unsigned(evil)),
        ("convert", lambda: safeload.convert(evil, out / "e.skops", team_key)),
    ):
        try:
            call()
        except safeload.UntrustedTypeError as exc:
            print(f"malicious file {step}: refused ({type(exc).__name__}: {exc.names[0]})")

    # A subtler file: every class in it is on the allowlist, but its state makes predict()
    # write a file (a StackingClassifier told to call `tofile` on a bytes array). Loading it
    # with plain joblib would return a model that does this at its first predict.
    from safeload.testing import attack_corpus

    case = next(c for c in attack_corpus() if c.name == "usetime-stacking-tofile")
    sneaky = out / "sneaky.pkl"
    sneaky.write_bytes(case.build(str(out / "written-at-predict")))
    print(f"use-time file scan: {safeload.scan(sneaky).verdict}")
    try:
        safeload.load_unsigned(sneaky)
    except safeload.UnsafeStateError as exc:
        print(f"use-time file load_unsigned: refused ({type(exc).__name__})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
