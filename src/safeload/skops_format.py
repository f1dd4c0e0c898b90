"""The skops reader: zip checks, the shared trust vocabulary, then skops' own audit.

One trust vocabulary for all formats: every class, function or type named anywhere in a skops
schema must be trusted by safeload's policy, exactly as a pickle ``GLOBAL`` would have to be.
Plain data nodes (JSON values, numeric arrays, bytes, dtypes) name no code and are not checked.
Then skops' own audit runs as well, with its list of untrusted types passed as trusted only after
every one of them passed our policy. A type skops alone distrusts but our policy trusts (for
example ``sklearn.tree._tree.Tree``, which safeload validates after loading) loads; anything our
policy does not trust raises ``UntrustedTypeError`` listing all of them.
"""

from __future__ import annotations

import importlib
import io
import json
import re
import sys
import zipfile
from typing import Any, Literal

from safeload._json_keys import unique_object
from safeload._types import Buffer
from safeload.exceptions import LimitExceededError, MalformedArtifactError, UntrustedTypeError
from safeload.pickle.advice import untrusted_error
from safeload.pickle.names import BARE_MODULES
from safeload.policy import Limits, Policy, format_name, parse_name

__all__ = [
    "check_zip",
    "native_problem",
    "read_schema",
    "read_skops",
    "schema_globals",
    "skops_types",
    "trusted_names_problem",
]

_MAX_MEMBERS = 100_000
#: A node's ``"file": "NAME"`` in schema.json's text (see check_zip).
_FILE_FIELD = re.compile(rb'"file"\s*:\s*"([^"\\]*)"')
_MAX_SCHEMA_DEPTH = 2000
#: skops node kinds that carry data, not a reference to code.
_DATA_LOADERS = frozenset(
    {"JsonNode", "NdArrayNode", "BytesNode", "BytearrayNode", "DTypeNode", "CachedNode"}
)


def check_zip(data: Buffer, limits: Limits, source: str) -> zipfile.ZipFile:
    """Open ``data`` as a zip and refuse duplicate, absolute or ``..`` member names, members that
    inflate past the limit, and bad CRCs. The zip must start at byte 0, as skops writes it:
    Python's zipfile also finds one after a prefix, which a scan of the file's first bytes
    would not take for a model (rt26b-10), and which could hide anything before it."""
    if bytes(data[:4]) != b"PK\x03\x04":
        raise MalformedArtifactError(
            f"{source} does not start with a zip header (skops files do)", path=source
        )
    try:
        zf = _CheckedZip(io.BytesIO(data), "r")
    except Exception as exc:  # whatever zipfile raises on it: malformed
        # (BadZipFile, OSError, ValueError, and NotImplementedError for a "zip file
        # version" it does not read, found by fuzzing the headers)
        raise MalformedArtifactError(
            f"{source} is not a valid zip file: {type(exc).__name__}: {exc}", path=source
        ) from exc
    infos = zf.infolist()
    if len(infos) > _MAX_MEMBERS:
        raise LimitExceededError(f"{source} has more than {_MAX_MEMBERS} members", path=source)
    _no_overlap(data, infos, source)
    names: set[str] = set()
    total = 0
    for info in infos:
        n = info.filename
        if n in names:
            raise MalformedArtifactError(f"{source}: duplicate zip member {n!r}", path=source)
        names.add(n)
        parts = n.replace("\\", "/").split("/")
        if n.startswith(("/", "\\")) or ".." in parts or (len(n) > 1 and n[1] == ":"):
            raise MalformedArtifactError(f"{source}: unsafe zip member name {n!r}", path=source)
        if info.flag_bits & 0x1:  # zipfile raises RuntimeError on reading it; skops writes none
            raise MalformedArtifactError(f"{source}: zip member {n!r} is encrypted", path=source)
        total += info.file_size
        if info.file_size > limits.max_item_size or total > limits.max_decompressed_size:
            raise LimitExceededError(
                f"{source}: zip members inflate past the size limit", path=source
            )
    # schema.json first: the members it names are kept as they are checked (one inflation
    # for the checks and every later read); the others are streamed through and dropped
    named: set[str] = set()
    for info in sorted(infos, key=lambda i: i.filename != "schema.json"):
        keep = info.filename == "schema.json" or info.filename in named
        try:
            with zf.open(info) as member:
                read = 0
                chunks = []
                while chunk := member.read(1 << 20):
                    read += len(chunk)
                    if read > info.file_size:
                        raise LimitExceededError(
                            f"{source}: member {info.filename!r} inflates past its declared size",
                            path=source,
                        )
                    if keep:
                        chunks.append(chunk)
                if keep:
                    zf.members[info.filename] = b"".join(chunks)
                    if info.filename == "schema.json":  # a hint only: a name it misses
                        # (written with escapes) is kept when first read
                        named = {
                            m.decode("utf-8", "replace")
                            for m in _FILE_FIELD.findall(zf.members[info.filename])
                        }
        except LimitExceededError:
            raise
        except Exception as exc:  # whatever inflating it raises: corrupt
            # (zlib.error, lzma.LZMAError for a method byte turned to LZMA, OSError, EOFError,
            # NotImplementedError: found by fuzzing the headers)
            raise MalformedArtifactError(
                f"{source}: zip member {info.filename!r} is corrupt ({type(exc).__name__}: {exc})",
                path=source,
            ) from exc
    return zf


