"""A bounded, linear-time check of a LightGBM model text before LightGBM's parser reads it.

``lightgbm.basic.Booster.__setstate__`` hands the model text to
``LGBM_BoosterLoadModelFromString``. LightGBM's ``GBDT::LoadModelFromString`` reads the header
lines up to the first ``Tree=`` line, then slices the rest by the byte lengths on the header's
``tree_sizes=`` line and parses the slices in an OpenMP region, trusting each to be a tree; its
``Tree`` reader scans for ``=`` and a line end without a bound, and prediction follows the
child indexes it read without checking them. Red-team round 15 (r15-05) showed a tree whose
length disagrees with ``tree_sizes`` aborting the process inside the load, and a tree whose
child points back (``left_child[0]=0``) hanging ``predict`` forever.

So, in the static pass (both ``load`` and ``scan``), the text must be exactly what LightGBM 4's
writer (``GBDT::SaveModelToString``, ``Tree::ToString``) produces in structure:

* no NUL (the C string would end there) and no carriage return (LightGBM reads it as a line
  end; the writer never writes one);
* the header names ``num_class``, ``max_feature_idx`` and ``tree_sizes`` once each, as
  integers (``num_tree_per_iteration`` too, if present, equal to ``num_class`` as the writer
  always has it: ``predict`` writes one value per tree of an iteration into ``num_class``
  slots), and the number of trees is a multiple of the trees per iteration;
* the ``feature_names`` line lists ``max_feature_idx + 1`` names (LightGBM's own rule), none
  longer than ``MAX_FEATURE_NAME`` (1024) bytes: ``Booster.feature_name()`` (and
  ``feature_name_``, ``feature_names_in_``, ``plot_importance``) allocates one buffer of the
  longest name per feature, so one name of 300,000 characters among 5,000 asked for 1.5 GB
  from a 360 KB file (rt45-06);
* the ``objective`` line, if present (a Python objective writes none), is one the writer
  writes for that ``num_class``: LightGBM builds the objective from it, and ``predict`` hands
  it the row's ``num_class`` values to convert in place. A multiclass objective converts as
  many as its own ``num_class:`` says (``multiclass num_class:100000`` over a one-value row
  wrote 800 KB past it, rt41-07), so that must equal the header's; every other objective
  converts one value, so the header's ``num_class`` must be 1;
* the byte slices ``tree_sizes`` makes, from the first ``Tree=`` line on, are the trees in
  order: ``Tree=i``, then one ``key=value`` line per field (known field names, none twice),
  then the blank line and the separating line end; ``end of trees`` follows the last one;
* per tree: ``1 <= num_leaves <= MAX_LEAVES``; every array holds exactly as many numbers as
  the tree's size says; ``left_child``/``right_child`` make a binary tree rooted at node 0 in
  which every other internal node has exactly one parent and every leaf ``~k`` (``k <
  num_leaves``) is reached exactly once (so no loop); ``split_feature`` (and a linear tree's
  ``leaf_features``) lie in ``[0, max_feature_idx]``; ``decision_type`` holds only the flag
  bits LightGBM defines; a categorical split's threshold indexes ``cat_boundaries``, which
  runs from 0, never decreasing, to the length of ``cat_threshold``.

What the numbers *mean* (thresholds, leaf values, the parameters section, feature infos)
stays LightGBM's parser's business. Anything this module cannot parse is refused: it
cannot be checked before LightGBM's parser reads it.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from safeload.trust.structures.common import MAX_FEATURE_NAME
from safeload.trust.tree_paths import path_work_problem

__all__ = [
    "MAX_LEAVES",
    "header_num_class",
    "header_num_feature",
    "model_text_problem",
    "text_problem",
]

#: The most leaves a tree may have (LightGBM's own ``num_leaves`` limit is 131072).
MAX_LEAVES = 2**17

_INT32_MAX = 2**31 - 1
_INT = re.compile(rb"-?[0-9]{1,10}")
_UINT = re.compile(rb"[0-9]{1,10}")
_FLOAT = re.compile(
    rb"[-+]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|inf|infinity|nan|na)",
    re.IGNORECASE,
)
#: A space-separated list of each kind of token (one match per field, not per token).
_LISTS = {
    pattern: re.compile(b"(?:%s)(?: (?:%s))*" % (pattern.pattern, pattern.pattern), pattern.flags)
    for pattern in (_INT, _UINT, _FLOAT)
}
_SIZES = re.compile(rb"[0-9]{1,12}(?: [0-9]{1,12})*")

#: decision_type bits: 1 categorical, 2 default left, 4 and 8 the missing type (0, 1 or 2).
_CATEGORICAL = 1
_DECISION_MAX = 2 | 1 | (2 << 2)

#: Every field ``Tree::ToString`` writes (22 of them: LightGBM reads at most 22 lines a tree).
_TREE_KEYS = frozenset(
    {
        b"num_leaves",
        b"num_cat",
        b"split_feature",
        b"split_gain",
        b"threshold",
        b"decision_type",
        b"left_child",
        b"right_child",
        b"leaf_value",
        b"leaf_weight",
        b"leaf_count",
        b"internal_value",
        b"internal_weight",
        b"internal_count",
        b"cat_boundaries",
        b"cat_threshold",
        b"is_linear",
        b"leaf_const",
        b"num_features",
        b"leaf_features",
        b"leaf_coeff",
        b"shrinkage",
    }
)
_HEADER_INTS = (b"num_class", b"num_tree_per_iteration", b"max_feature_idx", b"tree_sizes")
_FEATURE_NAMES = b"feature_names"
#: The header lines safeload reads: the integers above, the objective and the feature names.
_HEADER_KEYS = (*_HEADER_INTS, b"objective", _FEATURE_NAMES)

#: Objectives whose ``ToString`` is their name alone, or their name and `` sqrt`` (the
#: regression family's ``reg_sqrt``): each converts one value per row. (LightGBM 4's
#: ``ObjectiveFunction::CreateObjectiveFunction(const std::string&)`` names, as the writer
#: writes them: aliases such as ``l2`` or ``xentlambda`` are written by their main name.)
_SQRT_OBJECTIVES = (
    b"regression",
    b"regression_l1",
    b"quantile",
    b"huber",
    b"fair",
    b"poisson",
    b"mape",
    b"gamma",
    b"tweedie",
)
_PLAIN_OBJECTIVES = (b"cross_entropy", b"cross_entropy_lambda", b"lambdarank", b"rank_xendcg")
#: A positive number as a C++ stream writes a double (``1``, ``0.5``, ``1e-05``).
_STREAM_FLOAT = rb"[0-9]+(?:\.[0-9]+)?(?:e[-+][0-9]+)?"
#: The objective lines LightGBM's writer produces, and how many values each converts per row
#: (``None``: as many as its ``num_class:`` token).
_OBJECTIVES: tuple[tuple[re.Pattern[bytes], bool], ...] = (
    (re.compile(b"(?:%s)(?: sqrt)?" % b"|".join(_SQRT_OBJECTIVES)), False),
    (re.compile(b"|".join(_PLAIN_OBJECTIVES)), False),
    (re.compile(rb"binary sigmoid:" + _STREAM_FLOAT), False),
    (re.compile(rb"multiclass num_class:([1-9][0-9]{0,9})"), True),
    (re.compile(rb"multiclassova num_class:([1-9][0-9]{0,9}) sigmoid:" + _STREAM_FLOAT), True),
)


class _Bad(Exception):
    """The text breaks a rule; ``unparsable`` when it is not in the writer's format at all."""

    def __init__(self, message: str, *, unparsable: bool = False) -> None:
        super().__init__(message)
        self.unparsable = unparsable


