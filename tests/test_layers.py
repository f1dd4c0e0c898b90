"""The layering ARCHITECTURE.md describes, held by reading the source (nothing is imported).

* The stages that parse, build and check a model never open a path: they get bytes from
  ``api.py``, which reads each model file once through the io layer, ``safeload/io/`` (so
  what is verified is what is deserialized). ``api.py`` itself opens nothing.
* The io layer is the bottom one: it imports no stage above it.
* Layers import downward only: nothing below the public layer imports ``api``, ``cli``,
  ``testing`` or ``pytest_plugin``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "safeload"

#: Modules that only ever see bytes handed to them.
BYTES_ONLY = [
    "_opcodes.py",
    "_symbolic.py",
    "_numpy_state.py",
    "unpickler.py",
    "pickle/__init__.py",
    "pickle/aligned.py",
    "pickle/names.py",
    "pickle/analysis.py",
    "pickle/state_rules.py",
    "pickle/call_rules.py",
    "pickle/costs.py",
    "pickle/stream_arrays.py",
    "pickle/frame.py",
    "pickle/walk_base.py",
    "pickle/walk_stream.py",
    "pickle/walk_values.py",
    "pickle/walk_calls.py",
    "pickle/walk_build.py",
    "pickle/walker.py",
    "pickle/guard.py",
    "pickle/unpickler.py",
    "pickle/joblib_stream.py",
    "pickle/narrowed.py",
    "pickle/discards.py",
    "pickle/advice.py",
    "formats.py",
    "_sniff.py",
    "_decompress.py",
    "validate.py",
    "policy.py",
    "_global_names.py",
    "_trust_checks.py",
    "_allowlist.py",
    "_allowlist_sklearn.py",
    "sidecar.py",
    "signing/__init__.py",
    "signing/statement.py",
    "signing/_sidecar_json.py",
    "_json_keys.py",
    "signing/artifacts.py",
    "signing/digests.py",
    "signing/sign.py",
    "signing/verify.py",
    "signing/versions.py",
    "signing/bundle.py",
    "signing/manifest.py",
    "signing/_bundle_json.py",
    "signing/_authenticate.py",
    "signing/modelsig.py",
    "signing/signer.py",
    "trust/usetime.py",
    "trust/classes.py",
    "trust/graph.py",
    "trust/kinds.py",
    "trust/dtype_kinds.py",
    "trust/param_objects.py",
    "trust/params.py",
    "trust/literal_state.py",
    "trust/object_checks.py",
    "trust/in_place.py",
    "trust/sharing.py",
    "trust/dispatch.py",
    "trust/callables.py",
    "trust/facts.py",
    "trust/facts_rules.py",
    "trust/static.py",
    "trust/trusted_classes.py",
    "trust/static_values.py",
    "trust/static_params.py",
    "trust/static_kinds.py",
    "trust/static_state.py",
    "trust/static_sharing.py",
    "trust/shadow.py",
    "trust/shadow_values.py",
    "trust/shadow_builder.py",
    "trust/shadow_made.py",
    "trust/shadow_state.py",
    "trust/native.py",
    "trust/profiles.py",
    "trust/profile_entries.py",
    "trust/pandas_forms.py",
    "trust/pandas_values.py",
    "trust/pandas_states.py",
    "trust/pandas_calls.py",
    "trust/native_params.py",
    "trust/_lightgbm_aliases.py",
    "trust/regex.py",
    "trust/skops_stream.py",
    "trust/skops_nodes.py",
    "trust/xgboost_ubj.py",
    "trust/tree_paths.py",
    "trust/xgboost_model.py",
    "trust/xgboost_wrapper.py",
    "trust/lightgbm_text.py",
    "trust/__init__.py",
    "trust/_sklearn_facts.py",
    "trust/structures/__init__.py",
    "trust/structures/cython_args.py",
    "trust/structures/reconstructor.py",
    "trust/structures/common.py",
    "trust/structures/trees.py",
    "trust/structures/hgb.py",
    "trust/structures/names.py",
    "trust/static_masked.py",
    "trust/structures/ensembles.py",
    "trust/structures/neighbors.py",
    "trust/structures/estimators.py",
    "trust/structures/clustering.py",
    "trust/structures/labels.py",
    "trust/structures/widths.py",
    "trust/structures/randomness.py",
    "trust/structures/arrays.py",
    "trust/structures/bunch.py",
    "trust/structures/values.py",
    "trust/structures/printing.py",
    "trust/structures/factorizations.py",
]
#: Calls that open or read a path.
OPENERS = {"open", "fdopen", "read_bytes", "read_text", "write_bytes", "write_text", "mmap"}
PUBLIC = {"safeload.api", "safeload.cli", "safeload.testing", "safeload.pytest_plugin"}


def _is_public(name: str) -> bool:
    """A public-layer module, or one inside it (the CLI is a package: ``safeload.cli.scan``)."""
    return any(name == p or name.startswith(p + ".") for p in PUBLIC)


def _tree(rel: str) -> ast.AST:
    return ast.parse((SRC / rel).read_text(encoding="utf-8"), rel)


@pytest.mark.parametrize("rel", BYTES_ONLY)
def test_stage_modules_never_open_a_path(rel: str) -> None:
    found = []
    for node in ast.walk(_tree(rel)):
        if isinstance(node, ast.Call):
            fn = node.func
            name = fn.id if isinstance(fn, ast.Name) else getattr(fn, "attr", None)
            if name in OPENERS:
                found.append(f"{rel}:{node.lineno} {name}()")
    assert not found, found


@pytest.mark.parametrize(
    "rel",
    [
        "api.py",
        "_dumping.py",
        "_unsigned.py",
        "_profiles.py",
        "_signatures.py",
        "_folders.py",
        "_loading.py",
        "_writing.py",
        "_scanning.py",
    ],
)
def test_api_opens_nothing_itself(rel: str) -> None:
    """Every read and write of a path in the public layer goes through ``safeload.io``."""
    test_stage_modules_never_open_a_path(rel)


IO_LAYER = ["io/__init__.py", "io/atomic.py"]
#: What the io layer may import from safeload: the modules below every stage.
IO_MAY_IMPORT = {"safeload", "safeload._progress", "safeload.exceptions", "safeload._types"}


@pytest.mark.parametrize("rel", IO_LAYER)
def test_io_layer_imports_nothing_above_it(rel: str) -> None:
    found = []
    for node in ast.walk(_tree(rel)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = (
                [node.module]
                if node.module != "safeload"
                else [f"safeload.{a.name}" for a in node.names]
            )
        else:
            continue
        found += [
            f"{rel}:{node.lineno} {n}"
            for n in names
            if n.startswith("safeload") and n not in IO_MAY_IMPORT
        ]
    assert not found, found


#: Modules under signing/ that read files, none of them a model: key files and keyrings (the key
#: classes read them through keyfiles.py), CA roots (certificates.py) and a PKCS#11 token
#: (pkcs11.py). They too import downward only.
KEY_READERS = [
    "signing/keyfiles.py",
    "signing/keys.py",
    "signing/hmac_key.py",
    "signing/keyring.py",
    "signing/ecdsa.py",
    "signing/certificates.py",
    "signing/pkcs11.py",
]


@pytest.mark.parametrize("rel", BYTES_ONLY + KEY_READERS)
def test_stage_modules_import_downward_only(rel: str) -> None:
    found = []
    for node in ast.walk(_tree(rel)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        found += [f"{rel}:{node.lineno} {n}" for n in names if _is_public(n)]
    assert not found, found


def test_import_safeload_imports_no_model_library() -> None:
    """``import safeload`` stays cheap (a CLI call or a pre-commit hook pays it every time):
    numpy, scikit-learn, pandas and the profiled libraries are imported on first use."""
    import subprocess
    import sys

    code = (
        "import sys, safeload; "
        "print(sorted(m for m in ('numpy', 'sklearn', 'pandas', 'scipy', 'joblib', 'xgboost') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


#: Modules under trust/ that open files, none of them a model: the maintainer's generator of
#: the facts file, and the facts' reader of the installed libraries' METADATA (their versions).
NOT_STAGES = {"trust/_gen_facts.py", "trust/facts_versions.py"}


def test_every_trust_module_is_held_to_bytes_only() -> None:
    """A module added under ``trust/`` is a stage module: it must be in BYTES_ONLY."""
    found = sorted(p.relative_to(SRC).as_posix() for p in (SRC / "trust").rglob("*.py"))
    missing = [rel for rel in found if rel not in BYTES_ONLY and rel not in NOT_STAGES]
    assert not missing, missing


def test_every_pickle_module_is_held_to_bytes_only() -> None:
    """A module added under ``pickle/`` reads streams handed to it: it must be in BYTES_ONLY."""
    found = sorted(p.relative_to(SRC).as_posix() for p in (SRC / "pickle").rglob("*.py"))
    missing = [rel for rel in found if rel not in BYTES_ONLY]
    assert found and not missing, missing


def test_every_signing_module_is_classified() -> None:
    """A module added under ``signing/`` sees only bytes, or is a named reader of key files."""
    found = sorted(p.relative_to(SRC).as_posix() for p in (SRC / "signing").rglob("*.py"))
    missing = [rel for rel in found if rel not in BYTES_ONLY and rel not in KEY_READERS]
    assert not missing, missing
