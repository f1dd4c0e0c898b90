"""Red team 45's findings: strict xfails until fixed. Each test shows the harm (in a child
under limits where there is one), then asserts what safeload should do.

rt45-01 a path ``link/../model.pkl`` into a signed folder escapes the folder signature (load,
        verify, CLI verify; also the in-folder model_signing bundle refusal);
rt45-02 category_encoders HashingEncoder.n_components sizes transform (one row: GBs);
rt45-03 XGBClassifier.n_classes_ unchecked: ``classes_`` / scorers allocate ``n_classes_``;
rt45-04 xgboost blob ``num_feature`` unpaid: ``feature_importances_`` allocates per feature;
rt45-05 LightGBM ``_n_features_in`` unchecked: SelectFromModel names 2**31 features;
rt45-06 LightGBM feature names: ``feature_name_`` allocates count x longest name;
rt45-07 xgboost ``num_class``/``num_target`` unpaid: the load and predict(1 row) allocate;
rt45-08 LightGBM ``_classes`` measured by len() in load, "unproven" in scan (parity);
rt45-09 LightGBM parameters holding numpy values: scan unproven, load loads (an honest
        RandomizedSearchCV best_estimator_ scans UNSAFE);
rt45-10 ``Keyring(not_after=...)`` silently ignores an id that is not the exact key id;
rt45-11 r15-07 bypassed: LGBM feature indices bounded by the stored ``_n_features``, and
        ``fit`` segfaults.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

import safeload
from harm import Child
from safeload import SafeloadError, SigningKey


def _program(body: str, profile: str, *, plain: bool) -> str:
    """A child's program: load ``sys.argv[1]`` as ``model``, then run ``body``. ``plain``
    unpickles with pickle, which is how a fixed finding still shows its harm (safeload now
    refuses the file); otherwise safeload loads it with ``profile`` on (the honest file)."""
    if plain:
        load = "import pickle\nwith open(sys.argv[1], 'rb') as f:\n    model = pickle.load(f)\n"
    else:
        load = (
            "import safeload\n"
            f"model = safeload.load_unsigned(sys.argv[1], profiles=[{profile!r}])\n"
        )
    return load + body

# --- rt45-01: a path `link/../model.pkl` into a signed folder bypasses the folder signature ----


def _old_and_new_release(base: Path, key: SigningKey) -> tuple[Path, bytes, bytes]:
    """``base/signed/`` signed as a folder (``signed.sig``) holding ``model.pkl`` (new) and
    ``sub/cfg.txt``; also returns an OLD ``model.pkl`` and its once-valid per-file sidecar."""
    signed = base / "signed"
    (signed / "sub").mkdir(parents=True)
    (signed / "model.pkl").write_bytes(pickle.dumps({"v": "old"}))
    safeload.sign(signed / "model.pkl", key)
    old = (signed / "model.pkl").read_bytes()
    old_sig = (signed / "model.pkl.sig").read_bytes()
    (signed / "model.pkl.sig").unlink()
    (signed / "model.pkl").write_bytes(pickle.dumps({"v": "new"}))
    (signed / "sub" / "cfg.txt").write_text("x")
    safeload.sign(signed, key)
    return signed, old, old_sig


@pytest.mark.parametrize("entry", ["load", "verify"])
def test_rt45_01_dotdot_through_symlink_escapes_folder_signature(
    entry: str, tmp_path: Path
) -> None:
    """SECURITY.md: "One signature governs a file in a signed folder ... 'Holds' means where
    the file really is": an old, once validly signed ``model.pkl`` dropped with its old
    ``model.pkl.sig`` into the signed folder ``signed/`` must not load, and it does not by its
    path ``signed/model.pkl`` (the folder manifest fails). But ``_folders.real_file`` and
    ``governing_folder`` take ``os.path.abspath`` first, which folds ``..`` lexically, while the
    OS resolves ``x/link/../model.pkl`` (``link -> signed/sub``) to ``signed/model.pkl``: the
    lexical path ``x/model.pkl`` has no signed folder above it, so single-file mode reads the
    old sidecar ``x/link/../model.pkl.sig`` (= ``signed/model.pkl.sig``) and returns the old
    model (rollback inside a signed folder, the attack issue 14 item 5 / rt14 f09 closed)."""
    key = SigningKey.generate()
    signed, old, old_sig = _old_and_new_release(tmp_path, key)
    assert safeload.load(signed / "model.pkl", key.public_key) == {"v": "new"}
    # someone who can write into the signed folder drops the old release back in
    (signed / "model.pkl").write_bytes(old)
    (signed / "model.pkl.sig").write_bytes(old_sig)
    with pytest.raises(SafeloadError):
        safeload.load(signed / "model.pkl", key.public_key)
    (tmp_path / "x").mkdir()
    os.symlink(signed / "sub", tmp_path / "x" / "link")
    path = tmp_path / "x" / "link" / ".." / "model.pkl"
    assert path.read_bytes() == old  # the OS opens signed/model.pkl
    with pytest.raises(SafeloadError):
        if entry == "load":
            safeload.load(path, key.public_key)
        else:
            safeload.verify(path, key.public_key)


def test_rt45_01_dotdot_through_symlink_escapes_model_signing_folder(
    tmp_path: Path,
) -> None:
    """rt45-01's variant for ``_folders.refuse_in_folder_bundle`` (red team 17 f02 variant C):
    a folder ``D`` signed with a model_signing bundle ``D/model.sig``; an old ``model.pkl`` and
    its once-valid per-file sidecar dropped into ``D`` are refused by the path ``D/model.pkl``
    ("a per-file signature does not replace it"), but loaded by ``x/link/../model.pkl`` with
    ``link -> D/sub``: the folders above are looked up on ``os.path.abspath``'s lexical path."""
    from safeload import ECDSASigningKey

    key = ECDSASigningKey.generate()
    folder = tmp_path / "D"
    (folder / "sub").mkdir(parents=True)
    (folder / "model.pkl").write_bytes(pickle.dumps({"v": "old"}))
    safeload.sign(folder / "model.pkl", key)
    old = (folder / "model.pkl").read_bytes()
    old_sig = (folder / "model.pkl.sig").read_bytes()
    (folder / "model.pkl.sig").unlink()
    (folder / "model.pkl").write_bytes(pickle.dumps({"v": "new"}))
    (folder / "sub" / "cfg.txt").write_text("x")
    bundle = folder / "model.sig"
    safeload.sign(folder, key, signature_format="model-signing", signature=bundle)
    new = safeload.load(
        folder / "model.pkl", key.public_key, model_root=folder, signature=bundle
    )
    assert new == {"v": "new"}
    (folder / "model.pkl").write_bytes(old)
    (folder / "model.pkl.sig").write_bytes(old_sig)
    with pytest.raises(SafeloadError, match="model_signing folder"):
        safeload.load(folder / "model.pkl", key.public_key)
    (tmp_path / "x").mkdir()
    os.symlink(folder / "sub", tmp_path / "x" / "link")
    with pytest.raises(SafeloadError):
        safeload.load(tmp_path / "x" / "link" / ".." / "model.pkl", key.public_key)