def _unparsable(message: str) -> _Bad:
    return _Bad(message, unparsable=True)


def model_text_problem(where: str, sym: Any) -> str | None:
    """Why the model text held by the symbolic constant ``sym`` (the Booster's ``_handle``) is
    refused before LightGBM's parser reads it, or ``None``. ``where`` names it."""
    value = getattr(sym, "value", None)
    if not isinstance(value, str):
        return (
            f"{where}: the pass does not hold the full model text, so it cannot be checked "
            "before LightGBM's parser reads it"
        )
    try:
        data = value.encode("utf-8")  # what lightgbm's _c_str hands the parser
    except UnicodeEncodeError:
        return f"{where} is not valid UTF-8 text, so LightGBM's parser cannot be handed it"
    return text_problem(data, where)


def text_problem(data: bytes, where: str = "the LightGBM model text") -> str | None:
    """Why the LightGBM model text ``data`` (UTF-8) is refused, or ``None``."""
    try:
        _check(data)
    except _Bad as bad:
        if bad.unparsable:
            return (
                f"{where} is not in the form LightGBM's writer produces ({bad}), so it cannot "
                "be checked before LightGBM's parser reads it"
            )
        return (
            f"{where}: {bad}; LightGBM's parser does not check this (such a text can abort "
            "the process while loading or hang predict)"
        )
    return None


