/*
 * safeload._treecheck: one pass over a scikit-learn decision tree's node records.
 *
 * trust/structures/trees.py, trees_all_valid checks every tree of a forest after the unpickler built it and
 * before the model is returned: children point forward and inside the array, every node but
 * the root has exactly one parent, split features are in range and leaves' are -2,
 * missing_go_to_left is 0 or 1,
 * and the stored max_depth is the tree's real depth. Its numpy version makes about thirty passes
 * over copies of the node fields plus one call of scikit-learn's compute_node_depths per tree;
 * this does the same in one pass over the records in place, reading them and writing only
 * its own scratch array.
 *
 * It never gives a verdict of its own. On False the caller checks each tree with the
 * numpy code that names the problem (trees.check_tree); on True the tree passed the
 * same rules, which tests/test_treecheck.py holds equal to the numpy code on fitted and damaged
 * trees. Only the layout is trusted to the caller (field offsets inside the record, native
 * little-endian int64 and uint8 fields), and even that is bounds-checked here.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int64_t read_i64(const unsigned char *p) {
    int64_t v;
    memcpy(&v, p, sizeof v); /* records need not be 8-byte aligned */
    return v;
}

/* 1 if the nodes form a valid tree, 0 if not, -1 when the scratch array cannot be allocated.
 * Runs without the GIL: it touches no Python object. */
static int check_nodes(const unsigned char *base, Py_ssize_t count, Py_ssize_t itemsize,
                       Py_ssize_t off_left, Py_ssize_t off_right, Py_ssize_t off_feature,
                       Py_ssize_t off_missing, int64_t n_features, int64_t max_depth) {
    /* depth[i] is node i's depth counting the root as 1 (as compute_node_depths does); 0
     * means no parent seen yet. A node's parent comes before it, so its depth is known by
     * the time the loop reaches it. */
    uint32_t *depth = (uint32_t *)calloc((size_t)count, sizeof(uint32_t));
    if (depth == NULL) {
        return -1;
    }
    int ok = 1;
    uint32_t deepest = 0;
    depth[0] = 1;
    for (Py_ssize_t i = 0; i < count; i++) {
        const unsigned char *rec = base + i * itemsize;
        uint32_t d = depth[i];
        if (d == 0) { /* no parent: not reachable from the root */
            ok = 0;
            break;
        }
        if (off_missing >= 0 && rec[off_missing] > 1) {
            ok = 0;
            break;
        }
        if (d > deepest) {
            deepest = d;
        }
        int64_t left = read_i64(rec + off_left);
        int64_t right = read_i64(rec + off_right);
        if (left == -1 && right == -1) {
            /* a leaf: no children, and TREE_UNDEFINED (-2) as its feature, which the export
             * functions read to tell leaves from splits */
            if (read_i64(rec + off_feature) != -2) {
                ok = 0;
                break;
            }
            continue;
        }
        /* internal: both children after this node and inside the array */
        if (left <= (int64_t)i || left >= (int64_t)count || right <= (int64_t)i ||
            right >= (int64_t)count) {
            ok = 0;
            break;
        }
        int64_t feature = read_i64(rec + off_feature);
        if (feature < 0 || feature >= n_features) {
            ok = 0;
            break;
        }
        /* one parent each: a child already given a depth has another parent (or is the
         * other child of this node) */
        if (depth[left] != 0) {
            ok = 0;
            break;
        }
        depth[left] = d + 1;
        if (depth[right] != 0) {
            ok = 0;
            break;
        }
        depth[right] = d + 1;
    }
    free(depth);
    /* decision_path sizes its buffer from max_depth: it must equal the real depth */
    if (ok && (int64_t)deepest - 1 != max_depth) {
        ok = 0;
    }
    return ok;
}

PyDoc_STRVAR(nodes_ok_doc,
             "nodes_ok(nodes, count, itemsize, left, right, feature, missing, n_features, "
             "max_depth) -> bool\n\n"
             "Whether ``count`` node records of ``itemsize`` bytes in the contiguous buffer\n"
             "``nodes`` form a valid scikit-learn tree: children after their parent and inside\n"
             "the array (a leaf has -1 for both and -2 as its feature), one parent per node but\n"
             "the root, split features in [0, n_features), missing_go_to_left 0 or 1 (``missing`` is its\n"
             "offset, or -1 when the records have no such field), and the real depth equal to\n"
             "``max_depth``. ``left``, ``right``, ``feature`` are offsets of native int64\n"
             "fields in a record. False for anything else, including a layout that does not\n"
             "fit the buffer.");

static PyObject *nodes_ok(PyObject *self, PyObject *args) {
    Py_buffer view;
    Py_ssize_t count, itemsize, off_left, off_right, off_feature, off_missing;
    long long n_features, max_depth;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*nnnnnnLL:nodes_ok", &view, &count, &itemsize, &off_left,
                          &off_right, &off_feature, &off_missing, &n_features, &max_depth)) {
        return NULL;
    }
    int ok = 1;
    if (count < 1 || count >= (Py_ssize_t)UINT32_MAX || itemsize < 8 ||
        count > view.len / itemsize || n_features < 1 || max_depth < 0) {
        ok = 0;
    }
    Py_ssize_t offsets[3] = {off_left, off_right, off_feature};
    for (int k = 0; k < 3; k++) {
        if (offsets[k] < 0 || offsets[k] > itemsize - 8) {
            ok = 0;
        }
    }
    if (off_missing < -1 || off_missing >= itemsize) {
        ok = 0;
    }
    if (ok) {
        Py_BEGIN_ALLOW_THREADS;
        ok = check_nodes((const unsigned char *)view.buf, count, itemsize, off_left, off_right,
                         off_feature, off_missing, (int64_t)n_features, (int64_t)max_depth);
        Py_END_ALLOW_THREADS;
    }
    PyBuffer_Release(&view);
    if (ok < 0) {
        return PyErr_NoMemory();
    }
    return PyBool_FromLong(ok);
}

static PyMethodDef methods[] = {
    {"nodes_ok", nodes_ok, METH_VARARGS, nodes_ok_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "safeload._treecheck",
    "One-pass check of a scikit-learn tree's node records (see trust/structures/trees.py, trees_all_valid).", -1,
    methods,
};

PyMODINIT_FUNC PyInit__treecheck(void) { return PyModule_Create(&module); }