# --- rt45-02: category_encoders' HashingEncoder.n_components sizes transform's output ----------


def _hashing_encoder_file(tmp_path: Path, n_components: int) -> Path:
    """An honestly fitted ``HashingEncoder(cols=["a"], max_process=1)`` (the profile pins
    ``max_process`` to 1) with ``n_components`` set to ``n_components`` (about 900 bytes)."""
    pd = pytest.importorskip("pandas")
    ce = pytest.importorskip("category_encoders")
    frame = pd.DataFrame({"a": ["x", "y", "z", "x"], "b": [1.0, 2.0, 3.0, 4.0]})
    enc = ce.HashingEncoder(cols=["a"], n_components=8, max_process=1).fit(frame)
    enc.n_components = n_components
    path = tmp_path / "enc.pkl"
    path.write_bytes(pickle.dumps(enc, protocol=5))
    return path


#: After the load (see _program), transform ONE row, under a memory limit.
_HASHING_TRANSFORM = (
    "import pandas as pd, time\n"
    "print('loaded', model.n_components, flush=True)\n"
    "t = time.process_time()\n"
    "try:\n"
    "    model.transform(pd.DataFrame({'a': ['x'], 'b': [1.0]}))\n"
    "    print('returned', flush=True)\n"
    "except MemoryError:\n"
    "    print('MemoryError', flush=True)\n"
    "print('cpu', time.process_time() - t, flush=True)\n"
)


