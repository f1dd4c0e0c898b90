"""The check of xgboost's model inside a parsed UBJSON blob: the trees xgboost walks are trees.

:func:`booster_problem` parses the blob (:func:`safeload.trust.xgboost_ubj.parse`), then reads,
from ``Model.learner``, ``learner_model_param`` (``num_feature``, ``num_class``, ``num_target``)
and the gradient booster (``gbtree``, ``dart`` or ``gblinear``), and checks each tree: every
per-node array has ``num_nodes`` entries; a node is a leaf (left child -1) or has two children
numbered after it and below ``num_nodes``; each node has at most one parent and the ``parents``
array agrees (so the trees xgboost walks are trees: no cycle, no index out of range); an
internal node splits on a feature below ``num_feature``; categorical split lists are laid out
as xgboost's writer lays them out and the bit sets xgboost sizes from them fit
:data:`CATEGORY_BYTES_PER_BLOB_BYTE` times the blob; ``tree_info`` names an output group that
exists and ``iteration_indptr`` slices the trees; a linear model has ``(num_feature + 1) *
groups`` weights. What xgboost sizes by a number alone must be paid for by the blob:
``num_feature`` is at most :func:`max_features` of the blob's size (rt45-04), and every output
group is named by a tree's ``tree_info``, or is a value of the multi-output trees' leaf
vectors, or (a model without trees) of ``base_score`` (rt45-07). :func:`state_blob_problem`
runs it on a blob the static pass found in a stream.

What the numbers *mean* (thresholds, leaf values, the configuration strings) stays xgboost's
business.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:  # numpy is imported when a blob is checked, not with safeload
    import numpy as np

from safeload._symbolic import _Big, _Bytes, _Const, _Global, _Obj, _Tuple
from safeload.trust.tree_paths import path_work_problem
from safeload.trust.xgboost_ubj import Typed, UBJError, parse

__all__ = [
    "CATEGORY_BYTES_PER_BLOB_BYTE",
    "FEATURES_PER_BLOB_BYTE",
    "FREE_FEATURES",
    "blob_model_param",
    "blob_view",
    "booster_problem",
    "max_features",
    "output_groups",
    "param_num_class",
    "state_blob_problem",
]

#: Most bytes of categorical bit sets xgboost may allocate per byte of the blob (rt43-09).
#: ``RegTree::LoadCategoricalSplit`` gives each categorical node a bit set of ``max_cat + 1``
#: bits, ``max_cat`` the largest category its list names, so one 4-byte category of 2**30 - 1
#: costs 128 MiB. An honest list names categories of the split feature (below its number of
#: categories, and at most ``max_cat_threshold``, 64 by default, per node), and each node
#: costs the blob some 60 bytes of node arrays and split lists: 256 bytes per byte lets every
#: categorical node of a blob split on a feature of ~100,000 categories (a pandas-trained
#: model also stores the categories themselves in ``cats``, which pays for more), and keeps
#: the load within the ~256 bytes per byte of the file SECURITY.md states for what a file
#: may make safeload's load copy.
CATEGORY_BYTES_PER_BLOB_BYTE: Final = 256

#: Features a Booster may say it has whatever its size (rt45-04). xgboost stores nothing per
#: feature unless it was given feature names, yet ``feature_importances_`` allocates for every
#: one: xgboost's ``FeatureScore`` per-feature vectors and, without names, Python's
#: ``[f"f{i}" for i in range(n_features_in_)]``, about 88 bytes and 0.7 microseconds per
#: feature (measured with xgboost 3.2: 90 MB and 0.8 s for 2**20 features). 2**20 is what
#: scikit-learn's width rule lets a stored ``n_features_in_`` claim without an array as wide
#: (rt31-02), and ``HashingVectorizer``'s default width. (The whole-model bound refuses
#: far fewer for a Booster's SHAP interaction values, ``(num_feature + 1) ** 2`` a row and
#: output group: some 4,150 features for one group, rt62-06.)
FREE_FEATURES: Final = 2**20

#: Features per byte of the blob a Booster may say it has past :data:`FREE_FEATURES` (rt45-04).
#: Each costs ``feature_importances_`` about 88 bytes, so 16 per byte keeps that to ~1.4 KB per
#: byte of the blob past the free 90 MB, while an honest model trained on more than 2**20
#: columns stores as much: its feature names (about 30 bytes per feature in the blob, when
#: given) or, without names, trees (a 2**22-wide hashed model passes from a 256 KB blob, some
#: 360 trees of depth 6 on sparse data).
FEATURES_PER_BLOB_BYTE: Final = 16

#: kInvalidNodeId as xgboost writes it in ``parents`` for the root (-1, or -1 & 0x7fffffff).
_ROOT_PARENTS: Final = (-1, 0x7FFFFFFF)


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            raise UBJError(f"the model has no {'.'.join(path)}")
        obj = obj[key]
    return obj


def _int(value: Any, what: str, low: int = 0, high: int = 1 << 31) -> int:
    """An integer xgboost writes as a string ("4") or a number, within [low, high)."""
    if isinstance(value, bool):
        raise UBJError(f"{what} is not an integer")
    if isinstance(value, str):
        text = value.strip()
        if not text.lstrip("-").isdigit() or len(text) > 20:
            raise UBJError(f"{what} is {value!r}, not an integer")
        got = int(text)
    elif isinstance(value, int):
        got = value
    else:
        raise UBJError(f"{what} is not an integer")
    if not low <= got < high:
        raise UBJError(f"{what} is {got}, outside [{low}, {high})")
    return got


def _ints(blob: Any, value: Any, what: str) -> np.ndarray[Any, Any]:
    """An integer array: a typed array (i, U, l, L) or a list of ints."""
    import numpy as np

    if isinstance(value, Typed):
        if value.code in ("d", "D"):
            raise UBJError(f"{what} is an array of floats")
        return value.array(blob).astype(np.int64)
    if isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        return np.asarray(value, dtype=np.int64).reshape(-1)
    raise UBJError(f"{what} is not an array of integers")


def _size(value: Any, what: str) -> int:
    if isinstance(value, Typed):
        return value.count
    if isinstance(value, list):
        return len(value)
    raise UBJError(f"{what} is not an array")


_NODE_ARRAYS: Final = (
    "left_children", "right_children", "parents", "split_indices", "split_conditions",
    "default_left", "split_type", "loss_changes", "sum_hessian",
)  # fmt: skip


def _tree_problem(blob: Any, tree: Any, t: int, num_feature: int) -> tuple[int, int]:
    """Check tree ``t``; return the bytes of categorical bit sets xgboost makes for it, and
    its leaves' squared depths summed (:mod:`safeload.trust.tree_paths`)."""
    import numpy as np

    where = f"tree {t}"
    if not isinstance(tree, dict):
        raise UBJError(f"{where} is not an object")
    n = _int(_get(tree, "tree_param", "num_nodes"), f"{where} num_nodes", 1)
    k = _int(_get(tree, "tree_param", "size_leaf_vector"), f"{where} size_leaf_vector", 0, 1 << 20)
    for name in _NODE_ARRAYS:
        if name in tree or name in ("left_children", "right_children", "parents", "split_indices"):
            got = _size(_get(tree, name), f"{where} {name}")
            if got != n:
                raise UBJError(f"{where} {name} has {got} entries for {n} nodes")
    if "base_weights" in tree:
        got = _size(tree["base_weights"], f"{where} base_weights")
        if got != n * max(k, 1):
            raise UBJError(f"{where} base_weights has {got} entries for {n} nodes")
    left = _ints(blob, tree["left_children"], f"{where} left_children")
    right = _ints(blob, tree["right_children"], f"{where} right_children")
    parents = _ints(blob, tree["parents"], f"{where} parents")
    split = _ints(blob, tree["split_indices"], f"{where} split_indices")
    idx = np.arange(n, dtype=np.int64)
    internal = left != -1
    leaf = ~internal
    if k > 1:  # a multi-target tree: a leaf's right child is its row in leaf_weights
        weights = _size(_get(tree, "leaf_weights"), f"{where} leaf_weights")
        if weights % k:
            raise UBJError(f"{where} leaf_weights has {weights} entries, not rows of {k}")
        bad = leaf & ((right < 0) | (right >= weights // k))
    else:
        bad = leaf & (right != -1)
    bad |= internal & ((left <= idx) | (left >= n) | (right <= idx) | (right >= n))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise UBJError(
            f"{where} node {i}: children {int(left[i])}, {int(right[i])} are not a leaf's (-1) "
            f"nor two nodes after it below num_nodes {n}"
        )
    children = np.concatenate([left[internal], right[internal]])
    if len(np.unique(children)) != len(children):
        raise UBJError(f"{where}: a node is the child of two nodes")
    if int(parents[0]) not in _ROOT_PARENTS:
        raise UBJError(f"{where}: the root has parent {int(parents[0])}")
    rest = parents[1:]
    if ((rest < 0) | (rest >= idx[1:])).any():
        raise UBJError(f"{where}: a node's parent is not a node before it")
    owners = np.concatenate([idx[internal], idx[internal]])
    if (parents[children] != owners).any():
        raise UBJError(f"{where}: parents disagrees with left_children / right_children")
    if ((split[internal] < 0) | (split[internal] >= num_feature)).any():
        raise UBJError(f"{where}: an internal node splits on a feature not below {num_feature}")
    depth = _node_depths(parents, where)
    work = int(np.square(depth[leaf]).sum())
    problem = path_work_problem(work, int(np.count_nonzero(leaf)), where)
    if problem:
        raise UBJError(problem)
    return _categories_problem(blob, tree, where, n, internal), work


#: The deepest tree xgboost may be handed. ``get_dump`` indents each node by its depth and
#: recurses: one chain tree of depth 2,048 dumped 4.3 MB of text, 4,096 ran past two
#: minutes and 20,000 overflowed the stack (rt61-03). Trees xgboost grows are some 6 to 30
#: levels deep (``max_depth`` 6 by default).
MAX_TREE_DEPTH = 256


def _node_depths(parents: Any, where: str) -> Any:
    """Each node's depth (an int64 array), refusing a tree deeper than
    :data:`MAX_TREE_DEPTH`: ``parents`` points to an earlier node
    (checked before), so each pass of ``depth[i] = depth[parent[i]] + 1`` settles one more
    level, and a tree is no deeper than the passes it takes to settle."""
    import numpy as np

    depth = np.zeros(len(parents), dtype=np.int64)
    for _ in range(MAX_TREE_DEPTH + 1):
        new = np.zeros_like(depth)
        new[1:] = depth[parents[1:]] + 1
        if np.array_equal(new, depth):
            return depth
        depth = new
    raise UBJError(f"{where} is deeper than {MAX_TREE_DEPTH} levels")


def _tree_model(booster: Any) -> Any:
    """The tree model of a gbtree gradient booster, or of a dart's inner gbtree."""
    if _get(booster, "name") == "dart":
        return _get(booster, "gbtree", "model")
    return _get(booster, "model")


def tree_nodes(blob: Any) -> tuple[int, int, int]:
    """How many nodes the trees of an xgboost model blob (a pickled Booster's, or
    ``save_raw``'s) hold (gbtree, or dart's inner gbtree; 0 for gblinear), the work
    ``predict`` does per row grows with them; and its ``num_feature`` and output groups
    (``predict(pred_interactions=True)`` gives ``groups * (num_feature + 1) ** 2`` values a
    row)."""
    top = parse(blob)
    # (a pickled Booster's blob wraps the model as "Model" beside its "Config"; save_raw's
    # is the model alone)
    if isinstance(top, dict) and "Model" in top:
        top = top["Model"]
    learner = _get(top, "learner")
    param = _get(learner, "learner_model_param")
    num_feature = _int(_get(param, "num_feature"), "num_feature", 0)
    groups = output_groups(param)
    booster = _get(learner, "gradient_booster")
    model = _tree_model(booster) if booster.get("name") in ("gbtree", "dart") else None
    trees = model.get("trees") if isinstance(model, dict) else None
    if not isinstance(trees, list):
        return 0, num_feature, groups
    nodes = sum(_int(_get(tree, "tree_param", "num_nodes"), "num_nodes", 1) for tree in trees)
    return nodes, num_feature, groups


def _categories_problem(
    blob: Any, tree: dict[str, Any], where: str, n: int, internal: np.ndarray[Any, Any]
) -> int:
    """Check the tree's categorical split lists; return the bytes of the bit sets xgboost's
    loader makes from them (``4 * ceil((max_cat + 1) / 32)`` per categorical node)."""
    import numpy as np

    names = ("categories", "categories_nodes", "categories_segments", "categories_sizes")
    present = [name in tree for name in names]
    if not any(present) and "split_type" not in tree:
        return 0
    if not all(present) or "split_type" not in tree:
        raise UBJError(f"{where}: categorical split arrays are incomplete")
    kinds = _ints(blob, tree["split_type"], f"{where} split_type")
    if not any(_size(tree[name], f"{where} {name}") for name in names):
        # no categorical split (most trees): every split_type is 0 (numerical)
        if kinds.any():
            raise UBJError(f"{where}: categories_nodes are not the categorical split nodes")
        return 0
    cats = _ints(blob, tree["categories"], f"{where} categories")
    nodes = _ints(blob, tree["categories_nodes"], f"{where} categories_nodes")
    segments = _ints(blob, tree["categories_segments"], f"{where} categories_segments")
    sizes = _ints(blob, tree["categories_sizes"], f"{where} categories_sizes")
    if ((kinds != 0) & (kinds != 1)).any():
        raise UBJError(f"{where}: split_type holds a value other than 0 and 1")
    if not len(nodes) == len(segments) == len(sizes):
        raise UBJError(f"{where}: categories_nodes, _segments and _sizes differ in length")
    if ((nodes < 0) | (nodes >= n)).any() or len(np.unique(nodes)) != len(nodes):
        raise UBJError(f"{where}: categories_nodes names a node out of range or twice")
    wanted = np.flatnonzero(internal & (kinds == 1))
    if not np.array_equal(np.sort(nodes), wanted):
        raise UBJError(f"{where}: categories_nodes are not the categorical split nodes")
    room = len(cats) - segments  # not segments + sizes: two int64 near 2**63 wrap negative
    if ((segments < 0) | (sizes < 0) | (segments > len(cats)) | (sizes > room)).any():
        raise UBJError(f"{where}: a categories segment is out of range")
    # as RegTree::SaveCategoricalSplit writes them: the nodes in order, each with a segment of
    # at least one category (xgboost's loader refuses an empty one), the segments one after
    # the other covering ``categories``. So each node's largest category is one reduceat, and
    # no node shares another's segment to be counted once but allocated twice.
    ends = np.cumsum(sizes)
    if (
        not np.array_equal(nodes, wanted)
        or (sizes < 1).any()
        or (int(ends[-1]) if len(ends) else 0) != len(cats)
        or not np.array_equal(segments, ends - sizes)
    ):
        raise UBJError(
            f"{where}: categories_nodes, _segments and _sizes are not laid out as xgboost writes "
            "them (nodes in order, consecutive non-empty segments covering categories)"
        )
    # max_cat + 1 is computed in xgboost's 32-bit category type: 2**31 - 1 would overflow
    if ((cats < 0) | (cats >= (1 << 31) - 1)).any():
        raise UBJError(f"{where}: a category is negative or too large")
    if not len(nodes):
        return 0
    largest = np.maximum.reduceat(cats, segments)
    return int((4 * ((largest + 32) // 32)).sum())  # ComputeStorageSize(max_cat + 1) words


def _gbtree_problem(
    blob: Any, model: Any, num_feature: int, groups: int, size: int, base_values: int
) -> None:
    """Check a gbtree model of the ``size``-byte ``blob``, whose ``base_score`` lists
    ``base_values`` values."""
    import numpy as np

    trees = _get(model, "trees")
    if not isinstance(trees, list):
        raise UBJError("the model's trees are not an array")
    num_trees = _int(_get(model, "gbtree_model_param", "num_trees"), "num_trees")
    if num_trees != len(trees):
        raise UBJError(f"num_trees is {num_trees}, but the model holds {len(trees)} trees")
    info = _ints(blob, _get(model, "tree_info"), "tree_info")
    if len(info) != len(trees) or ((info < 0) | (info >= groups)).any():
        raise UBJError(f"tree_info does not name one of {groups} output group(s) per tree")
    if "iteration_indptr" in model:
        ptr = _ints(blob, model["iteration_indptr"], "iteration_indptr")
        if (
            len(ptr) < 1
            or int(ptr[0]) != 0
            or int(ptr[-1]) != len(trees)
            or (np.diff(ptr) < 0).any()
        ):
            raise UBJError("iteration_indptr does not slice the trees")
    bit_sets, allowed = 0, CATEGORY_BYTES_PER_BLOB_BYTE * size
    paths = 0
    for t, tree in enumerate(trees):
        tree_bits, tree_paths = _tree_problem(blob, tree, t, num_feature)
        bit_sets += tree_bits
        paths += tree_paths
        if bit_sets > allowed:
            raise UBJError(
                f"the categorical splits of trees 0 to {t} make xgboost allocate {bit_sets} "
                f"bytes of category bit sets (max_cat + 1 bits per node), more than "
                f"{CATEGORY_BYTES_PER_BLOB_BYTE} per byte of the {size}-byte blob"
            )
    _groups_paid(trees, info, groups, base_values)
    columns = num_feature + 1
    calls = 2 * columns + 1  # contribution passes: each feature on and off, and the plain one
    # each pass walks every tree's paths (:data:`TREE_STEPS` and a step per 54 columns a tree
    # besides), and every output group visits every tree, clearing a row of the columns
    visits = groups * len(trees) * (VISIT_STEPS_180 + columns + columns // 3) // 180
    steps = calls * (paths + len(trees) * (TREE_STEPS + columns // 54) + visits)
    if steps > INTERACTION_STEPS:
        raise UBJError(
            f"SHAP interaction values would take {steps:,} path steps a row ({calls} passes "
            f"over the trees' squared leaf depths, {TREE_STEPS} a tree and a visit of every "
            f"tree by each of {groups} output group(s)), more than {INTERACTION_STEPS:,}"
        )


#: Path steps ``predict(pred_interactions=True)`` may take for one row: xgboost runs
#: TreeSHAP twice for each of ``num_feature + 1`` features (conditioned on it and off), over
#: every tree, each walk costing its leaves' squared depths, some 150 million steps a second
#: (so under 30 s a row). Ten chains of 55 splits in a 48 KB model of 4,000 features took
#: 4.4 billion, 28 s of CPU a row (rt63-02). Not paid by the blob's size: any bytes of it
#: pay, and an attribute of 5 MB compressed to nothing (rt63-08). Honest models: 1,000
#: features and 300 full trees of depth 6 take 1.4 billion, 3,000 features and 10 trees of
#: depth 10 take 2.3 billion (rt63-12); 2,000 features and 300 full trees of depth 6 (2.8
#: billion) pass, 4,000 and as many (5.5 billion) are refused.
INTERACTION_STEPS: Final = 1 << 32
#: What a contribution pass costs a tree beyond its squared leaf depths: about 170 ns (24
#: steps), and 0.13 ns (a step per 54) for each of the ``num_feature + 1`` columns (one-leaf
#: trees over 4,000 features took 715 ns a tree and pass; 4,000 of them 26 s a row, rt63-14).
TREE_STEPS: Final = 24
#: A visit of a tree by an output group in a contribution pass, which loops over the groups
#: and in each over every tree, clearing a row of the ``num_feature + 1`` columns before it
#: asks whether the tree is the group's: 4.5 ns and 0.039 ns a column (measured with
#: ``pred_contribs`` over 3,000 classes of a tree each, one to 4,000 features), in 180ths of a
#: step: 117 and 4/3 a column (interaction values cost a third more a column than the
#: contributions: 1,300 classes over 400 features took 36.8 s a row, rt65-17). 60,000
#: classes of one one-leaf tree each took 58 s for one row (rt64-02); an honest model of 100
#: classes of 300 rounds over 200 features 19.7 s, and is counted 3.6 billion steps (rt65-06:
#: counting 1 + 1/32 a column a visit refused it).
VISIT_STEPS_180: Final = 117


def _groups_paid(trees: list[Any], info: np.ndarray[Any, Any], groups: int, base: int) -> None:
    """The output groups of a gbtree model are paid for by what it stores (rt45-07). xgboost
    sizes per-group state by ``max(num_class, num_target)`` alone (``base_score``'s vector in
    the load, ``predict``'s ``rows x groups`` output and its per-group work), and an honest
    model stores something for each group: a round grows one tree per class or target (times
    ``num_parallel_tree``), each named in ``tree_info``, or (``multi_strategy=
    "multi_output_tree"``) trees whose leaves are vectors of ``num_target`` values. A model
    without trees (``n_estimators=0``) predicts ``base_score``, which xgboost 3 stores as one
    value per group (older versions stored one number: such a model may have one group).
    A tree's leaf vectors are exactly as wide as the groups (also for one group: xgboost
    writes a leaf's values into the row's outputs)."""
    import numpy as np

    widths = {
        _int(_get(tree, "tree_param", "size_leaf_vector"), f"tree {t} size_leaf_vector")
        for t, tree in enumerate(trees)
    }
    vectors = {k for k in widths if k > 1}
    if vectors:
        if vectors != {groups}:
            raise UBJError(
                f"a tree's leaves are vectors of {min(vectors - {groups})} values for {groups} "
                "output group(s)"
            )
        return
    if groups == 1:
        return
    if not trees:
        if base != groups:
            raise UBJError(
                f"the model says {groups} output groups (max of num_class and num_target) but "
                f"has no trees and {base} base_score value(s) to pay for them"
            )
        return
    named = len(np.unique(info))
    if named != groups:
        raise UBJError(
            f"the model says {groups} output groups (max of num_class and num_target), but "
            f"its trees' tree_info names {named}: an honest model grows a tree per group in "
            "every round (or multi-output trees whose leaves hold one value per group), and "
            "xgboost sizes base_score and predict's output by the groups alone"
        )


def booster_problem(blob: Any) -> str | None:
    """Why the UBJSON ``blob`` of a pickled ``xgboost.core.Booster`` is refused before
    xgboost's parser reads it, or ``None``."""
    try:
        with memoryview(blob) as view:
            size = view.nbytes
        top = parse(blob)
        learner = _get(top, "Model", "learner")
        param = _get(learner, "learner_model_param")
        num_feature = _int(_get(param, "num_feature"), "num_feature", 0)
        allowed = max_features(size)
        if num_feature > allowed:
            raise UBJError(
                f"num_feature is {num_feature}, more than the {allowed} a {size}-byte blob "
                f"may claim ({FREE_FEATURES}, or {FEATURES_PER_BLOB_BYTE} per byte): "
                "feature_importances_ allocates for every feature, which nothing stored pays "
                "for"
            )
        groups = output_groups(param)
        config = top.get("Config") if isinstance(top, dict) else None
        if isinstance(config, dict) and isinstance(config.get("learner"), dict):
            other = config["learner"].get("learner_model_param")
            if other is not None and any(
                not isinstance(other, dict) or other.get(key) != param.get(key)
                for key in ("num_feature", "num_class", "num_target")
            ):
                raise UBJError("Config and Model disagree on learner_model_param")
        booster = _get(learner, "gradient_booster")
        name = _get(booster, "name")
        base = _base_values(param.get("base_score"))
        if name in ("gbtree", "dart"):
            _gbtree_problem(blob, _tree_model(booster), num_feature, groups, size, base)
        elif name == "gblinear":
            weights = _size(_get(booster, "model", "weights"), "gblinear weights")
            if weights != (num_feature + 1) * groups:
                raise UBJError(
                    f"the linear model has {weights} weights for {num_feature} features and "
                    f"{groups} output group(s)"
                )
        else:
            raise UBJError(f"the gradient booster {name!r} is not gbtree, dart or gblinear")
    except UBJError as exc:
        return str(exc)
    return None


def max_features(size: int) -> int:
    """The most features a ``size``-byte blob may say its model has (rt45-04)."""
    return max(FREE_FEATURES, FEATURES_PER_BLOB_BYTE * size)


def _base_values(value: Any) -> int:
    """How many values ``base_score`` holds: xgboost 3 writes a list (``"[5E-1,5E-1]"``, one
    per output group), earlier versions one number (``"5E-1"``)."""
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        return value.count(",") + 1
    return 1


def output_groups(param: Any) -> int:
    """How many values xgboost's ``predict`` gives per row for ``learner_model_param`` (the
    blob's, or the loaded Booster's ``save_config()``): ``max(num_class, num_target)``, as
    xgboost's ``LearnerModelParam.num_output_group`` (a regressor's ``num_target``, a
    softprob classifier's ``num_class``). Raises :class:`UBJError` on a malformed value."""
    num_class = param_num_class(param)
    num_target = _int(param.get("num_target", "1"), "num_target", 0)
    return max(num_class, num_target, 1)


def param_num_class(param: Any) -> int:
    """``num_class`` of ``learner_model_param`` (0 for a binary or regression objective).
    Raises :class:`UBJError` on a malformed value."""
    if not isinstance(param, dict):
        raise UBJError("learner_model_param is not a dict")
    return _int(param.get("num_class", "0"), "num_class", 0)


def blob_model_param(blob: Any) -> dict[str, Any]:
    """The Booster blob's ``Model.learner.learner_model_param`` (which ``booster_problem``
    holds its ``Config`` to): what a built Booster's ``save_config()`` reports."""
    param = _get(parse(blob), "Model", "learner", "learner_model_param")
    if not isinstance(param, dict):
        raise UBJError("learner_model_param is not a dict")
    return param


def blob_view(sym: Any, data: Any) -> memoryview | None:
    """:func:`_blob_view`: the whole blob ``sym`` stands for, or ``None``."""
    return _blob_view(sym, data)


def _blob_view(sym: Any, data: Any) -> memoryview | None:
    """The whole blob the symbolic value ``sym`` stands for, as a memoryview (of the stream
    ``data`` for a large ``BYTEARRAY8`` the pass does not keep), or ``None`` when the pass
    does not hold its bytes."""
    if isinstance(sym, (_Const, _Big)):
        value = sym.value
        if isinstance(value, (bytes, bytearray, memoryview)):
            return memoryview(value)
        return None
    if isinstance(sym, _Bytes):
        start = sym.pos + 9  # BYTEARRAY8: opcode, 8-byte length, data
        if data is None or start + sym.size > len(data):
            return None
        return memoryview(data)[start : start + sym.size]
    if (
        isinstance(sym, _Obj)
        and isinstance(sym.cls, _Global)
        and sym.cls.pair in (("builtins", "bytearray"), ("builtins", "bytes"))
        and sym.state is None
        and isinstance(sym.args, _Tuple)
        and len(sym.args.items) == 1
    ):
        return _blob_view(sym.args.items[0], data)
    if (
        isinstance(sym, _Obj)
        and isinstance(sym.cls, _Global)
        and sym.cls.pair == ("_codecs", "encode")
        and sym.state is None
        and isinstance(sym.args, _Tuple)
        and len(sym.args.items) == 2
        and isinstance(sym.args.items[0], (_Const, _Big))
        and isinstance(sym.args.items[1], _Const)
        and sym.args.items[1].value in ("latin1", "latin-1")
        and isinstance(sym.args.items[0].value, str)
    ):
        # protocols 0-2 write bytes as _codecs.encode(text, "latin1")
        try:
            return memoryview(sym.args.items[0].value.encode("latin-1"))
        except UnicodeEncodeError:
            return None
    return None


def state_blob_problem(where: str, sym: Any, data: Any) -> str | None:
    """Why the Booster state blob ``sym`` (a symbolic value the pass found in the stream
    ``data``; its type, size and header already checked) is refused, or ``None``."""
    view = _blob_view(sym, data)
    if view is None:
        return (
            f"{where}: the scan does not hold the blob's bytes, so its UBJSON and trees cannot "
            "be checked before xgboost's native parser reads them"
        )
    with view:
        problem = booster_problem(view)
    if problem is None:
        return None
    return f"{where} is not a model xgboost's parser can safely read: {problem}"