def _head_of(text: str) -> bytes:
    """The header of a model text (up to the first ``Tree=`` line, where LightGBM's header
    loop stops), UTF-8: only that much is encoded (the trees may be hundreds of MB)."""
    first = text.find("\nTree=")  # (ASCII: the same place in the text and in its bytes)
    return (text if first < 0 else text[: first + 1]).encode("utf-8", "replace")


_NUM_LEAVES = re.compile(r"^num_leaves=(\d{1,9})$", re.MULTILINE)


def text_nodes(text: str) -> int:
    """How many nodes the trees of a LightGBM model text hold: ``2 num_leaves - 1`` for each
    tree block's ``num_leaves=`` line (which :func:`_check` holds to the tree's arrays), read
    only between the first ``Tree=`` line and ``end of trees``: the feature importances after
    them are ``name=count`` lines, and a feature named ``num_leaves`` made scan count a
    billion nodes that the load's regenerated text did not hold (rt61-09)."""
    start = text.find("\nTree=")
    if start < 0:
        return 0
    end = text.find("\nend of trees", start)
    trees = text[start : len(text) if end < 0 else end]
    return sum(max(2 * int(m.group(1)) - 1, 1) for m in _NUM_LEAVES.finditer(trees))


def header_num_class(text: str) -> int | None:
    """The header's ``num_class`` of a LightGBM model text (how many values ``predict``
    gives per row: :func:`_check` holds ``num_tree_per_iteration`` to it), or ``None`` when
    the header does not give one."""
    try:
        return _header_int(_header(_head_of(text)), b"num_class", 1)
    except _Bad:
        return None


def header_num_feature(text: str) -> int | None:
    """What ``Booster.num_feature()`` answers for a LightGBM model text: the header's
    ``max_feature_idx`` plus one, read as :func:`_check` (and LightGBM) read it; ``None`` when
    the header does not give one."""
    try:
        return _header_int(_header(_head_of(text)), b"max_feature_idx", 0) + 1
    except _Bad:
        return None


def _split_like_lightgbm(line: bytes) -> list[bytes]:
    """``Common::Split(line, '=')``: the pieces between ``=``, empty ones dropped."""
    return [piece for piece in line.split(b"=") if piece]


def _header(head: bytes) -> dict[bytes, bytes]:
    """The header values safeload reads, parsed as ``GBDT::LoadModelFromString`` does."""
    found: dict[bytes, bytes] = {}
    for line in head.split(b"\n"):
        pieces = _split_like_lightgbm(line)
        if not pieces or pieces[0] not in _HEADER_KEYS:
            continue
        if pieces[0] in found:
            raise _unparsable(f"the header sets {pieces[0].decode()} twice")
        if len(pieces) > 2 and pieces[0] == _FEATURE_NAMES:
            # LightGBM takes the rest of the line: a name may hold '=' (rt45-06)
            found[pieces[0]] = line[len(_FEATURE_NAMES) + 1 :]
            continue
        if len(pieces) > 2:
            raise _unparsable(f"header line {pieces[0].decode()!r} holds more than one '='")
        found[pieces[0]] = pieces[1] if len(pieces) == 2 else b""
    return found


def _feature_names(header: dict[bytes, bytes], max_feature: int) -> None:
    """The ``feature_names`` line, split on spaces as LightGBM splits it (empty pieces
    dropped): ``max_feature_idx + 1`` names (LightGBM refuses any other count), each at most
    :data:`MAX_FEATURE_NAME` bytes (``feature_name()`` allocates the longest once per
    feature, rt45-06)."""
    raw = header.get(_FEATURE_NAMES)
    if raw is None:
        raise _unparsable("the header has no feature_names line")
    count = 0
    for name in raw.split(b" "):
        if not name:
            continue
        count += 1
        if len(name) > MAX_FEATURE_NAME:
            raise _Bad(
                f"feature name {count - 1} is {len(name):,} bytes long, over "
                f"{MAX_FEATURE_NAME}: feature_name() allocates a buffer that long for each of "
                f"the {max_feature + 1:,} features"
            )
    if count != max_feature + 1:
        raise _Bad(
            f"feature_names lists {count} name(s), but max_feature_idx={max_feature} means "
            f"{max_feature + 1} (LightGBM refuses the text)"
        )