def test_rt45_02_hashing_encoder_n_components_blowup(tmp_path: Path) -> None:
    """category_encoders profile: ``HashingEncoder.transform`` builds ``[f"col_{d}" for d in
    range(n_components)]`` and ``np.zeros((rows, n_components))`` from the stored
    ``n_components`` alone; nothing the file stores pays for it (the profile pins
    ``max_process``, ``handle_*`` and ``X``, not ``n_components``). A 906-byte encoder with
    ``n_components=2**31`` loads, and transforming ONE row runs out of 1 GB of address space
    (an honest encoder of the same size, ``n_components=8``, takes milliseconds): memory and
    time sized by one stored integer, the class of r15-12 / ``MAX_OUTPUT_COLUMNS`` for
    scikit-learn's transforms. Expected: refused (scan unsafe, load refuses) past a bound."""
    from redteam import GB, child

    pd = pytest.importorskip("pandas")
    honest = _hashing_encoder_file(tmp_path, 8)  # safe to use here, in this process
    loaded = safeload.load_unsigned(honest, profiles=["category_encoders"])
    assert loaded.transform(pd.DataFrame({"a": ["x"], "b": [1.0]})).shape == (1, 9)
    assert safeload.scan(honest, profiles=["category_encoders"]).safe
    path = _hashing_encoder_file(tmp_path, 2**31)
    plain = _program(_HASHING_TRANSFORM, "category_encoders", plain=True)
    # (under 512 MiB, not 1 GiB: the same MemoryError of 2**31 names asked, sooner)
    shown = child(plain, path, memory=GB // 2, cpu=20)
    assert "loaded 2147483648" in shown.stdout, str(shown)
    assert "returned" not in shown.stdout, str(
        shown
    )  # MemoryError, or killed at the CPU limit
    assert not safeload.scan(path, profiles=["category_encoders"]).safe
    with pytest.raises(SafeloadError, match="n_components"):
        safeload.load_unsigned(path, profiles=["category_encoders"])


# --- rt45-03: XGBClassifier.n_classes_ unchecked: classes_ is np.arange(n_classes_) ----------


def _honest_then_crafted(program: str, honest: Path, crafted: Path) -> str:
    """The xgboost children below: ``program`` on the honest file loaded through safeload,
    then, after a line ``== crafted``, on the crafted one loaded through plain pickle
    (safeload refuses it now: this shows what it does unchecked). One child imports xgboost
    once for both (seconds each time)."""
    safe = f"safeload.load_unsigned({str(honest)!r}, profiles=['xgboost'])"
    plain = f"pickle.load(open({str(crafted)!r}, 'rb'))"
    return (
        program.replace("LOAD_MODEL", safe)
        + "print('== crafted', flush=True)\n"
        + program.replace("LOAD_MODEL", plain)
    )


def _outputs(run: Child) -> tuple[str, str]:
    """The honest part and the crafted part of a :func:`_honest_then_crafted` child's output."""
    honest, _, crafted = run.stdout.partition("== crafted")
    return honest, crafted


def _xgb_classifier_file(tmp_path: Path, n_classes: int | None) -> Path:
    """A small honestly fitted binary ``XGBClassifier``, its ``n_classes_`` set to
    ``n_classes`` (``None``: as fitted, 2)."""
    xgb = pytest.importorskip("xgboost")
    import numpy as np

    rng = np.random.RandomState(0)
    x = rng.rand(50, 3)
    model = xgb.XGBClassifier(n_estimators=2, max_depth=2, n_jobs=1).fit(
        x, (x[:, 0] > 0.5).astype(int)
    )
    if n_classes is not None:
        model.n_classes_ = n_classes
    path = tmp_path / ("xgb.pkl" if n_classes is None else "xgb_crafted.pkl")
    path.write_bytes(pickle.dumps(model, protocol=5))
    return path


#: Load the file, then what evaluation code calls: ``classes_`` and a scikit-learn scorer
#: (``_get_response_values`` reads ``estimator.classes_``).
_XGB_CLASSES = (
    "import numpy, pickle, safeload, sklearn.metrics\n"
    "model = LOAD_MODEL\n"
    "x = numpy.random.RandomState(0).rand(50, 3)\n"
    "y = (x[:, 0] > 0.5).astype(int)\n"
    "print('loaded', model.n_classes_, model.predict(x)[:3], flush=True)\n"
    "for call in ('model.classes_', 'sklearn.metrics.get_scorer(\"roc_auc\")(model, x, y)'):\n"
    "    try:\n"
    "        eval(call)\n"
    "        print('returned', flush=True)\n"
    "    except MemoryError:\n"
    "        print('MemoryError', flush=True)\n"
)


def test_rt45_03_xgb_classifier_n_classes_blowup(tmp_path: Path) -> None:
    """xgboost profile: ``XGBClassifier.classes_`` is a property, ``np.arange(self.n_classes_)``,
    and ``n_classes_`` is a plain int the file stores (fit sets ``len(classes)``; a loaded
    model's ``_load_model_attributes`` reads it from the Booster's config, but ``__setstate__``
    keeps the pickled one). Nothing ties it to the checked Booster blob: a 5.5 KB binary
    classifier with ``n_classes_=2**31`` loads, ``predict`` works, and ``model.classes_`` or
    any scikit-learn scorer with a response method (``get_scorer("roc_auc")(model, X, y)``,
    ``_get_response_values`` reads ``classes_``) allocates 16 GB (``2**33``: 64 GB). Here a
    1 GB limit turns that into MemoryError; the honest file returns at once. Fixed:
    ``n_classes_`` must be what the Booster says (``num_class``, or 1 or 2 for a binary
    objective), else refused by scan and load (the harm is shown through plain pickle)."""
    from redteam import GB, child

    fitted = _xgb_classifier_file(tmp_path, None)
    path = _xgb_classifier_file(tmp_path, 2**31)
    run = child(_honest_then_crafted(_XGB_CLASSES, fitted, path), path, memory=GB, cpu=20)
    honest, shown = _outputs(run)
    assert honest.count("returned") == 2, str(run)
    assert "loaded 2147483648" in shown, str(run)
    assert shown.count("MemoryError") == 2, str(run)
    report = safeload.scan(path, profiles=["xgboost"])
    assert not report.safe
    assert any("n_classes_ is 2147483648" in f.message for f in report.findings), report
    with pytest.raises(SafeloadError, match="n_classes_: is 2147483648, but its Booster"):
        safeload.load_unsigned(path, profiles=["xgboost"])


# --- rt45-04: an xgboost Booster's num_feature is not paid for: feature_importances_ --------


def _xgb_num_feature_file(tmp_path: Path, num_feature: int | None) -> Path:
    """A small honest binary ``XGBClassifier`` on 3 features, its Booster blob's four
    ``num_feature`` strings (the learner's and each tree's) set to ``num_feature``."""
    import struct

    xgb = pytest.importorskip("xgboost")
    import numpy as np

    rng = np.random.RandomState(0)
    x = rng.rand(50, 3)
    model = xgb.XGBClassifier(n_estimators=2, max_depth=2, n_jobs=1).fit(
        x, (x[:, 0] > 0.5).astype(int)
    )
    handle = bytes(model.get_booster().__getstate__()["handle"])
    if num_feature is not None:
        old = b"num_featureSL" + struct.pack(">q", 1) + b"3"
        text = str(num_feature).encode()
        assert handle.count(old) == 4
        handle = handle.replace(
            old, b"num_featureSL" + struct.pack(">q", len(text)) + text
        )
    real = xgb.core.Booster.__getstate__
    xgb.core.Booster.__getstate__ = lambda self: {
        **real(self),
        "handle": bytearray(handle),
    }
    try:
        data = pickle.dumps(model, protocol=5)
    finally:
        xgb.core.Booster.__getstate__ = real
    path = tmp_path / ("xgb_nf.pkl" if num_feature is None else "xgb_nf_crafted.pkl")
    path.write_bytes(data)
    return path


_XGB_IMPORTANCES = (
    "import pickle, safeload\n"
    "model = LOAD_MODEL\n"
    "print('loaded', model.n_features_in_, flush=True)\n"
    "try:\n"
    "    print('importances', len(model.feature_importances_), flush=True)\n"
    "    print('returned', flush=True)\n"
    "except MemoryError:\n"
    "    print('MemoryError', flush=True)\n"
    "except Exception as exc:  # xgboost's native bad_alloc comes back as XGBoostError\n"
    "    print('raised', type(exc).__name__, str(exc)[:80], flush=True)\n"
)


def test_rt45_04_xgb_num_feature_unpaid(tmp_path: Path) -> None:
    """xgboost profile: the Booster blob check (``trust.xgboost_model``) holds every split
    feature below ``learner_model_param.num_feature`` but lets ``num_feature`` itself be any
    int below 2**31, paid for by nothing (xgboost's JSON needs no feature names). A 5.6 KB
    binary classifier whose blob says ``num_feature=2147483647`` loads; its
    ``feature_importances_`` (scikit-learn's ``SelectFromModel``, plots and reports read it)
    has xgboost's ``FeatureScore`` allocate per-feature vectors of ``num_feature`` items and
    Python build ``[f"f{i}" for i in range(n_features_in_)]``: tens of GB from one stored
    integer (here ``std::bad_alloc`` under a 1 GB limit; the honest file returns 3 values).
    The scikit-learn tree rule for the same harm caps features at ``MAX_TREE_FEATURES``
    (2**24, r15-12). Fixed: ``num_feature`` may be at most 2**20, or 16 per byte of the blob
    (``xgboost_model.max_features``), in the blob check both scan and load run (the harm is
    shown through plain pickle)."""
    from redteam import GB, child

    fitted = _xgb_num_feature_file(tmp_path, None)
    path = _xgb_num_feature_file(tmp_path, 2**31 - 1)
    run = child(_honest_then_crafted(_XGB_IMPORTANCES, fitted, path), path, memory=GB, cpu=20)
    honest, shown = _outputs(run)
    assert "importances 3" in honest, str(run)
    assert "loaded 2147483647" in shown, str(run)
    assert "returned" not in shown, str(run)
    report = safeload.scan(path, profiles=["xgboost"])
    assert not report.safe
    assert any("num_feature is 2147483647" in f.message for f in report.findings), report
    with pytest.raises(SafeloadError, match="num_feature is 2147483647, more than"):
        safeload.load_unsigned(path, profiles=["xgboost"])


# --- rt45-05: LightGBM's _n_features_in is unchecked: a selector's names come from it ---------


def _lgbm_selector_file(tmp_path: Path, n_features_in: int | None) -> Path:
    """``SelectFromModel(LGBMClassifier())`` fitted on 3 features, its estimator's
    ``_n_features_in`` (what ``n_features_in_`` returns) set to ``n_features_in``."""
    lgb = pytest.importorskip("lightgbm")
    import numpy as np
    from sklearn.feature_selection import SelectFromModel

    rng = np.random.RandomState(0)
    x = rng.rand(60, 3)
    selector = SelectFromModel(lgb.LGBMClassifier(n_estimators=2, verbose=-1))
    selector.fit(x, (x[:, 0] > 0.5).astype(int))
    if n_features_in is not None:
        selector.estimator_._n_features_in = n_features_in
    path = tmp_path / "sfm.pkl"
    path.write_bytes(pickle.dumps(selector, protocol=5))
    return path


#: After the load (see _program), name the selected features.
_SELECTOR_NAMES = (
    "print('loaded', model.n_features_in_, flush=True)\n"
    "try:\n"
    "    print('names', len(model.get_feature_names_out()), flush=True)\n"
    "    print('returned', flush=True)\n"
    "except MemoryError:\n"
    "    print('MemoryError', flush=True)\n"
)


def test_rt45_05_lgbm_n_features_in_unchecked(tmp_path: Path) -> None:
    """lightgbm profile: ``LGBMModel.n_features_in_`` is a property returning the stored
    ``_n_features_in``; the profile reads ``_n_features`` (as a feature-index bound,
    rt45-11) and ``_n_classes`` (r15-14) but not this one, and scikit-learn's paid-width
    rule (rt31-02) reads ``n_features_in_`` from
    an instance's own dict, where LightGBM keeps ``_n_features_in`` instead. A 6 KB fitted
    ``SelectFromModel(LGBMClassifier())`` whose estimator says ``_n_features_in=2**31``
    loads, and ``get_feature_names_out()`` (no ``feature_names_in_``: LightGBM raises
    AttributeError for numpy training data) makes ``[f"x{i}" for i in range(2**31)]``:
    rt31-02's harm, MemoryError under a 1 GB limit; the honest file returns at once.
    Expected: ``_n_features_in`` must equal the Booster's ``num_feature()`` (fit sets it to
    ``X.shape[1]``, as ``_n_features``), else refused."""
    from redteam import GB, child

    honest = _lgbm_selector_file(tmp_path, None)
    run = child(_program(_SELECTOR_NAMES, "lightgbm", plain=False), honest, memory=GB, cpu=20)
    assert "returned" in run.stdout, str(run)
    path = _lgbm_selector_file(tmp_path, 2**31)
    shown = child(_program(_SELECTOR_NAMES, "lightgbm", plain=True), path, memory=GB, cpu=20)
    assert "loaded 2147483648" in shown.stdout, str(shown)
    assert "returned" not in shown.stdout, str(shown)
    assert not safeload.scan(path, profiles=["lightgbm"]).safe
    with pytest.raises(SafeloadError, match="_n_features_in"):
        safeload.load_unsigned(path, profiles=["lightgbm"])


# --- rt45-06: LightGBM feature names: Booster.feature_name() allocates count x longest --------


def _lgbm_names_file(tmp_path: Path, count: int, longest: int) -> Path:
    """A small honest ``LGBMClassifier`` (3 features, 2 trees) whose model text says
    ``max_feature_idx=count-1`` with ``count`` feature names (the first ``longest`` characters
    long) and ``count`` ``none`` feature infos, its wrapper ``count`` features; the trees are
    untouched (they split on features 0-2)."""
    import re

    lgb = pytest.importorskip("lightgbm")
    import numpy as np

    rng = np.random.RandomState(0)
    x = rng.rand(60, 3)
    model = lgb.LGBMClassifier(n_estimators=2, verbose=-1).fit(
        x, (x[:, 0] > 0.5).astype(int)
    )
    text = model.booster_.model_to_string()
    names = ["a" * longest] + [f"f{i}" for i in range(1, count)]
    text = re.sub(
        r"(?m)^max_feature_idx=\d+$", f"max_feature_idx={count - 1}", text, count=1
    )
    text = re.sub(
        r"(?m)^feature_names=.*$", "feature_names=" + " ".join(names), text, count=1
    )
    text = re.sub(
        r"(?m)^feature_infos=.*$", "feature_infos=" + " ".join(["none"] * count), text
    )
    model._n_features = model._n_features_in = count  # as fit sets them (rt45-05)
    real = lgb.basic.Booster.__getstate__
    lgb.basic.Booster.__getstate__ = lambda self: {**real(self), "_handle": text}
    try:
        data = pickle.dumps(model, protocol=5)
    finally:
        lgb.basic.Booster.__getstate__ = real
    path = tmp_path / "lgb_names.pkl"
    path.write_bytes(data)
    return path


#: After the load (see _program), ask for the feature names.
_LGBM_NAMES = (
    "print('loaded', model.booster_.num_feature(), flush=True)\n"
    "try:\n"
    "    print('names', len(model.feature_name_), flush=True)\n"
    "    print('returned', flush=True)\n"
    "except MemoryError:\n"
    "    print('MemoryError', flush=True)\n"
)


def test_rt45_06_lgbm_feature_names_quadratic(tmp_path: Path) -> None:
    """lightgbm profile: ``LGBMModel.feature_name_`` (and ``feature_names_in_``,
    ``Booster.feature_name()``, ``lightgbm.plot_importance``) asks LightGBM for the longest
    feature name, then makes one ``ctypes.create_string_buffer`` of that length PER feature:
    ``count * longest`` bytes, quadratic in the file. The model-text check
    (``trust.lightgbm_text``) reads neither names nor infos, and scikit-learn's
    ``MAX_FEATURE_NAME`` (1024, rt31-06) applies to ``feature_names_in_`` in an instance's
    dict only. A ~360 KB model (5,000 features, one name of 300,000 characters) asks for
    1.5 GB (MemoryError under a 1 GB limit); 100,000 features and a 1 MB name (1.7 MB) ask
    for 100 GB. The same model with short names allocates 5,000 x 255 bytes.
    Expected: a bound on a LightGBM feature name's length (or count x longest)."""
    from redteam import GB, child

    honest = _lgbm_names_file(tmp_path, 5000, 8)  # safe to use here, in this process
    assert len(safeload.load_unsigned(honest, profiles=["lightgbm"]).feature_name_) == 5000
    assert safeload.scan(honest, profiles=["lightgbm"]).safe
    path = _lgbm_names_file(tmp_path, 5000, 300_000)
    assert path.stat().st_size < 400_000
    shown = child(_program(_LGBM_NAMES, "lightgbm", plain=True), path, memory=GB, cpu=20)
    assert "loaded 5000" in shown.stdout, str(shown)
    assert "returned" not in shown.stdout, str(shown)
    assert not safeload.scan(path, profiles=["lightgbm"]).safe
    with pytest.raises(SafeloadError, match="feature name 0 is 300,000 bytes long"):
        safeload.load_unsigned(path, profiles=["lightgbm"])


# --- rt45-07: xgboost num_class / num_target unpaid: predict allocates rows x outputs ---------


def _xgb_outputs_file(tmp_path: Path, kind: str, value: int | None) -> Path:
    """A small honest ``XGBClassifier`` (``kind="num_class"``) or ``XGBRegressor``
    (``"num_target"``) on 3 features, its blob's two ``kind`` strings (the Model's and the
    Config's ``learner_model_param``) set to ``value``."""
    import struct

    xgb = pytest.importorskip("xgboost")
    import numpy as np

    rng = np.random.RandomState(0)
    x = rng.rand(50, 3)
    cls = xgb.XGBClassifier if kind == "num_class" else xgb.XGBRegressor
    model = cls(n_estimators=2, max_depth=2, n_jobs=1).fit(x, (x[:, 0] > 0.5).astype(int))
    handle = bytes(model.get_booster().__getstate__()["handle"])
    if value is not None:
        old = (
            kind.encode()
            + b"SL"
            + struct.pack(">q", 1)
            + (b"0" if kind == "num_class" else b"1")
        )
        text = str(value).encode()
        assert handle.count(old) == 2
        handle = handle.replace(
            old, kind.encode() + b"SL" + struct.pack(">q", len(text)) + text
        )
    real = xgb.core.Booster.__getstate__
    xgb.core.Booster.__getstate__ = lambda self: {
        **real(self),
        "handle": bytearray(handle),
    }
    try:
        data = pickle.dumps(model, protocol=5)
    finally:
        xgb.core.Booster.__getstate__ = real
    path = tmp_path / f"xgb_{kind}{'' if value is None else '_crafted'}.pkl"
    path.write_bytes(data)
    return path


_XGB_LOAD_AND_PREDICT = (
    "import numpy, pickle, resource, safeload, time\n"
    "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "model = LOAD_MODEL\n"
    "grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before\n"
    "print('loaded, grew_mb', grown // 1024, flush=True)\n"
    "t = time.process_time()\n"
    "out = model.predict(numpy.random.RandomState(1).rand(1, 3))\n"
    "print('returned', out.shape, 'cpu', round(time.process_time() - t, 2), flush=True)\n"
)


@pytest.mark.parametrize("kind", ["num_class", "num_target"])
def test_rt45_07_xgb_output_groups_unpaid(kind: str, tmp_path: Path) -> None:
    """xgboost profile: xgboost sizes per-output state by ``max(num_class, num_target)`` of
    ``learner_model_param`` (the ``base_score`` vector when the Booster is unpickled, and
    ``predict``'s output, ``rows x num_output_group``); the blob check
    (``trust.xgboost_model.booster_problem``) only needs each tree's ``tree_info`` below that
    many groups, so a 2-tree binary classifier (``num_class``) or regressor
    (``num_target``) may say 10**8 of them (or 2**31-1), paid for by nothing (LightGBM's text
    check holds its trees to ``num_class`` per iteration). The 5.6 KB file makes
    ``load_unsigned`` itself grow by ~400 MB (2**31-1: 8 GB, std::bad_alloc in the load
    under a 1 GB limit), and ``predict`` of ONE row then takes ~40 s of CPU and 3 GB (killed
    here at HANG_CPU); the honest file loads in a few MB and predicts at once. Both the
    load's memory (category 2) and a method's time and memory (category 1) are sized by one
    stored integer. Fixed: every output group must be paid for (named in ``tree_info``, the
    width of multi-output trees' leaf vectors, or, without trees, a ``base_score`` value), in
    the blob check both scan and load run (the harm is shown through plain pickle)."""
    from redteam import GB, HANG_CPU, HEAVY_IMPORTS, run_child

    fitted = _xgb_outputs_file(tmp_path, kind, None)
    path = _xgb_outputs_file(tmp_path, kind, 10**8)
    assert path.stat().st_size < 6000
    program = _honest_then_crafted(_XGB_LOAD_AND_PREDICT, fitted, path)
    # HANG_CPU counted after xgboost's import: both loads and the honest predict take ~0.2 s
    imports = (*HEAVY_IMPORTS, "xgboost")
    run = run_child(program, path, grow=3 * GB, cpu=HANG_CPU, timeout=180, imports=imports)
    honest, shown = _outputs(run)
    assert "returned (1,)" in honest, str(run)
    assert int(honest.split("grew_mb")[1].split()[0]) < 100, str(run)
    assert int(shown.split("grew_mb")[1].split()[0]) >= 300, str(run)
    assert "returned" not in shown, str(run)  # killed at the CPU limit
    reason = "says 100000000 output groups"
    report = safeload.scan(path, profiles=["xgboost"])
    assert not report.safe
    assert any(reason in f.message for f in report.findings), report
    with pytest.raises(SafeloadError, match=reason):
        safeload.load_unsigned(path, profiles=["xgboost"])


# --- rt45-08: LGBMClassifier._classes that len() measures but scan cannot: parity ------------

#: ``_classes`` values (built in the test, numpy imported there) and the ``_n_classes`` that
#: ``len()`` gives them.
_CLASSES_VALUES = {
    "array-1x2": ("np.arange(2).reshape(1, 2)", 1),
    "array-2x1": ("np.arange(2).reshape(2, 1)", 2),
    "array-2x2": ("np.arange(4).reshape(2, 2)", 2),
    "str": ("'ab'", 2),
    "bytes": ("b'ab'", 2),
    "dict": ("{0: 0, 1: 1}", 2),
    "range": ("range(2)", 2),
    "set-protocol-2": ("{0, 1}", 2),
}


@pytest.mark.parametrize(
    ("case", "protocol"),
    [
        (c, p)
        for c in sorted(_CLASSES_VALUES)
        for p in (2, 5)
        if not (c.startswith("set") and p == 5)
    ],
)
def test_rt45_08_lgbm_classes_length_parity(
    case: str, protocol: int, tmp_path: Path
) -> None:
    """lightgbm profile, r15-14's rule (``_n_classes`` must be the number of stored classes,
    ``trust.native_params.lightgbm_model_problem``): the load measures ``_classes`` with
    ``len()``, so a 2-D array (its rows), a str, bytes, a dict, a range or a set with a
    matching ``_n_classes`` passes, while scan's ``_length_of`` knows only None, 1-d array
    shapes and list/tuple(/set at protocol 4+) literals and calls the same stream
    "_n_classes unproven" (UNSAFE). A parity finding, scan unsafe and load loads, in 15
    streams here (the set case only at protocol 2; at 5 both agree). fit stores a 1-d
    ``np.unique(y)`` (or None), so the load refusing any other ``_classes`` (as
    ``widths._check_paid_widths`` does for ``classes_``) would close it."""
    lgb = pytest.importorskip("lightgbm")
    import numpy as np

    text, n_classes = _CLASSES_VALUES[case]
    rng = np.random.RandomState(0)
    x = rng.rand(60, 3)
    model = lgb.LGBMClassifier(n_estimators=2, verbose=-1).fit(
        x, (x[:, 0] > 0.5).astype(int)
    )
    model._classes = eval(text, {"np": np})  # noqa: S307 (the test's own literal table)
    model._n_classes = n_classes
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(model, protocol=protocol))
    safe = safeload.scan(path, profiles=["lightgbm"]).safe
    try:
        safeload.load_unsigned(path, profiles=["lightgbm"])
        outcome = "loaded"
    except SafeloadError:
        outcome = "refused"
    assert safe == (outcome == "loaded"), (safe, outcome)


