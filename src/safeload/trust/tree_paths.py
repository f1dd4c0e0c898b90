"""One bound on the root-to-leaf paths of a gradient boosting library's tree.

``predict`` walks one path a row, but SHAP values walk every path and, along each, extend and
unwind a polynomial as long as the path: TreeSHAP costs about the sum over the leaves of their
depth squared (xgboost's ``pred_contribs``, LightGBM's ``pred_contrib``), and xgboost's
``pred_interactions`` that again for each feature on a path. A chain of 1,000 distinct splits
(2,001 nodes, 124 KB) took LightGBM 2.5 s of CPU a row, and one of 250 took xgboost's
interactions 16.8 s a row, while a node count prices them as 2,001 and 501 nodes (rt62-02).
A tree the libraries grow is bushy: depth 6 by default (64 leaves, a sum of 2,304) and some 10
to 30 levels when grown leaf-wise, so the sum stays within :data:`PATH_WORK_PER_LEAF` per leaf.
"""

from __future__ import annotations

__all__ = ["PATH_WORK_FLOOR", "PATH_WORK_PER_LEAF", "path_work_problem"]

#: The sum of squared leaf depths any tree may have: a chain of 57 levels, a full tree of 12.
PATH_WORK_FLOOR = 1 << 16
#: Past :data:`PATH_WORK_FLOOR`, the sum may be this many times the tree's leaves (a mean
#: squared depth of 1,024: leaves 32 levels down on average).
PATH_WORK_PER_LEAF = 1 << 10


def path_work_problem(work: int, leaves: int, where: str) -> str | None:
    """Why a tree whose leaves' squared depths sum to ``work`` over ``leaves`` leaves is
    refused, or ``None``."""
    bound = max(PATH_WORK_FLOOR, PATH_WORK_PER_LEAF * leaves)
    if work <= bound:
        return None
    return (
        f"{where}'s leaves lie {work:,} squared levels deep in all, more than {bound:,} "
        f"({PATH_WORK_PER_LEAF:,} a leaf): SHAP values walk every path and cost the square "
        "of its length"
    )
