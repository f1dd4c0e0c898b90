"""Red team 15, findings r15-13 (text vectorizers) and r15-17 (skops files in scan).

r15-13: a vectorizer's stored ``token_pattern`` runs on every document at ``predict``, and its
``input`` decides whether the caller's strings are text or paths to open. r15-17: ``scan`` of a
skops file checked only the names in its schema, never the native structures a load checks
after building, so a crafted decision tree (and SVM, KD-tree, vocabulary, spline) was SAFE in
scan, refused by load, and crashed plain skops at ``predict``.

Each test shows the harm with plain pickle or plain skops in a child process (a hang is a
timeout, a file read is the model's output depending on a file the test wrote, a crash a
negative return code), then ``load_unsigned`` refusing and ``scan`` agreeing
(``parity.load_unsigned`` asserts scan == load).
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.compose import make_column_selector
from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import safeload
from harm import Child, Loader, plain
from parity import load_unsigned
from safeload import MalformedArtifactError, UnsafeStateError, scan
from safeload.trust.regex import REVIEWED_TOKEN_PATTERNS, regex_problem

skops_io = pytest.importorskip("skops.io")

DOCS = ["spam spam eggs", "ham and eggs", "spam ham", "eggs only"]
Y = [1, 0, 1, 0]
TEXT = "the quick brown fox jumps over the lazy dog, twice over"
REDOS = r"(?:[\w ]|[\w ][\w ])*#"


def _plain(
    path: Path, call: str, *args: str, timeout: float = 60, hang_after_load: float | None = None
) -> Child:
    """Plain pickle (or plain skops for ``.skops``) + ``call`` in a child with 2 GiB of address
    space; the load gets through (a hang comes after it)."""
    loader: Loader = "skops" if path.suffix == ".skops" else "pickle"
    child = plain(
        path,
        call,
        loader=loader,
        memory=2 << 30,
        args=args,
        timeout=timeout,
        hang_after_load=hang_after_load,
    )
    assert child.loaded, child
    return child


def _write(tmp_path: Path, obj: Any, name: str = "m.pkl") -> Path:
    path = tmp_path / name
    if name.endswith(".skops"):
        skops_io.dump(obj, path)
    else:
        path.write_bytes(pickle.dumps(obj, protocol=4))
    return path


def _text_model(**changes: Any) -> Any:
    model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(DOCS, Y)
    for name, value in changes.items():
        setattr(model.steps[0][1], name, value)
    return model


# --- r15-13: text vectorizers ------------------------------------------------------------------


def test_r15_13_token_pattern_redos_hangs_plain_pickle_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, _text_model(token_pattern=REDOS))
    child = _plain(path, f"model.predict([{TEXT!r}])", hang_after_load=1.5)
    assert child.hung, "plain pickle + predict on ordinary text should never return"
    with pytest.raises(UnsafeStateError, match="token_pattern"):
        load_unsigned(path)
    assert "token_pattern" in str(scan(path).findings)


def test_r15_13_input_filename_reads_files_under_plain_pickle_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("spam spam spam\n")
    path = _write(tmp_path, _text_model(input="filename"))
    call = (
        "v = model.steps[0][1]; "
        "print([str(t) for t in v.inverse_transform(v.transform([sys.argv[2]]))[0]])"
    )
    child = _plain(path, call, str(secret))
    assert child.returncode == 0 and "['spam']" in child.stdout, child  # the file's tokens
    with pytest.raises(UnsafeStateError, match="input"):
        load_unsigned(path)


@pytest.mark.parametrize("value", ["file", np.str_("filename"), np.str_("content")])
def test_r15_13_input_other_forms_refused(tmp_path: Path, value: Any) -> None:
    path = _write(tmp_path, _text_model(input=value))
    with pytest.raises(UnsafeStateError, match="input"):
        load_unsigned(path)


def test_r15_13_hashing_vectorizer_same_rules(tmp_path: Path) -> None:
    for name, value in (("input", "filename"), ("token_pattern", REDOS)):
        path = _write(tmp_path, HashingVectorizer(**{name: value}), f"{name}.pkl")
        with pytest.raises(UnsafeStateError, match=name):
            load_unsigned(path)


def test_r15_13_token_pattern_numpy_str_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, _text_model(token_pattern=np.str_(r"(?u)\b\w\w+\b")))
    with pytest.raises(UnsafeStateError, match="token_pattern"):
        load_unsigned(path)


@pytest.mark.parametrize("pattern", REVIEWED_TOKEN_PATTERNS)
def test_r15_13_reviewed_token_patterns_load_and_work(tmp_path: Path, pattern: Any) -> None:
    model = make_pipeline(CountVectorizer(token_pattern=pattern), LogisticRegression())
    if pattern is None:
        model.set_params(countvectorizer__analyzer="char")
    model.fit(DOCS, Y)
    loaded = load_unsigned(_write(tmp_path, model))
    assert list(loaded.predict(DOCS)) == list(model.predict(DOCS))


def test_r15_13_reviewed_token_patterns_are_single_repeats() -> None:
    """Each reviewed pattern is at most one repeat of one character class between fixed
    anchors, the shape that Python's backtracking matcher runs in linear time (the argument is
    in ``safeload.trust.regex``; speed itself is not asserted here: tests never time). Each
    still tokenizes ordinary text."""
    for pattern in REVIEWED_TOKEN_PATTERNS:
        if pattern is None:
            continue
        body = re.sub(r"^\(\?u\)", "", pattern)
        assert len(re.findall(r"[+*]|\{", body)) <= 2, pattern  # \w\w+ is one class twice
        assert "(" not in body and "|" not in body, pattern
        assert re.findall(pattern, "the quick brown fox"), pattern


def test_r15_13_honest_vectorizers_load_and_scan_safe(tmp_path: Path) -> None:
    model = _text_model()
    loaded = load_unsigned(_write(tmp_path, model))
    assert list(loaded.predict(DOCS)) == list(model.predict(DOCS))
    load_unsigned(_write(tmp_path, HashingVectorizer(), "h.pkl"))
    load_unsigned(_write(tmp_path, model, "m.skops"))


def test_r15_13_column_selector_pattern_redos_hangs_plain_pickle_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, make_column_selector(pattern=r"^(a|aa)*$"))
    # (a|aa)* tries every way to split the a's before failing on the b: x1.5 per character
    # (40 a's: about 10 s; 60: hours)
    call = "import pandas as pd; model(pd.DataFrame(columns=['a' * 60 + 'b']))"
    pytest.importorskip("pandas")
    child = _plain(path, call, hang_after_load=1.5)
    assert child.hung, "plain pickle + the selector on one column name should never return"
    with pytest.raises(UnsafeStateError, match="pattern"):
        load_unsigned(path)


def test_r15_13_honest_column_selector_patterns_load(tmp_path: Path) -> None:
    for i, pattern in enumerate(("^num_", "^(cat|num)_\\d+$", "_x$", "^f[0-9]+(_log)?$", None)):
        load_unsigned(_write(tmp_path, make_column_selector(pattern=pattern), f"{i}.pkl"))


@pytest.mark.parametrize(
    "pattern",
    [
        r"(a|aa)*b",
        r"(\w+)*#",
        r"(?:ab)+c",
        r"(a)\1",
        r"(?=a)a",
        r"(?>a+)b",
        r"\w*\w*\w*#",
        r"(ab|cd)(ab|cd)(ab|cd)(ab|cd)(ab|cd)(ab|cd)(ab|cd)",
        r"(?:ab|cd){30}",
        r"[",
        "a" * 1001,
    ],
)
def test_r15_13_regex_rule_refuses(pattern: str) -> None:
    assert regex_problem(pattern) is not None


@pytest.mark.parametrize("pattern", [r"^num_", r".*_x$", r"^(cat|num)_\d+", r"\w+\d?", r"a{5}"])
def test_r15_13_regex_rule_accepts(pattern: str) -> None:
    assert regex_problem(pattern) is None
    re.compile(pattern)  # a pattern the rule accepts is one Python compiles


# --- r15-17: skops files: scan runs the checks a load runs after building -------------------


def _crafted_tree() -> Any:
    from sklearn.tree import DecisionTreeClassifier

    x = np.random.RandomState(0).rand(200, 4)
    clf = DecisionTreeClassifier(max_depth=3).fit(x, (x[:, 0] > 0.5).astype(int))
    state = dict(clf.tree_.__getstate__())
    nodes = state["nodes"].copy()
    nodes["left_child"][0] = 10**7
    state["nodes"] = nodes
    clf.tree_.__setstate__(state)
    return clf


def test_r15_17_crafted_skops_tree_crashes_plain_skops_scan_refuses(tmp_path: Path) -> None:
    path = _write(tmp_path, _crafted_tree(), "tree.skops")
    child = _plain(path, "model.predict(np.random.RandomState(0).rand(5, 4))")
    assert child.crashed, f"plain skops + predict should crash: {child}"
    report = scan(path)
    assert not report.safe
    assert "Tree" in str(report.findings)
    with pytest.raises(MalformedArtifactError, match="Tree"):
        load_unsigned(path)


def _other_crafted() -> dict[str, Any]:
    from sklearn.neighbors import KDTree
    from sklearn.preprocessing import SplineTransformer
    from sklearn.svm import SVC

    x = np.random.RandomState(0).rand(60, 3)
    y = (x[:, 0] > 0.5).astype(int)
    cases: dict[str, Any] = {}
    cv = CountVectorizer().fit(["spam eggs", "ham eggs"])
    cv.vocabulary_ = dict(cv.vocabulary_)
    cv.vocabulary_["spam"] = 10**9
    cases["vocabulary"] = cv
    svc = SVC().fit(x, y)
    svc._n_support = np.array([100, 100], dtype=np.int32)
    cases["svm"] = svc
    tree = KDTree(x)
    st = list(tree.__getstate__())
    nodes = st[2].copy()
    nodes["idx_end"][0] = 10**6
    st[2] = nodes
    tree.__setstate__(tuple(st))
    cases["kdtree"] = tree
    spline = SplineTransformer().fit(x)
    spline.bsplines_[0].t = spline.bsplines_[0].t[::-1].copy()
    cases["bspline"] = spline
    cases["token_pattern"] = _text_model(token_pattern=REDOS)
    cases["input"] = _text_model(input="filename")
    return cases


@pytest.mark.parametrize("name", list(_other_crafted()))
def test_r15_17_other_crafted_skops_files_scan_unsafe(tmp_path: Path, name: str) -> None:
    path = _write(tmp_path, _other_crafted()[name], f"{name}.skops")
    assert not scan(path).safe
    with pytest.raises((MalformedArtifactError, UnsafeStateError)):
        load_unsigned(path)


def test_r15_17_skops_token_pattern_hangs_plain_skops(tmp_path: Path) -> None:
    path = _write(tmp_path, _text_model(token_pattern=REDOS), "m.skops")
    assert _plain(path, f"model.predict([{TEXT!r}])", hang_after_load=1.5).hung
    with pytest.raises(UnsafeStateError, match="token_pattern"):
        load_unsigned(path)


def test_r15_17_honest_skops_files_scan_safe_and_load(tmp_path: Path) -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC

    x = np.random.RandomState(0).rand(80, 3)
    y = (x[:, 0] > 0.5).astype(int)
    for i, model in enumerate(
        (
            RandomForestClassifier(n_estimators=3, random_state=0).fit(x, y),
            HistGradientBoostingClassifier(max_iter=3).fit(x, y),
            KNeighborsClassifier(algorithm="kd_tree").fit(x, y),
            SVC().fit(x, y),
            _text_model(),
        )
    ):
        loaded = load_unsigned(_write(tmp_path, model, f"{i}.skops"))
        data = DOCS if i == 4 else x
        assert list(loaded.predict(data)) == list(model.predict(data))


def test_r15_17_skops_node_skops_cannot_build_is_unsafe(tmp_path: Path) -> None:
    """A node skops cannot build is a finding in scan, and a load refuses it."""
    import io
    import json
    import zipfile

    path = _write(tmp_path, _text_model(), "m.skops")
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    schema = json.loads(members["schema.json"])
    schema["content"]["content"]["memory"] = {
        "__class__": "str",
        "__module__": "builtins",
        "__loader__": "CachedNode",
        "__id__": 123456789,
    }
    members["schema.json"] = json.dumps(schema).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n, data in members.items():
            zf.writestr(n, data)
    bad = tmp_path / "bad.skops"
    bad.write_bytes(buf.getvalue())
    assert not safeload.scan(bad).safe
    with pytest.raises(MalformedArtifactError):
        load_unsigned(bad)


@pytest.mark.parametrize("name", ["stacking_classifier", "voting_regressor", "iterative_imputer"])
def test_r15_17_skops_bunches_and_named_tuples_scan_as_they_load(tmp_path: Path, name: str) -> None:
    """Stacking and voting estimators keep a Bunch, IterativeImputer a named tuple: the scan of
    a skops file makes them as skops does (only for classes the policy trusts), so honest files
    scan safe and load (make compare found these five kinds unproven after the r15-17 fix)."""
    from corpus_kinds import KINDS, fit, write

    (kind,) = [k for k in KINDS if k.name == name]
    fitted = fit(kind)
    path = tmp_path / f"{name}.skops"
    path.write_bytes(write(fitted.model, "skops"))
    load_unsigned(path)  # parity: scan must call it safe too