# --- rt45-09: LightGBM parameters holding numpy values: scan "unproven", load loads ------------


def test_rt45_09_honest_lgbm_numpy_param_parity(tmp_path: Path) -> None:
    """lightgbm profile: ``native_params._value_problem`` (the load's check of the values
    LightGBM turns into ``key=value`` text) accepts numpy numbers, 0-d numpy strings, 1-d
    numeric or str arrays and sets; scan reads the same values through ``_literal``, which
    knows only Python literals, and calls each "unproven". An HONEST model shows it: the
    ``best_estimator_`` of ``RandomizedSearchCV(LGBMClassifier(), {"learning_rate":
    scipy.stats.uniform(...)})`` keeps ``learning_rate`` as ``numpy.float64`` (and so does its
    Booster's ``params``), and ``safeload scan`` calls it UNSAFE ("Booster.params parameter
    'learning_rate' unproven") while ``load_unsigned`` loads it: a CI gate on scan rejects an
    honest model (grids from ``np.linspace``/``np.logspace`` do the same)."""
    lgb = pytest.importorskip("lightgbm")
    import numpy as np
    import scipy.stats
    from sklearn.model_selection import RandomizedSearchCV

    rng = np.random.RandomState(0)
    x = rng.rand(80, 3)
    search = RandomizedSearchCV(
        lgb.LGBMClassifier(n_estimators=3, verbose=-1),
        {"learning_rate": scipy.stats.uniform(0.01, 0.2)},
        n_iter=2,
        cv=2,
        random_state=0,
    ).fit(x, (x[:, 0] > 0.5).astype(int))
    assert type(search.best_estimator_.learning_rate) is np.float64
    path = tmp_path / "best.pkl"
    path.write_bytes(pickle.dumps(search.best_estimator_, protocol=5))
    safeload.load_unsigned(path, profiles=["lightgbm"])  # loads
    assert safeload.scan(path, profiles=["lightgbm"]).safe