def _header_int(header: dict[bytes, bytes], key: bytes, low: int) -> int:
    raw = header.get(key)
    if raw is None or not _INT.fullmatch(raw):
        raise _unparsable(f"the header has no integer {key.decode()}")
    value = int(raw)
    if not low <= value <= _INT32_MAX:
        raise _Bad(f"the header's {key.decode()}={value} is out of range")
    return value


def _check(data: bytes) -> None:
    if b"\0" in data or b"\r" in data:
        raise _unparsable("it holds a NUL byte or a carriage return")
    if data.startswith(b"Tree="):
        raise _unparsable("it starts with a tree, not the header")
    first = data.find(b"\nTree=")
    start = len(data) if first < 0 else first + 1  # where LightGBM's header loop stops
    header = _header(data[:start])
    num_class = _header_int(header, b"num_class", 1)
    per_iteration = num_class
    if b"num_tree_per_iteration" in header:
        per_iteration = _header_int(header, b"num_tree_per_iteration", 1)
    if per_iteration != num_class:
        # predict writes one output per tree of an iteration into num_class slots
        raise _Bad(f"num_tree_per_iteration={per_iteration} differs from num_class={num_class}")
    max_feature = _header_int(header, b"max_feature_idx", 0)
    _feature_names(header, max_feature)
    if b"tree_sizes" not in header:
        raise _unparsable("the header has no tree_sizes line")
    raw_sizes = header[b"tree_sizes"]
    if raw_sizes and not _SIZES.fullmatch(raw_sizes):
        raise _unparsable("tree_sizes is not a list of byte lengths")
    sizes = [int(s) for s in raw_sizes.split(b" ")] if raw_sizes else []
    if len(sizes) % per_iteration:
        raise _Bad(f"{len(sizes)} tree(s) are not a whole number of iterations of {per_iteration}")
    _objective(header.get(b"objective"), num_class)
    if not sizes:
        if first >= 0:
            raise _Bad("tree_sizes lists no tree, but a tree follows the header")
        return
    pos = start
    for index, size in enumerate(sizes):
        end = pos + size
        if end > len(data):
            raise _Bad(f"tree_sizes runs past the end of the text at tree {index}")
        _tree(data[pos:end], index, max_feature)
        pos = end
    if not data.startswith(b"end of trees\n", pos):
        raise _Bad(
            f"the {len(sizes)} tree(s) tree_sizes lists are not followed by 'end of trees' "
            "(the tree blocks disagree with tree_sizes)"
        )


def _objective(line: bytes | None, num_class: int) -> None:
    """The header's objective (``None``: no line, as for a Python objective) must be one the
    writer produces for ``num_class`` (:data:`_OBJECTIVES`)."""
    if line is None:
        return
    for pattern, per_class in _OBJECTIVES:
        found = pattern.fullmatch(line)
        if found is None:
            continue
        converts = int(found.group(1)) if per_class else 1
        if converts != num_class:
            raise _Bad(
                f"the objective {line[:60].decode(errors='replace')!r} converts {converts} "
                f"value(s) per row, but num_class={num_class} sizes the row"
            )
        return
    raise _unparsable(
        f"the objective line {line[:60].decode(errors='replace')!r} is not one LightGBM's "
        "writer produces"
    )


def _tree(block: bytes, index: int, max_feature: int) -> None:
    """One tree's slice: ``Tree=i\\n``, ``key=value`` lines, a blank line and a line end."""
    title = b"Tree=%d\n" % index
    if not block.startswith(title) or not block.endswith(b"\n\n\n"):
        raise _Bad(
            f"the slice tree_sizes gives tree {index} is not one tree block (the tree blocks "
            "disagree with tree_sizes)"
        )
    lines = block[len(title) : -2].split(b"\n")[:-1]  # each "key=value", the last ends "\n"
    fields: dict[bytes, bytes] = {}
    for line in lines:
        key, eq, value = line.partition(b"=")
        if not eq or key not in _TREE_KEYS:
            raise _Bad(
                f"tree {index} holds a line that is not a known 'key=value' field (the tree "
                "blocks disagree with tree_sizes, or the tree is not LightGBM's)"
            )
        if key in fields:
            raise _Bad(f"tree {index} sets {key.decode()} twice")
        fields[key] = value
    _fields(fields, index, max_feature)


