"""Types of the C module built from _treecheck.c (see that file and trust/structures/trees.py)."""

from typing_extensions import Buffer

def nodes_ok(
    nodes: Buffer,
    count: int,
    itemsize: int,
    left: int,
    right: int,
    feature: int,
    missing: int,
    n_features: int,
    max_depth: int,
    /,
) -> bool: ...