_OTHER_PARAMS = {
    "categorical_feature-array": "{'categorical_feature': np.array([0])}",
    "max_bin-np.int64": "{'max_bin': np.int64(255)}",
    "min_data_in_bin-np.float64": "{'min_data_in_bin': np.float64(3.0)}",
    "metric-np.str_": "{'metric': np.str_('auc')}",
    "metric-str-array": "{'metric': np.array(['auc'])}",
    "metric-set": "{'metric': {'auc'}}",
}


@pytest.mark.parametrize("case", sorted(_OTHER_PARAMS))
def test_rt45_09_lgbm_other_params_parity(case: str, tmp_path: Path) -> None:
    """rt45-09 on ``LGBMModel._other_params`` (fit's extra LightGBM parameters): each of these
    values passes the load's ``_value_problem`` and is "unproven" to scan. Parity: scan
    unsafe, load loads."""
    lgb = pytest.importorskip("lightgbm")
    import numpy as np

    rng = np.random.RandomState(0)
    x = rng.rand(60, 3)
    model = lgb.LGBMClassifier(n_estimators=2, verbose=-1).fit(
        x, (x[:, 0] > 0.5).astype(int)
    )
    model._other_params = eval(_OTHER_PARAMS[case], {"np": np})  # noqa: S307 - the table above
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(model, protocol=5))
    safe = safeload.scan(path, profiles=["lightgbm"]).safe
    try:
        safeload.load_unsigned(path, profiles=["lightgbm"])
        outcome = "loaded"
    except SafeloadError:
        outcome = "refused"
    assert safe == (outcome == "loaded"), (safe, outcome)