def _numbers(
    fields: dict[bytes, bytes], key: bytes, count: int, pattern: re.Pattern[bytes], index: int
) -> list[bytes] | None:
    """The ``count`` tokens of field ``key`` (``None`` if absent), each matching ``pattern``."""
    raw = fields.get(key)
    if raw is None:
        return None
    tokens = [t for t in raw.split(b" ") if t]  # LightGBM splits on spaces only
    if len(tokens) != count:
        raise _Bad(f"tree {index}'s {key.decode()} holds {len(tokens)} value(s), not {count}")
    if tokens and not _LISTS[pattern].fullmatch(b" ".join(tokens)):
        raise _unparsable(f"tree {index}'s {key.decode()} holds something other than numbers")
    return tokens


def _required(
    fields: dict[bytes, bytes], key: bytes, count: int, pattern: re.Pattern[bytes], index: int
) -> list[bytes]:
    tokens = _numbers(fields, key, count, pattern, index)
    if tokens is None:
        raise _unparsable(f"tree {index} has no {key.decode()}")
    return tokens


def _one_int(fields: dict[bytes, bytes], key: bytes, index: int, default: int | None) -> int:
    raw = fields.get(key)
    if raw is None:
        if default is None:
            raise _unparsable(f"tree {index} has no {key.decode()}")
        return default
    if not _INT.fullmatch(raw):
        raise _unparsable(f"tree {index}'s {key.decode()} is not an integer")
    return int(raw)


def _fields(fields: dict[bytes, bytes], index: int, max_feature: int) -> None:
    leaves = _one_int(fields, b"num_leaves", index, None)
    if not 1 <= leaves <= MAX_LEAVES:
        raise _Bad(f"tree {index} has num_leaves={leaves}, outside 1..{MAX_LEAVES}")
    num_cat = _one_int(fields, b"num_cat", index, None)
    if not 0 <= num_cat < leaves:
        raise _Bad(f"tree {index} has num_cat={num_cat} for {leaves} leaves")
    linear = _one_int(fields, b"is_linear", index, 0)
    if linear not in (0, 1):
        raise _Bad(f"tree {index} has is_linear={linear}")
    _required(fields, b"leaf_value", leaves, _FLOAT, index)
    nodes = leaves - 1
    node_arrays = (b"left_child", b"right_child", b"split_feature", b"threshold")
    optional_node = (
        (b"split_gain", _FLOAT),
        (b"internal_value", _FLOAT),
        (b"internal_weight", _FLOAT),
        (b"internal_count", _INT),
        (b"decision_type", _INT),
    )
    if nodes == 0:
        # LightGBM reads nothing more of a one-leaf tree that is not linear (the writer writes
        # its node arrays empty, and never a linear one-leaf tree)
        if linear or num_cat:
            raise _Bad(f"tree {index} has one leaf but is linear or has categorical splits")
        full = sorted(k.decode() for k in node_arrays if fields.get(k, b"").strip())
        if full or b"cat_boundaries" in fields or b"cat_threshold" in fields:
            raise _Bad(f"tree {index} has one leaf but holds split arrays")
        return
    left = [int(t) for t in _required(fields, b"left_child", nodes, _INT, index)]
    right = [int(t) for t in _required(fields, b"right_child", nodes, _INT, index)]
    features = _required(fields, b"split_feature", nodes, _INT, index)
    thresholds = _required(fields, b"threshold", nodes, _FLOAT, index)
    for key, pattern in optional_node:
        _numbers(fields, key, nodes, pattern, index)
    _numbers(fields, b"leaf_weight", leaves, _FLOAT, index)
    _numbers(fields, b"leaf_count", leaves, _INT, index)
    for token in features:
        if not 0 <= int(token) <= max_feature:
            raise _Bad(
                f"tree {index} splits on feature {int(token)}, outside 0..{max_feature} "
                "(max_feature_idx)"
            )
    _shape(left, right, leaves, index)
    decisions = _numbers(fields, b"decision_type", nodes, _INT, index)
    _categorical(fields, decisions, thresholds, num_cat, index)
    if linear:
        _linear(fields, leaves, max_feature, index)


