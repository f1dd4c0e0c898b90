"""The bound on sharing: one object met through the memo in many places.

scikit-learn's recursive methods (``repr``, ``get_params``, ``clone``, ``transform``, kernel
evaluation) do not remember what they have seen, so a graph that reuses one object in many
places is walked as the tree it unfolds into. :func:`first_over_cap` counts that tree without
unfolding it; the load (:func:`check_sharing`), the static pass and the shadows use it.
"""

from __future__ import annotations

from collections.abc import Container, Iterable

from safeload.pickle.costs import UNWALKED_LINKS as _UNWALKED_LINKS
from safeload.trust.graph import Graph, UnsafeState

#: How many times, on average, scikit-learn's recursive methods may meet each object with
#: behaviour (estimators, kernels, scorers, helpers) or container, per object and reference
#: in the graph: a walk that meets what a graph holds a few times per reference is linear in
#: the file, whatever it repeats (a flat list of one date a hundred times, rt28-16).
#: Honest models share an estimator between two slots at most (``estimators_`` and
#: ``named_estimators_``), so nested ensembles stay within a few times each.
SHARING_FACTOR = 8
SHARING_SLACK = 64

#: Attributes no recursive method follows, by class (module, qualname): an edge through one is
#: no path of such a walk, so the graphs the sharing bound counts leave it out (the walks still
#: visit and check what it holds). Birch's CF-tree leaves link both ways; only Birch's own
#: ``_get_leaves`` follows ``next_leaf_``, once per leaf, and ``check_birch`` walks the chain
#: with a set of the leaves seen. Counted as edges, the links made an honest Birch of 44 leaves
#: (346 KB) "exponential" (rt70-10). The same table as the stream's unfold count
#: (``pickle.costs.UNWALKED_LINKS``).
UNWALKED_LINKS = _UNWALKED_LINKS


def check_sharing(graph: Graph) -> Components | None:
    """The file's memo can make one object appear in many places: N nested pipelines whose two
    steps are the same object are a DAG of 3N objects that ``repr``, ``get_params``, ``clone``
    and ``transform`` walk as a tree of 2**N. Count, without unfolding, how many objects such
    a walk would meet (:func:`sharing_problem`), and refuse a graph that would make it
    exponential. Returns the graph's components (:func:`components`), or ``None`` for a graph
    without objects."""
    counted = counted_nodes(graph.edges, (id(o) for o in graph.instances))
    if not counted:
        return None
    problem = sharing_problem(id(graph.root), graph.edges, counted)
    if problem:
        raise UnsafeState("model", problem)
    from safeload.trust.facts import is_estimator

    estimators = {id(o) for o in graph.instances if is_estimator(type(o))}
    comps = components(id(graph.root), graph.edges)
    depth = deepest_nesting(id(graph.root), graph.edges, estimators, comps)
    if depth > MAX_ESTIMATOR_NESTING:
        raise UnsafeState("model", nesting_problem(depth))
    return comps  # (for the path counts of the same graph: one Tarjan pass per load)


def counted_nodes(edges: dict[int, list[int]], instances: Iterable[int]) -> set[int]:
    """The nodes the sharing bound counts: every instance (an estimator, a kernel, a scorer, a
    date), and every container that holds an object (a list holding one list twice, nested,
    is unfolded by repr and clone). ``edges`` holds a node only when it holds an object, so a
    list of numbers, like an array, is a leaf and counts nothing: it is met once per
    reference to it, which the references already pay for (rt53-05: scan counted such a list
    and refused nested shared lists the load loads)."""
    counted = set(edges)
    counted.update(instances)
    return counted


def sharing_problem(root: int, edges: dict[int, list[int]], counted: set[int]) -> str | None:
    """Why the graph ``edges`` (node id -> the ids of the objects it holds, once per reference;
    a node that holds no object has no entry) seen from ``root`` is refused by the sharing
    bound, or ``None``: a walk that does not remember what it met would meet more of the
    ``counted`` nodes (:func:`counted_nodes`) than :func:`sharing_cap` allows. The one rule
    for both inputs: the load's use-time walk (:func:`check_sharing`, of the model and of
    what the stream dropped) and scan's shadow graph of the same values."""
    cap = sharing_cap(len(counted), sum(len(kids) for kids in edges.values()))
    if first_over_cap([root], edges, counted, cap) is None:
        return None
    return (
        f"shares objects so that scikit-learn's recursive methods (repr, get_params, "
        f"clone, transform, kernel evaluation) would meet them more than {cap} times "
        f"although it holds {len(counted)}: using it would take exponential time"
    )