# --- rt45-10: Keyring(not_after=...) silently ignores an id that is not the exact key id -------


@pytest.mark.parametrize("algorithm", ["ed25519", "ecdsa-p256"])
@pytest.mark.parametrize("ident", ["spki-fingerprint", "short-keyid", "typo"])
def test_rt45_10_keyring_not_after_silently_ignored(
    algorithm: str, ident: str, tmp_path: Path
) -> None:
    """``Keyring(keys, not_after={id: time})`` is the API's key expiry (SECURITY.md: "key
    revocation and ``not_after`` times ... are all enforced at verification"). ``revoked``
    matches a key by its key id OR its SHA-256 SPKI fingerprint and refuses anything that is
    not a full 64-hex id, because an id that matches nothing "would revoke nothing, silently"
    (red team 17, f11). ``not_after`` does neither: ``Keyring.usable`` looks the exact key id
    up in it, so an expiry in the past given under the key's SPKI fingerprint (what
    ``openssl pkey -pubin -outform DER | sha256sum`` prints, and what ``revoked`` accepts),
    under the 16-hex short id the error messages show, or under a mistyped id is dropped
    without a word, and ``load`` returns a file signed by a key the caller retired in 2000.
    Under the exact key id the same keyring refuses (RetiredKeyError). Expected: refused, or
    the keyring refuses an id that names none of its keys."""
    import datetime as dt
    import hashlib

    from cryptography.hazmat.primitives import serialization

    from safeload import ECDSASigningKey, Keyring

    key = (
        SigningKey.generate() if algorithm == "ed25519" else ECDSASigningKey.generate()
    )
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps({"a": 1}))
    safeload.sign(path, key)
    pub = key.public_key
    past = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(SafeloadError):
        safeload.load(path, Keyring([pub], not_after={pub.keyid: past}))
    der = serialization.load_pem_public_key(pub.to_pem()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    named = {
        "spki-fingerprint": hashlib.sha256(der).hexdigest(),
        "short-keyid": pub.keyid[:16],
        "typo": pub.keyid[:-1] + ("0" if pub.keyid[-1] != "0" else "1"),
    }[ident]
    with pytest.raises((SafeloadError, ValueError)):
        safeload.load(path, Keyring([pub], not_after={named: past}))


# --- rt45-11: r15-07 bypassed: the feature-index bound is the wrapper's own stored _n_features -


#: After the load (see _program), fit on 3 columns.
_LGBM_FIT_AFTER_SAFELOAD = (
    "import numpy\n"
    "print('loaded', model._n_features, flush=True)\n"
    "x = numpy.random.RandomState(0).rand(60, 3)\n"
    "model.fit(x, (x[:, 0] > 0.5).astype(int))\n"
    "print('returned', flush=True)\n"
)


def test_rt45_11_lgbm_feature_index_bound_from_the_file(tmp_path: Path) -> None:
    """lightgbm profile, r15-07 (``interaction_constraints`` indexes LightGBM's feature map
    unchecked: ``fit`` crashes) is fixed by ``native_params._feature_problem``, which holds
    each index below ``n_features``, but for an ``LGBMModel`` that bound is
    ``state["_n_features"]``: the wrapper's own stored int, which the file sets too and
    nothing ties to the Booster's ``num_feature()``. r15-07's own model
    (``interaction_constraints=[[100_000_000]]``) with ``_n_features=200_000_000`` loads
    (scan SAFE), and ``model.fit(X, y)`` on 3 columns segfaults (SIGSEGV) in the child,
    after safeload's load. Expected: the bound is the Booster's ``num_feature()`` (or
    ``_n_features`` must equal it), so scan and load refuse."""
    lgb = pytest.importorskip("lightgbm")
    import numpy as np

    from redteam import child

    rng = np.random.RandomState(0)
    x = rng.rand(60, 3)
    model = lgb.LGBMClassifier(n_estimators=2, verbose=-1).fit(
        x, (x[:, 0] > 0.5).astype(int)
    )
    model.set_params(interaction_constraints=[[100_000_000]])
    model._n_features = 200_000_000
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(model, protocol=5))
    shown = child(_program(_LGBM_FIT_AFTER_SAFELOAD, "lightgbm", plain=True), path, cpu=20)
    assert "loaded 200000000" in shown.stdout, str(shown)
    assert shown.crashed, str(shown)
    assert not safeload.scan(path, profiles=["lightgbm"]).safe
    with pytest.raises(SafeloadError, match="_n_features"):
        safeload.load_unsigned(path, profiles=["lightgbm"])
