#!/usr/bin/env bash
# The static pass must decode every opcode argument as each CPython's own _pickle does
# (issue 14). `make parity-pythons` runs the parity tests (table-driven forms, real pickles of
# protocols 0-5, and the differential fuzz target where atheris installs) under every other
# Python 3.10+ it finds (PYTHONS="python3.12 /path/to/python3.13" to choose), each in a venv of
# its own under .venv-parity/ holding only the run-time dependencies: pure-Python build.
set -euo pipefail
cd "$(dirname "$0")/.."
found=()
for py in ${PYTHONS:-python3.10 python3.11 python3.12 python3.13 $HOME/.pyenv/versions/3.1*/bin/python3}; do
    command -v "$py" >/dev/null 2>&1 || continue
    v=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    [[ " ${found[*]-} " == *" $v "* ]] && continue
    found+=("$v")
    env=".venv-parity/$v"
    test -x "$env/bin/python" || "$py" -m venv "$env"
    "$env/bin/python" -m pip install -q --disable-pip-version-check --prefer-binary \
        numpy scikit-learn joblib cryptography skops packaging pytest hypothesis
    "$env/bin/python" -m pip install -q --disable-pip-version-check --prefer-binary atheris \
        || echo "python $v: atheris does not install; the fuzz target is skipped"
    echo "== python $v"
    SAFELOAD_PURE_PYTHON=1 PYTHONPATH=src "$env/bin/python" -m pytest -q -p no:cacheprovider \
        tests/security/test_parity.py tests/test_opcodes.py
done
echo "parity checked on: ${found[*]-none}"