def nesting_problem(depth: int) -> str:
    """Why a chain of ``depth`` nested estimators is refused."""
    return (
        f"nests {depth} estimators one inside another (at most {MAX_ESTIMATOR_NESTING}): "
        "scikit-learn's printing (repr, a notebook's display) doubles its work per level"
    )


def components(root: int, edges: dict[int, list[int]]) -> tuple[dict[int, int], list[list[int]]]:
    """The strongly connected components of what ``root`` reaches through ``edges`` (Tarjan's
    algorithm, iterative): each node's component number, and the components in reverse
    topological order (a component comes before every component that has an edge into it).
    A cycle anywhere (a spare attribute pointing back at a union) is one component, so walks
    over the result never meet a node before all that reaches it (rt36-10, rt36-12). A leaf
    (no entry in ``edges``: an empty container, a list of numbers) is its own component as
    soon as it is met, without a frame of its own."""
    index: dict[int, int] = {root: 0}
    low: dict[int, int] = {root: 0}
    stack: list[int] = [root]
    on_stack: set[int] = {root}
    comp: dict[int, int] = {}
    order: list[list[int]] = []
    frames: list[tuple[int, int]] = [(root, 0)]
    while frames:
        node, i = frames[-1]
        kids = edges.get(node, ())
        if i < len(kids):
            frames[-1] = (node, i + 1)
            kid = kids[i]
            if kid not in index:
                index[kid] = low[kid] = len(index)
                if kid not in edges:  # a leaf: a component of its own, done at once
                    comp[kid] = len(order)
                    order.append([kid])
                    continue
                stack.append(kid)
                on_stack.add(kid)
                frames.append((kid, 0))
            elif kid in on_stack:
                low[node] = min(low[node], index[kid])
            continue
        frames.pop()
        if frames:
            parent = frames[-1][0]
            low[parent] = min(low[parent], low[node])
        if low[node] == index[node]:
            members: list[int] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                comp[member] = len(order)
                members.append(member)
                if member == node:
                    break
            order.append(members)
    return comp, order


Components = tuple[dict[int, int], list[list[int]]]


def path_counts(
    root: int,
    edges: dict[int, list[int]],
    cap: int = 1 << 40,
    comps: Components | None = None,
) -> dict[int, int]:
    """How many paths from ``root`` reach each node of the graph ``edges`` (node id -> child
    ids; an edge twice counts twice), saturating at ``cap``: how often a recursive method
    (``get_feature_names_out`` over a union's branches) meets it.

    Counted over the components of the graph (:func:`components`) in topological order, so
    that a cycle cannot stop the count (rt36-10: an in-edge of the root from a spare attribute
    left every node at 1). Inside a component of several nodes a path may take any of each
    member's edges within it, once per member: the paths that enter it are multiplied by the
    product of its members' out-degrees inside it, an upper bound of the simple paths between
    any two of its members (a cycle of single edges multiplies by 1). ``comps``: what
    :func:`components` gave for the same ``root`` and ``edges``, when the caller has it."""
    comp, order = comps if comps is not None else components(root, edges)
    entering: dict[int, int] = {comp[root]: 1}
    counts: dict[int, int] = {}
    for number in range(len(order) - 1, -1, -1):
        members = order[number]
        here = entering.get(number, 0)
        if len(members) > 1 or any(comp.get(k) == number for k in edges.get(members[0], ())):
            factor = 1
            for member in members:
                inside = sum(1 for k in edges.get(member, ()) if comp[k] == number)
                factor = min(cap, factor * max(1, inside))
            here = min(cap, here * factor)
        here = max(1, here)
        for member in members:
            counts[member] = here
        for member in members:
            for kid in edges.get(member, ()):
                target = comp[kid]
                if target != number:
                    entering[target] = min(cap, entering.get(target, 0) + here)
    return counts


def sharing_cap(objects: int, references: int) -> int:
    """The most a recursive walk may meet, of a graph of ``objects`` counted objects and
    ``references`` references between its objects: proportional to the graph's own size, so
    that a walk within it is linear in the file. An exponential DAG (each level referencing
    the one below twice) unfolds into 2**k from 2k references; a flat list repeating one leaf
    (a date, a path) is met once per reference, which is its size (rt28-16)."""
    return SHARING_FACTOR * (objects + references) + SHARING_SLACK


