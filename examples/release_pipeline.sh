#!/usr/bin/env bash
# Release and deploy with the safeload CLI: keygen, sign in "release", verify in "deploy",
# then show that one flipped byte makes verification fail with exit code 1.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ -d "$here/../.venv/bin" ]; then PATH="$here/../.venv/bin:$PATH"; fi
SAFELOAD="${SAFELOAD:-safeload}"
PYTHON="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/release" "$work/deploy" "$work/keys"

echo "== release: create a key pair, train, sign"
"$SAFELOAD" keygen release --dir "$work/keys"
"$PYTHON" - "$work/release/model.joblib" <<'PY'
import sys
import joblib
from sklearn.linear_model import LinearRegression
model = LinearRegression().fit([[2600], [3000], [3200], [3600], [4000]],
                               [550000, 565000, 610000, 680000, 725000])
joblib.dump(model, sys.argv[1])
PY
"$SAFELOAD" sign "$work/release/model.joblib" --key "$work/keys/release.key" --model-version 1.0.0

echo "== deploy: copy, verify with the public key only, then load"
cp "$work/release/model.joblib" "$work/release/model.joblib.sig" "$work/deploy/"
"$SAFELOAD" inspect "$work/deploy/model.joblib.sig"
"$SAFELOAD" verify "$work/deploy/model.joblib" --pub "$work/keys/release.pub"
"$PYTHON" - "$work/deploy/model.joblib" "$work/keys/release.pub" <<'PY'
import sys
import safeload
model = safeload.load(sys.argv[1], safeload.VerifyKey.from_file(sys.argv[2]))
print(f"loaded; 5000 sq ft -> {model.predict([[5000]])[0]:,.2f}")
PY

echo "== attack: flip one byte of the deployed model"
"$PYTHON" - "$work/deploy/model.joblib" <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
data[len(data) // 2] ^= 0x01
open(path, "wb").write(bytes(data))
PY
set +e
"$SAFELOAD" verify "$work/deploy/model.joblib" --pub "$work/keys/release.pub"
code=$?
set -e
if [ "$code" -eq 1 ]; then
    echo "tampered model refused (exit code 1), as expected"
else
    echo "unexpected exit code $code from safeload verify" >&2
    exit 1
fi