def _no_overlap(data: Buffer, infos: list[zipfile.ZipInfo], source: str) -> None:
    """Refuse members whose bytes overlap: a member ends where its compressed data ends, and
    the next one (by offset) may not start before that. Overlapping members let one small
    deflate kernel inflate once per member ("a better zip bomb": 6 members of 25 MB from
    35 KB, rt44-02); Python 3.12's zipfile refuses them too, 3.11's does not. skops' zips,
    like every zip writer's, place members one after another."""
    view = memoryview(data).cast("B")
    end = 0
    for info in sorted(infos, key=lambda i: i.header_offset):
        start = info.header_offset
        head = bytes(view[start : start + 30])
        if start < end or len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise MalformedArtifactError(
                f"{source}: zip member {info.filename!r} overlaps the one before it, or has "
                "no local header where the directory says",
                path=source,
            )
        name_len, extra_len = (
            int.from_bytes(head[26:28], "little"),
            int.from_bytes(head[28:30], "little"),
        )
        end = start + 30 + name_len + extra_len + info.compress_size
    if end > len(view):
        raise MalformedArtifactError(f"{source}: a zip member runs past the file", path=source)


class _CheckedZip(zipfile.ZipFile):
    """A zip whose members :func:`check_zip` has checked. The members whose names the schema
    holds are kept as checked, and any other the first time something reads it; every later
    read is served from those bytes (the stream check and skops each read every member the
    schema names; inflating each three times was a tenth of a skops load). A member nothing
    names or reads is streamed through and dropped (rt44-02: overlapping members that skops
    never opens had been kept, 25 MB each, from a 35 KB file)."""

    def __init__(self, file: io.BytesIO, mode: Literal["r"]) -> None:
        super().__init__(file, mode)
        self.members: dict[str, bytes] = {}
        self.schema: Any = None  # parsed by read_schema
        self.ids_rewritten = False  # read_schema replaced a node by another of its __id__
        self.index: tuple[list[tuple[str, str, str]], list[Any]] | None = None

    def read(self, name: str | zipfile.ZipInfo, pwd: bytes | None = None) -> bytes:
        """The member's bytes, as checked (inflated again only with a password)."""
        key = name.filename if isinstance(name, zipfile.ZipInfo) else name
        if pwd is not None:
            return super().read(name, pwd)
        found = self.members.get(key)
        if found is None:
            found = self.members[key] = super().read(name)
        return found


def read_schema(zf: zipfile.ZipFile, source: str) -> Any:
    """The file's ``schema.json``, parsed once (a key given twice refuses the file) and kept
    on a zip :func:`check_zip` opened: the policy, native and stream checks each read it."""
    cached = getattr(zf, "schema", None)
    if cached is not None:
        return cached
    try:
        raw = zf.read("schema.json")
        schema = json.loads(raw.decode("utf-8"), object_pairs_hook=unique_object)
    except KeyError as exc:
        raise MalformedArtifactError(
            f"{source}: no schema.json in the skops file", path=source
        ) from exc
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise MalformedArtifactError(
            f"{source}: unreadable skops schema ({exc})", path=source
        ) from exc
    rewritten = _one_node_per_id(schema, source)
    if isinstance(zf, _CheckedZip):
        zf.schema = schema
        zf.ids_rewritten = rewritten
    return schema