def first_over_cap(
    roots: list[int], edges: dict[int, list[int]], counted: Container[int], cap: int
) -> int | None:
    """The first of ``roots`` from which a recursive walk (one that does not remember what it
    has seen, as repr, clone and get_params do) would meet more than ``cap`` of the ``counted``
    nodes, or ``None``. Counted without unfolding: a post-order pass over the graph ``edges``
    (node id -> child ids), sums saturating at ``cap + 1``; an edge back into the current path
    (a cycle) counts nothing, as ``repr`` prints it once.

    A node's sum is kept for reuse only when its walk met no node above it on the current
    path: ``B``'s sum counted inside ``A`` (with ``B -> A`` a cycle) leaves ``A`` out, but
    ``B`` walked on its own meets ``A`` and all it holds, so such a sum is walked again
    wherever ``B`` is met (rt30-01: a cycle hid a shared container's contents). Only nodes on a
    cycle are walked again, and each walk stops past ``cap``."""
    done: dict[int, int] = {}  # node -> its sum, where it holds anywhere
    for root in roots:
        if _unfolded_from(root, edges, counted, cap, done) > cap:
            return root
    return None


#: ``_unfolded_from``'s "met no node above it on the path"
_NONE_MET = 1 << 30


def _unfolded_from(
    root: int, edges: dict[int, list[int]], counted: Container[int], cap: int, done: dict[int, int]
) -> int:
    """:func:`first_over_cap`'s sum from ``root``: an explicit stack of frames ``[node, next
    child, sum, shallowest depth met above]``, one per node on the path (``depth``)."""
    if root in done:
        return done[root]
    depth: dict[int, int] = {root: 0}
    frames: list[list[int]] = [[root, 0, 1 if root in counted else 0, _NONE_MET]]
    result = 0
    while frames:
        frame = frames[-1]
        node, i = frame[0], frame[1]
        kids = edges.get(node, ())
        if i < len(kids) and frame[2] <= cap:
            frame[1] = i + 1
            kid = kids[i]
            known = done.get(kid)
            if known is not None:
                frame[2] += known
            elif kid in depth:  # a cycle back to a node on the path: counts nothing
                frame[3] = min(frame[3], depth[kid])
            else:
                depth[kid] = len(frames)
                frames.append([kid, 0, 1 if kid in counted else 0, _NONE_MET])
            continue
        frames.pop()
        total, low = min(frame[2], cap + 1), frame[3]
        del depth[node]
        if low >= len(frames):  # met nothing above it: its sum holds wherever it is met
            done[node] = total
            low = _NONE_MET
        if not frames:
            result = total
            break
        parent = frames[-1]
        parent[2] += total
        parent[3] = min(parent[3], low)
    return result


#: The most estimators one chain of estimators holding estimators may have. scikit-learn's
#: pretty-printer (``repr``, a notebook's ``_repr_html_``) about doubles its work per level:
#: 24 pipelines each holding the next, 2.6 KB, never finished printing (rt31-08); 12 levels
#: take about 2 s. Honest models nest a search, a pipeline, a column transformer, a pipeline
#: and a meta-estimator: half that.
MAX_ESTIMATOR_NESTING = 12


def deepest_nesting(
    root: int,
    edges: dict[int, list[int]],
    counted: Container[int],
    comps: Components | None = None,
) -> int:
    """At least the most ``counted`` nodes on one path from ``root`` through ``edges`` that
    visits no node twice: over the graph's components (:func:`components`), a component
    counts all the counted nodes it holds, since one path may pass through every member of a
    cycle. A depth memoised per node was cut short by a cycle through a node's own
    descendant (rt36-12: measured 12, really 22). ``comps`` as for :func:`path_counts`."""
    comp, order = comps if comps is not None else components(root, edges)
    below: list[int] = []
    for number, members in enumerate(order):  # sinks first: every successor is done
        deepest = 0
        for member in members:
            for kid in edges.get(member, ()):
                target = comp[kid]
                if target != number:
                    deepest = max(deepest, below[target])
        below.append(deepest + sum(1 for member in members if member in counted))
    return below[comp[root]] if order else 0