#: The deepest tree LightGBM may be handed (leaves at most this many levels below the
#: root). Its dumps recurse per level; trees it grows are as deep as ``num_leaves`` allows
#: leaf-wise (30 at the default 31 leaves), or ``max_depth``.
MAX_TREE_DEPTH = 1024


def _shape(left: list[int], right: list[int], leaves: int, index: int) -> None:
    """The children make a binary tree rooted at node 0: each other internal node and each
    leaf is reached exactly once, so prediction cannot loop or index out of range, and no
    leaf is more than :data:`MAX_TREE_DEPTH` levels down."""
    nodes = leaves - 1
    seen_node = bytearray(nodes)
    seen_leaf = bytearray(leaves)
    seen_node[0] = 1
    depth = [0] * nodes
    stack = [0]
    reached = 1
    work = 0  # the leaves' squared depths (tree_paths)
    while stack:
        node = stack.pop()
        if depth[node] >= MAX_TREE_DEPTH:
            # a leaf below is deeper still: dump_model and trees_to_dataframe recurse per
            # level, and a chain of 20,000 overflowed the stack (rt61-03)
            raise _Bad(f"tree {index} is deeper than {MAX_TREE_DEPTH} levels")
        for child in (left[node], right[node]):
            if child < 0:
                leaf = ~child
                if leaf >= leaves or seen_leaf[leaf]:
                    raise _Bad(f"tree {index} reaches leaf {leaf} twice or it is out of range")
                seen_leaf[leaf] = 1
                work += (depth[node] + 1) ** 2
            elif child >= nodes or seen_node[child]:
                raise _Bad(
                    f"tree {index}: node {node} has child {child}, which is out of range or "
                    "already reached (a loop)"
                )
            else:
                seen_node[child] = 1
                depth[child] = depth[node] + 1
                reached += 1
                stack.append(child)
    if reached != nodes or sum(seen_leaf) != leaves:
        raise _Bad(f"tree {index}'s nodes are not all reached from its root")
    problem = path_work_problem(work, leaves, f"tree {index}")
    if problem:
        raise _Bad(problem)


def _categorical(
    fields: dict[bytes, bytes],
    decisions: list[bytes] | None,
    thresholds: list[bytes],
    num_cat: int,
    index: int,
) -> None:
    boundaries: list[int] = []
    if num_cat:
        raw = _required(fields, b"cat_boundaries", num_cat + 1, _UINT, index)
        boundaries = [int(t) for t in raw]
        if boundaries[0] != 0 or any(a > b for a, b in itertools.pairwise(boundaries)):
            raise _Bad(f"tree {index}'s cat_boundaries do not rise from 0")
        bitsets = _required(fields, b"cat_threshold", boundaries[-1], _UINT, index)
        if any(int(t) > 2**32 - 1 for t in bitsets):
            raise _Bad(f"tree {index}'s cat_threshold holds a value past 32 bits")
    elif b"cat_boundaries" in fields or b"cat_threshold" in fields:
        raise _Bad(f"tree {index} has num_cat=0 but holds categorical bitsets")
    for node, token in enumerate(decisions or ()):
        decision = int(token)
        if not 0 <= decision <= _DECISION_MAX or (decision >> 2) == 3:
            raise _Bad(f"tree {index}'s decision_type {decision} sets bits LightGBM does not")
        if decision & _CATEGORICAL:
            threshold = thresholds[node]
            if not _UINT.fullmatch(threshold) or int(threshold) >= num_cat:
                raise _Bad(
                    f"tree {index}: categorical node {node}'s threshold {threshold[:20]!r} "
                    f"is not a bitset index below num_cat={num_cat}"
                )


def _linear(fields: dict[bytes, bytes], leaves: int, max_feature: int, index: int) -> None:
    _numbers(fields, b"leaf_const", leaves, _FLOAT, index)
    counts = _numbers(fields, b"num_features", leaves, _UINT, index)
    if counts is None:
        return
    total = sum(int(t) for t in counts)
    if total > leaves * (max_feature + 1):
        raise _Bad(f"tree {index}'s num_features name more features than it has leaves for")
    chosen = _numbers(fields, b"leaf_features", total, _INT, index)
    _numbers(fields, b"leaf_coeff", total, _FLOAT, index)
    for token in chosen or ():
        if not 0 <= int(token) <= max_feature:
            raise _Bad(f"tree {index}'s linear model uses feature {int(token)}, out of range")