def schema_globals(zf: zipfile.ZipFile, source: str) -> list[tuple[str, str, str]]:
    """Every ``(loader, module, name)`` that the schema asks skops to resolve, data nodes
    excluded. Nothing is imported."""
    return _schema_index(zf, source)[0]


def _schema_index(zf: zipfile.ZipFile, source: str) -> tuple[list[tuple[str, str, str]], list[Any]]:
    """One walk of the schema (kept on a zip :func:`check_zip` opened): what
    :func:`schema_globals` returns, and every node that names a class of
    ``profiles.NATIVE_STATES`` (for :func:`native_problem`)."""
    cached = getattr(zf, "index", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from safeload.trust.profiles import NATIVE_STATES

    found: list[tuple[str, str, str]] = []
    natives: list[Any] = []
    members: dict[str, int] = {}
    level: list[Any] = [read_schema(zf, source)]
    # the schema is a graph since read_schema made nodes of one __id__ one node: each is
    # visited once, as skops builds it once (rt46-08: a node holding itself twice doubled
    # the walk at every level, a hang from 351 bytes)
    visited: set[int] = set()
    depth = 0
    while level:  # one depth at a time: the bound is checked once per level
        if depth > _MAX_SCHEMA_DEPTH:
            raise LimitExceededError(f"{source}: skops schema nested too deeply", path=source)
        below: list[Any] = []
        for node in level:
            if isinstance(node, (dict, list)):
                if id(node) in visited:
                    continue
                visited.add(id(node))
            if isinstance(node, dict):
                below.extend(node.values())
                module, name = node.get("__module__"), node.get("__class__")
                loader = node.get("__loader__")
                member = node.get("file")
                if isinstance(loader, str) and isinstance(member, str):
                    members[member] = members.get(member, 0) + 1
                if isinstance(loader, str) and loader not in _DATA_LOADERS:
                    if not isinstance(module, str) or not isinstance(name, str):
                        raise MalformedArtifactError(
                            f"{source}: skops node {loader} without a module and class name",
                            path=source,
                        )
                    found.append((loader, module, name))
                if isinstance(module, str) and isinstance(name, str):
                    if (module, name) in NATIVE_STATES:
                        natives.append(node)
            elif isinstance(node, list):
                below.extend(node)
        level = below
        depth += 1
    _repeats_paid(zf, members, source)
    if isinstance(zf, _CheckedZip):
        zf.index = (found, natives)
    return found, natives


def _one_node_per_id(schema: Any, source: str) -> bool:
    """Make every node that carries one ``__id__`` the same node: the first in the file.

    skops builds the first node with an id that its own walk meets and reuses it for every
    later node with that id, whatever they hold; the checks of
    :mod:`safeload.trust.skops_stream` walk the schema in their own order. Two different nodes
    under one id then let skops build the one the checks never saw (rt46-01: a crafted sparse
    call under an id that a harmless value also had; SIGSEGV in the load). Honest files do
    repeat an id with different text: skops writes a shared object in full each time it
    meets it, and values it makes while writing (a random state's key array) go to a new
    member each time. So the later nodes are not compared but replaced, in place, by the
    first: the checks and skops' tree (built from this schema, :func:`_skops_tree`) then
    read the same node whatever order each walks in, and the replaced text is read by no
    one. An ``__id__`` skops cannot use as a key refuses the file. Returns whether a replaced
    node differed from the first (a skops without ``get_tree`` builds from the file's own
    schema, so :func:`read_skops` then refuses the file)."""
    first: dict[Any, dict[str, Any]] = {}
    differed = False
    stack: list[tuple[Any, Any]] = [(None, schema)]
    while stack:
        holder, key = stack.pop()
        node = schema if holder is None else holder[key]
        if isinstance(node, dict):
            ident = node.get("__id__")
            if ident and "__loader__" in node and node["__loader__"] != "CachedNode":
                try:
                    seen = first.setdefault(ident, node)
                except TypeError:
                    raise MalformedArtifactError(
                        f"{source}: a skops node whose __id__ {ident!r} is not a number",
                        path=source,
                    ) from None
                if seen is not node:
                    if not differed:
                        try:
                            differed = seen != node
                        except RecursionError:
                            differed = True
                    holder[key] = seen  # (the root has no holder, and is met first)
                    continue
            stack.extend((node, k) for k in reversed(list(node)))
        elif isinstance(node, list):
            stack.extend((node, i) for i in reversed(range(len(node))))
    return differed


#: Bytes that skops may build again from a member several nodes name, per byte of the file.
REPEAT_BYTES_PER_FILE_BYTE = 64


def _repeats_paid(zf: zipfile.ZipFile, members: dict[str, int], source: str) -> None:
    """Each node naming a member builds its own copy of it. skops names one member from two
    nodes now and then (an honest file of the r15-17 corpus does: skops writes an array's
    member by the array's ``id``), but a crafted schema can name one deflated member from
    every node: 30 arrays of 3 MB from a 4 KB file, 2 GB from 11.5 KB (rt44-06). The copies
    beyond the first may come to at most :data:`REPEAT_BYTES_PER_FILE_BYTE` bytes per byte of
    the file."""
    extra = 0
    for member, count in members.items():
        if count > 1 and member in zf.NameToInfo:
            extra += (count - 1) * zf.NameToInfo[member].file_size
    size = zf.fp.getbuffer().nbytes if isinstance(zf.fp, io.BytesIO) else 0
    if extra > REPEAT_BYTES_PER_FILE_BYTE * max(size, 1):
        raise LimitExceededError(
            f"{source}: skops nodes name the same zip members again and again, each building "
            f"its own copy: {extra:,} bytes beyond the first copies, more than "
            f"{REPEAT_BYTES_PER_FILE_BYTE} per byte of the file",
            path=source,
        )


def skops_types(
    data: Buffer, limits: Limits, source: str, zf: zipfile.ZipFile | None = None
) -> list[str]:
    """Every type skops itself does not trust in the file's schema (nothing is built).
    ``zf``: the file as :func:`check_zip` opened it, when the caller has it."""
    return _skops_tree(zf if zf is not None else check_zip(data, limits, source), source)[1]


def _skops_tree(zf: zipfile.ZipFile, source: str) -> tuple[Any, list[str]]:
    """``(tree, untrusted)``: skops' node tree of the file (read, nothing built; ``None``
    where this skops has no ``read_schema``/``get_tree``) and the types skops itself does
    not trust in it. One tree serves both skops' audit and the build, where
    ``get_untrusted_types`` and ``loads`` would each read the file and make their own."""
    try:
        from skops.io._audit import get_tree
        from skops.io._utils import read_schema as skops_read_schema
    except ImportError:  # an older skops: its public calls, each reading the file again
        get_tree = skops_read_schema = None
    try:
        if get_tree is None or skops_read_schema is None:
            import skops.io

            fp = zf.fp
            if not isinstance(fp, io.BytesIO):  # check_zip opens the file's bytes
                raise TypeError("a skops file opened from its bytes")
            return None, list(skops.io.get_untrusted_types(data=fp.getvalue()))
        _schema, context = skops_read_schema(zf)  # skops' checks of the protocol, its context
        # built from the schema the checks read, one node per id (:func:`_one_node_per_id`)
        tree = get_tree(read_schema(zf, source), context, trusted=None)
        return tree, sorted(tree.get_unsafe_set())
    except Exception as exc:
        raise MalformedArtifactError(
            f"{source}: the skops schema could not be read ({type(exc).__name__}: {exc})",
            path=source,
        ) from exc


def _as_checked(module: str, name: str) -> tuple[str, str]:
    """The name to check against the policy. skops imports a module by the name the schema
    records, so a bare module name of ``BARE_MODULES`` (``_loss``) counts as the real module
    only where that module has registered itself under the bare name, as scikit-learn 1.7's
    does. Anywhere else it stays a top-level module of its own, which the policy does not
    trust."""
    real = BARE_MODULES.get(module)
    if real is not None:
        try:
            loaded = importlib.import_module(real)
        except ImportError:
            return module, name
        if sys.modules.get(module) is loaded:
            return real, name
    return module, name


def _policy_trusts(policy: Policy, name: str) -> bool:
    try:
        return policy.allows(*_as_checked(*parse_name(name)))
    except ValueError:
        return False


def untrusted_in_skops(
    zf: zipfile.ZipFile, policy: Policy, source: str
) -> tuple[list[str], list[str], Any]:
    """``(untrusted, reported, tree)``: names our policy does not trust (from the schema and
    from skops' own audit), the list skops itself reports as untrusted, and skops' node tree
    (:func:`_skops_tree`)."""
    seen: dict[str, None] = {}
    for _loader, module, name in schema_globals(zf, source):
        if not policy.allows(*_as_checked(module, name)):
            seen.setdefault(format_name(module, name), None)
    tree, reported = _skops_tree(zf, source)
    for n in reported:
        if not _policy_trusts(policy, n):
            seen.setdefault(n, None)
    return list(seen), reported, tree


def trusted_names_problem(
    zf: zipfile.ZipFile, policy: Policy, source: str, reported: list[str]
) -> tuple[str, str] | None:
    """``(name, why)`` for the first name the policy trusts that the pickle path's guard
    would still refuse as it resolves it (:func:`safeload.pickle.guard.trusted_name_problem`:
    a policy built by hand, a name not importable when it was trusted), or ``None``. skops
    resolves the schema's names and the types its audit reports by itself, never through the
    guard, so the question is asked here, of each name once (rt98-11)."""
    from safeload.pickle.guard import trusted_name_problem

    names = [_as_checked(module, name) for _loader, module, name in schema_globals(zf, source)]
    for n in reported:
        try:
            names.append(_as_checked(*parse_name(n)))
        except ValueError:
            continue  # (not a name the policy could trust: refused as untrusted already)
    for module, name in dict.fromkeys(names):
        if not policy.allows(module, name):
            continue
        why = trusted_name_problem(policy, module, name)
        if why is not None:
            return format_name(module, name), why
    return None


def native_problem(zf: zipfile.ZipFile, source: str) -> str | None:
    """The skops form of :mod:`safeload.trust.native`'s stream check, for the classes that
    hand a native model blob to their library's parser: each must be an ``ObjectNode`` (never
    a ``ReduceNode``, which would call the constructor, and the constructors read model files)
    whose state is a ``DictNode`` with only the keys the library writes and the blob as a
    bytes, bytearray or JSON string node of the right kind, size and header."""
    from safeload.trust.profiles import MAX_BLOB, NATIVE_STATES

    for node in _schema_index(zf, source)[1]:
        rule = NATIVE_STATES[(node["__module__"], node["__class__"])]
        name = rule.cls.replace(":", ".")
        content = node.get("content")
        if node.get("__loader__") != "ObjectNode" or not isinstance(content, dict):
            return (
                f"{name} is not stored as an object with its state (skops {node.get('__loader__')})"
            )
        state = content.get("content")
        if content.get("__loader__") != "DictNode" or not isinstance(state, dict):
            return f"the state of {name} is not a plain dict"
        keys = set(state)
        if rule.blob not in keys:
            return f"the state of {name} has no {rule.blob!r} model blob"
        if rule.open_keys:
            bad = sorted(
                k
                for k in keys
                if k not in rule.keys and (k in rule.forbidden or not k.isidentifier())
            )
        else:
            bad = sorted(keys - rule.keys)
        if bad:
            return f"the state of {name} holds key(s) {', '.join(map(repr, bad))} it may not hold"
        blob = state[rule.blob]
        head, size = _skops_blob(zf, blob, rule.kind)
        if head is None:
            return f"{name} state[{rule.blob!r}] is not a {rule.kind} model blob"
        if size < 1 or size > MAX_BLOB or not any(head.startswith(h) for h in rule.headers):
            return (
                f"{name} state[{rule.blob!r}] does not start with the header the library writes "
                "(or has no bytes); it is not handed to the native parser"
            )
        if rule.cls == "xgboost.core:Booster":  # the same UBJSON and tree checks as a pickle's
            from safeload.trust.xgboost_model import booster_problem

            member = blob.get("file") if isinstance(blob, dict) else None
            problem = booster_problem(memoryview(zf.read(member))) if member else "no member"
            if problem:
                return f"{name} state[{rule.blob!r}]: {problem}"
    return None


def _skops_blob(zf: zipfile.ZipFile, node: Any, kind: str) -> tuple[bytes | None, int]:
    """(first bytes, size) of a skops blob node of ``kind``, or ``(None, 0)``."""
    if not isinstance(node, dict):
        return None, 0
    loader = node.get("__loader__")
    if (kind == "bytes" and loader in ("BytesNode", "BytearrayNode")) or (
        kind == "bytearray" and loader == "BytearrayNode"
    ):
        member = node.get("file")
        if not isinstance(member, str) or member not in zf.NameToInfo:
            return None, 0
        size = zf.getinfo(member).file_size
        with zf.open(member) as fh:
            return fh.read(16), size
    if kind == "str" and loader == "JsonNode" and node.get("is_json") is True:
        try:
            value = json.loads(node.get("content", "null"))
        except (ValueError, TypeError):
            return None, 0
        if isinstance(value, str):
            return value[:16].encode("utf-8", "surrogatepass"), len(value)
    return None, 0


def _refuse_what_scan_refuses(
    zf: zipfile.ZipFile, policy: Policy, limits: Limits, source: str, size: int
) -> None:
    """The pickle path's checks before anything is built, for a skops file: skops calls
    constructors itself (``ConstructorFromReduceNode``: ``cls(*args)`` of any class the
    policy trusts, with the file's arguments) before any check after building could run. A
    ``scipy.sparse.csc_matrix`` called on a crafted CSR matrix wrote out of bounds inside
    ``load_unsigned`` (SIGSEGV, rt41-09), as rt27-01's did in the C unpickler;
    ``bytearray(2**33)`` allocated 8 GiB. So a load refuses every file scan refuses
    (:func:`safeload.trust.skops_stream.skops_findings`: the stream skops' build amounts to,
    judged by the pickle path's rules, its narrowed forms and its shadows' checks), and what
    skops then calls is only what the pickle path would call. It also makes the two agree
    by construction wherever scan refuses."""
    from safeload.exceptions import UnsafeStateError
    from safeload.trust.skops_stream import skops_findings

    findings = skops_findings(zf, policy, limits, size)
    if not findings:
        return
    first = findings[0]
    error = UnsafeStateError if first.use_time else MalformedArtifactError
    raise error(
        f"{source} was refused before loading: {first.message}. skops would build it by "
        f"calling what the file names. Nothing was deserialized. Run `safeload scan {source}` "
        "for details.",
        path=source,
    )


def read_skops(data: Buffer, policy: Policy, limits: Limits, source: str) -> Any:
    """Audit and build a skops file from ``data`` under ``policy``."""
    zf = check_zip(data, limits, source)
    untrusted, reported, tree = untrusted_in_skops(zf, policy, source)
    if untrusted:
        raise untrusted_error(untrusted, source)
    refused = trusted_names_problem(zf, policy, source, reported)
    if refused is not None:
        raise UntrustedTypeError(
            f"{source}: the trusted name {refused[0]} cannot be trusted: {refused[1]}. "
            "Nothing was deserialized.",
            names=[refused[0]],
            path=source,
        )
    problem = native_problem(zf, source)
    if problem:
        raise MalformedArtifactError(
            f"{source} was refused before loading: {problem}. Nothing was deserialized.",
            path=source,
        )
    _refuse_what_scan_refuses(zf, policy, limits, source, len(memoryview(data).cast("B")))
    import skops.io

    try:
        if tree is None:
            if zf.ids_rewritten:  # type: ignore[attr-defined]
                raise MalformedArtifactError(
                    f"{source}: nodes that share an __id__ differ, and this version of skops "
                    "builds from the file's own schema, not from the one safeload checked; "
                    "update skops (0.16 or later) to load it",
                    path=source,
                )
            return skops.io.loads(bytes(data), trusted=reported)
        # skops' own audit (``audit_tree``) would refuse what ``tree.get_unsafe_set()``
        # lists beyond ``trusted``: with ``reported``, that very set, it passes by
        # construction, and each name in it passed the policy above
        return tree.construct()
    except Exception as exc:
        raise MalformedArtifactError(
            f"{source} could not be loaded by skops: {type(exc).__name__}: {exc}", path=source
        ) from exc
