"""Property tests: a signature binds exact bytes, and no input makes safeload fail with anything
but a :class:`~safeload.SafeloadError`.

* any single-byte change, truncation or append to a signed artifact fails verification with
  ``SignatureError``;
* the same edits to the sidecar fail with ``SignatureError`` (or its subclass
  ``SidecarFormatError``) unless the signed content is untouched;
* random bytes and random JSON as a sidecar, including randomly shaped statements carrying a
  *valid* signature, raise nothing but ``SafeloadError``;
* random and mutated files never make ``scan`` raise, and make ``load_unsigned`` raise only
  ``SafeloadError``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LinearRegression

import safeload
from safeload import SafeloadError, SidecarFormatError, SignatureError, SigningKey
from safeload.sidecar import PAYLOAD_TYPE, Envelope, parse_envelope
from safeload.signing import add_signature, verify_bytes

FORMATS = ("pickle", "joblib", "skops")
KEY = SigningKey.generate()
MODEL = LinearRegression().fit(np.arange(8.0).reshape(-1, 1), np.arange(8.0) * 3 + 1)
SIGNED = {fmt: safeload.dumps(MODEL, KEY, format=fmt) for fmt in FORMATS}
SUFFIX = {"pickle": ".pkl", "joblib": ".joblib", "skops": ".skops"}

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def mutated(data: bytes) -> st.SearchStrategy[bytes]:
    """One single-byte change, truncation or append."""
    n = len(data)

    def flip(at: int, xor: int) -> bytes:
        return data[:at] + bytes([data[at] ^ xor]) + data[at + 1 :]

    return st.one_of(
        st.builds(flip, st.integers(0, n - 1), st.integers(1, 255)),
        st.integers(0, n - 1).map(lambda k: data[:k]),
        st.binary(min_size=1, max_size=64).map(lambda extra: data + extra),
    )


@SETTINGS
@given(st.sampled_from(FORMATS), st.data())
def test_any_change_to_the_artifact_fails_verification(fmt: str, data: st.DataObject) -> None:
    payload, sidecar = SIGNED[fmt]
    changed = data.draw(mutated(payload), label="artifact")
    with pytest.raises(SignatureError) as info:
        safeload.loads(changed, sidecar, KEY.public_key)
    assert not isinstance(info.value, SidecarFormatError)


@SETTINGS
@given(st.sampled_from(FORMATS), st.data())
def test_any_change_to_the_sidecar_fails_verification(fmt: str, data: st.DataObject) -> None:
    payload, sidecar = SIGNED[fmt]
    changed = data.draw(mutated(sidecar), label="sidecar")
    with pytest.raises(SignatureError):  # SidecarFormatError is a SignatureError too
        verify_bytes(payload, changed, KEY.public_key, name="payload")


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda s: s + b"\n", id="append-newline"),
        pytest.param(lambda s: s[:-1], id="drop-final-newline"),
        pytest.param(lambda s: s.replace(b'"keyid": "', b'"keyid": "0', 1), id="keyid-hint"),
    ],
)
def test_the_sidecar_bytes_themselves_are_bound(edit: Any) -> None:
    payload, sidecar = SIGNED["pickle"]
    with pytest.raises(SignatureError):
        safeload.loads(payload, edit(sidecar), KEY.public_key)


# --- random sidecars ---------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)
B64 = st.binary(max_size=96).map(lambda b: base64.b64encode(b).decode())
ENVELOPES = st.fixed_dictionaries(
    {
        "payload": B64 | st.text(max_size=40) | JSON,
        "payloadType": st.just(PAYLOAD_TYPE) | st.text(max_size=30),
        "signatures": st.lists(
            st.fixed_dictionaries({"sig": B64 | JSON}, optional={"keyid": st.text(max_size=70)}),
            max_size=3,
        )
        | JSON,
    }
)


def _statement() -> dict[str, Any]:
    env = parse_envelope(SIGNED["pickle"][1])
    doc: dict[str, Any] = json.loads(env.payload)
    return doc


def _with_random_field(doc: Any, path: list[int], value: Any) -> Any:
    """Replace one field (chosen by ``path``, taken modulo each level's size) with ``value``."""
    if not path or not isinstance(doc, (dict, list)) or not doc:
        return value
    keys = list(doc) if isinstance(doc, dict) else list(range(len(doc)))
    key = keys[path[0] % len(keys)]
    copy = dict(doc) if isinstance(doc, dict) else list(doc)
    copy[key] = _with_random_field(doc[key], path[1:], value)
    return copy


STATEMENTS = st.one_of(
    JSON,
    st.builds(
        _with_random_field,
        st.just(_statement()),
        st.lists(st.integers(0, 50), min_size=1, max_size=4),
        JSON,
    ),
)


def _expect_only_safeload_errors(payload: bytes, sidecar: bytes) -> None:
    try:
        safeload.loads(payload, sidecar, KEY.public_key)
    except SafeloadError:
        return
    pytest.fail(f"a forged sidecar verified: {sidecar[:200]!r}")


@SETTINGS
@given(st.binary(max_size=2048) | JSON.map(lambda j: json.dumps(j).encode()))
def test_random_sidecars_raise_only_safeload_errors(sidecar: bytes) -> None:
    _expect_only_safeload_errors(SIGNED["pickle"][0], sidecar)


@SETTINGS
@given(ENVELOPES)
def test_envelope_shaped_junk_raises_only_safeload_errors(doc: dict[str, Any]) -> None:
    _expect_only_safeload_errors(SIGNED["pickle"][0], json.dumps(doc).encode())


@pytest.mark.filterwarnings("ignore::safeload.InconsistentVersionWarning")
@SETTINGS
@given(STATEMENTS)
def test_validly_signed_junk_statements_raise_only_safeload_errors(statement: Any) -> None:
    """The statement parser runs only after a good signature: sign random statements."""
    payload = json.dumps(statement).encode()
    envelope = add_signature(Envelope(payload, PAYLOAD_TYPE), KEY)
    try:
        safeload.loads(SIGNED["pickle"][0], envelope.to_json(), KEY.public_key)
    except SafeloadError:
        return
    # the key really signed it, so it may verify, but only if it describes these exact bytes
    artifact = SIGNED["pickle"][0]
    assert statement["subject"][0]["digest"]["sha256"] == hashlib.sha256(artifact).hexdigest()
    assert statement["predicate"]["size"] == len(artifact)


# --- random artifacts --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="safeload-props-") as tmp:
        yield Path(tmp)


ARTIFACTS = st.one_of(
    st.binary(max_size=512),
    st.sampled_from(FORMATS).flatmap(lambda f: mutated(SIGNED[f][0])),
)


@SETTINGS
@given(ARTIFACTS, st.sampled_from((None, *FORMATS)))
def test_scan_never_raises(data: bytes, fmt: str | None) -> None:
    report = safeload.scan(data, format=fmt)
    assert report.verdict in ("safe", "unsafe")


@pytest.mark.filterwarnings("ignore::UserWarning")
@settings(
    SETTINGS,
    suppress_health_check=[*SETTINGS.suppress_health_check, HealthCheck.function_scoped_fixture],
)
@given(data=ARTIFACTS, fmt=st.sampled_from(FORMATS))
def test_load_unsigned_raises_only_safeload_errors(scratch: Path, data: bytes, fmt: str) -> None:
    path = scratch / f"artifact{SUFFIX[fmt]}"
    path.write_bytes(data)
    try:
        safeload.load_unsigned(path)
    except SafeloadError:
        pass
