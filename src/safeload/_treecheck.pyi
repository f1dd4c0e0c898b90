"""Types of the C module built from _treecheck.c (see that file and validate._trees_all_valid)."""

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
