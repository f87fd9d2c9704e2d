/* khabar's compiled kernels: the loops that dominated the per-article stages
 * once the rest was C already (str.split, dict lookups, regexes), each giving
 * the same results as its Python or numpy definition:
 *
 *   minhash_signature  MinHasher.signature_numpy
 *   chunk_shingles     minhash.text_shingles32_numpy
 *   chunk_tokens       gazetteer.tokenize_python
 *   flag_positions     entities.flag_positions
 *   gazetteer_matches  Gazetteer.match_at over a page's positions
 *   line_counts        page_lines.line_counts_python
 *
 * transforms/runtime/native.py loads this module when it was built; each caller
 * falls back to its definition when it was not, and tests/test_native.py
 * compares the two, down to a whole run's tables. setup.py builds it as an
 * optional extension.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

/* The signature loop vectorizes: GCC builds it for AVX-512 (x86-64-v4: 64-bit
 * lane products), AVX2 and plain x86-64, and the loader picks one for the
 * processor (timings in docs/performance.md). */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define VECTOR_CLONES
#endif

#define MERSENNE ((UINT64_C(1) << 61) - 1)
#define MAX32 UINT64_C(0xFFFFFFFF)

VECTOR_CLONES
static void signature_loop(const uint32_t *xs, Py_ssize_t count, const uint64_t *as, const uint64_t *bs, Py_ssize_t perms, uint64_t *best) {
    for (Py_ssize_t j = 0; j < perms; j++) {
        best[j] = MAX32;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        const uint64_t x = xs[i];
        for (Py_ssize_t j = 0; j < perms; j++) {
            uint64_t v = x * as[j] + bs[j]; /* wraps mod 2^64, as numpy's uint64 does */
            v = (v & MERSENNE) + (v >> 61);
            if (v >= MERSENNE) {
                v -= MERSENNE;
            }
            v &= MAX32;
            best[j] = v < best[j] ? v : best[j];
        }
    }
}

/* minhash_signature(shingles, a, b) -> bytes
 *
 * shingles: uint32 values (any order, repeats allowed: a minimum ignores
 * both); a, b: uint64 coefficients, one pair a permutation. The result is
 * num_perm native uint32 values, value j = min over x of
 * ((x * a[j] + b[j]) mod 2^64 mod (2^61 - 1)) & 0xFFFFFFFF, all 0xFFFFFFFF
 * for no shingles: MinHasher.signature's definition.
 */
static PyObject *minhash_signature(PyObject *self, PyObject *args) {
    Py_buffer shingles, a, b;
    if (!PyArg_ParseTuple(args, "y*y*y*", &shingles, &a, &b)) {
        return NULL;
    }
    PyObject *result = NULL;
    if (shingles.len % 4 != 0 || a.len % 8 != 0 || a.len != b.len) {
        PyErr_SetString(PyExc_ValueError, "shingles must be uint32 values and a, b uint64 values of one length");
        goto done;
    }
    Py_ssize_t count = shingles.len / 4, perms = a.len / 8;
    result = PyBytes_FromStringAndSize(NULL, perms * 4);
    if (result == NULL) {
        goto done;
    }
    uint32_t *out = (uint32_t *)PyBytes_AS_STRING(result);
    uint64_t *best = PyMem_Malloc(perms * sizeof(uint64_t) + 1);
    if (best == NULL) {
        Py_CLEAR(result);
        PyErr_NoMemory();
        goto done;
    }
    const uint32_t *xs = shingles.buf;
    const uint64_t *as = a.buf, *bs = b.buf;
    Py_BEGIN_ALLOW_THREADS
    signature_loop(xs, count, as, bs, perms, best);
    for (Py_ssize_t j = 0; j < perms; j++) {
        out[j] = (uint32_t)best[j];
    }
    Py_END_ALLOW_THREADS
    PyMem_Free(best);
done:
    PyBuffer_Release(&shingles);
    PyBuffer_Release(&a);
    PyBuffer_Release(&b);
    return result;
}

/* cache[key], else miss(arg), which stores it: a new reference, NULL on an error. */
static PyObject *cached_or_computed(PyObject *cache, PyObject *key, PyObject *miss, PyObject *arg) {
    PyObject *found = PyDict_GetItemWithError(cache, key); /* borrowed */
    if (found != NULL) {
        Py_INCREF(found);
        return found;
    }
    return PyErr_Occurred() ? NULL : PyObject_CallOneArg(miss, arg);
}

/* Appends start + offsets[k] for each k to out (a list). */
static int append_offsets(PyObject *out, Py_ssize_t start, PyObject *offsets) {
    Py_ssize_t n = PyTuple_GET_SIZE(offsets);
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_ssize_t offset = PyLong_AsSsize_t(PyTuple_GET_ITEM(offsets, k));
        if (offset == -1 && PyErr_Occurred()) {
            return -1;
        }
        PyObject *value = PyLong_FromSsize_t(start + offset);
        if (value == NULL || PyList_Append(out, value) < 0) {
            Py_XDECREF(value);
            return -1;
        }
        Py_DECREF(value);
    }
    return 0;
}

/* chunk_tokens(text, cache, miss) -> (words, starts, ends)
 *
 * gazetteer.tokenize's loop: the text's whitespace-separated chunks
 * (str.split()), each one's (firsts, lasts, words) from cache (a dict), or
 * miss(chunk) for a chunk not in it (which stores it); the words in order
 * with their offsets in the text.
 */
static PyObject *chunk_tokens(PyObject *self, PyObject *args) {
    PyObject *text, *cache, *miss;
    if (!PyArg_ParseTuple(args, "UO!O", &text, &PyDict_Type, &cache, &miss)) {
        return NULL;
    }
    PyObject *chunks = PyUnicode_Split(text, NULL, -1);
    if (chunks == NULL) {
        return NULL;
    }
    PyObject *words = PyList_New(0), *starts = PyList_New(0), *ends = PyList_New(0), *result = NULL;
    if (words == NULL || starts == NULL || ends == NULL) {
        goto done;
    }
    Py_ssize_t length = PyUnicode_GET_LENGTH(text), end = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(chunks); i++) {
        PyObject *chunk = PyList_GET_ITEM(chunks, i);
        /* only whitespace lies between two chunks: the first occurrence after the last one is this one */
        Py_ssize_t start = PyUnicode_Find(text, chunk, end, length, 1);
        if (start < 0) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_RuntimeError, "a chunk of the text was not found in it");
            }
            goto done;
        }
        end = start + PyUnicode_GET_LENGTH(chunk);
        PyObject *found = cached_or_computed(cache, chunk, miss, chunk);
        if (found == NULL) {
            goto done;
        }
        if (!PyTuple_Check(found) || PyTuple_GET_SIZE(found) != 3) {
            PyErr_SetString(PyExc_TypeError, "a chunk's value must be (firsts, lasts, words)");
            Py_DECREF(found);
            goto done;
        }
        PyObject *firsts = PyTuple_GET_ITEM(found, 0), *lasts = PyTuple_GET_ITEM(found, 1), *chunk_words = PyTuple_GET_ITEM(found, 2);
        int failed = !PyTuple_Check(firsts) || !PyTuple_Check(lasts) || !PyTuple_Check(chunk_words) ||
                     PyTuple_GET_SIZE(firsts) != PyTuple_GET_SIZE(chunk_words) || PyTuple_GET_SIZE(lasts) != PyTuple_GET_SIZE(chunk_words);
        if (failed) {
            PyErr_SetString(PyExc_TypeError, "a chunk's value must be three tuples of one length");
        } else {
            failed = append_offsets(starts, start, firsts) < 0 || append_offsets(ends, start, lasts) < 0;
            for (Py_ssize_t k = 0; !failed && k < PyTuple_GET_SIZE(chunk_words); k++) {
                failed = PyList_Append(words, PyTuple_GET_ITEM(chunk_words, k)) < 0;
            }
        }
        Py_DECREF(found);
        if (failed) {
            goto done;
        }
    }
    result = PyTuple_Pack(3, words, starts, ends);
done:
    Py_DECREF(chunks);
    Py_XDECREF(words);
    Py_XDECREF(starts);
    Py_XDECREF(ends);
    return result;
}

/* flag_positions(words, key, cache, miss, count) -> list of count lists
 *
 * entities._Page.of's loop: list b holds, in order, the indices of the words
 * whose flag indices (cache[word.<key>], or miss(word) for a word not in the
 * cache, which stores it) include b.
 */
static PyObject *flag_positions(PyObject *self, PyObject *args) {
    PyObject *words, *key, *cache, *miss;
    Py_ssize_t count;
    if (!PyArg_ParseTuple(args, "O!UO!On", &PyList_Type, &words, &key, &PyDict_Type, &cache, &miss, &count)) {
        return NULL;
    }
    if (count < 0) {
        PyErr_SetString(PyExc_ValueError, "count must not be negative");
        return NULL;
    }
    PyObject *lists = PyList_New(count);
    if (lists == NULL) {
        return NULL;
    }
    for (Py_ssize_t b = 0; b < count; b++) {
        PyObject *list = PyList_New(0);
        if (list == NULL) {
            Py_DECREF(lists);
            return NULL;
        }
        PyList_SET_ITEM(lists, b, list);
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(words); i++) {
        PyObject *word = PyList_GET_ITEM(words, i);
        PyObject *raw = PyObject_GetAttr(word, key);
        if (raw == NULL) {
            goto fail;
        }
        PyObject *bits = cached_or_computed(cache, raw, miss, word);
        Py_DECREF(raw);
        if (bits == NULL) {
            goto fail;
        }
        if (!PyTuple_Check(bits)) {
            PyErr_SetString(PyExc_TypeError, "a word's flags must be a tuple of indices");
            Py_DECREF(bits);
            goto fail;
        }
        int failed = 0;
        PyObject *index = NULL;
        for (Py_ssize_t k = 0; !failed && k < PyTuple_GET_SIZE(bits); k++) {
            Py_ssize_t b = PyLong_AsSsize_t(PyTuple_GET_ITEM(bits, k));
            if (b < 0 || b >= count) {
                if (!PyErr_Occurred()) {
                    PyErr_SetString(PyExc_IndexError, "a flag index out of range");
                }
                failed = 1;
                break;
            }
            if (index == NULL && (index = PyLong_FromSsize_t(i)) == NULL) {
                failed = 1;
                break;
            }
            failed = PyList_Append(PyList_GET_ITEM(lists, b), index) < 0;
        }
        Py_XDECREF(index);
        Py_DECREF(bits);
        if (failed) {
            goto fail;
        }
    }
    return lists;
fail:
    Py_DECREF(lists);
    return NULL;
}

/* chunk_shingles(text, cache, miss, k) -> bytes
 *
 * minhash.text_shingles32: the text's word hashes (per whitespace-separated
 * chunk, a tuple of uint64 ints from cache, a dict, or miss(chunk) for a
 * chunk not in it, which stores it), then the hashes of the consecutive
 * k-windows, h = h * 0x9E3779B97F4A7C15 + next mod 2^64 (one window of all
 * the words when fewer), low 32 bits, as native uint32 values.
 */
static PyObject *chunk_shingles(PyObject *self, PyObject *args) {
    PyObject *text, *cache, *miss;
    Py_ssize_t k;
    if (!PyArg_ParseTuple(args, "UO!On", &text, &PyDict_Type, &cache, &miss, &k)) {
        return NULL;
    }
    if (k < 1) {
        PyErr_SetString(PyExc_ValueError, "k must be at least 1");
        return NULL;
    }
    PyObject *chunks = PyUnicode_Split(text, NULL, -1);
    if (chunks == NULL) {
        return NULL;
    }
    PyObject *result = NULL;
    Py_ssize_t used = 0, size = PyList_GET_SIZE(chunks) + 16;
    uint64_t *hashes = PyMem_Malloc(size * sizeof(uint64_t));
    if (hashes == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(chunks); i++) {
        PyObject *chunk = PyList_GET_ITEM(chunks, i);
        PyObject *found = cached_or_computed(cache, chunk, miss, chunk);
        if (found == NULL) {
            goto done;
        }
        if (!PyTuple_Check(found)) {
            PyErr_SetString(PyExc_TypeError, "a chunk's value must be a tuple of word hashes");
            Py_DECREF(found);
            goto done;
        }
        Py_ssize_t n = PyTuple_GET_SIZE(found);
        if (used + n > size) {
            size = 2 * (used + n);
            uint64_t *grown = PyMem_Realloc(hashes, size * sizeof(uint64_t));
            if (grown == NULL) {
                Py_DECREF(found);
                PyErr_NoMemory();
                goto done;
            }
            hashes = grown;
        }
        int failed = 0;
        for (Py_ssize_t j = 0; j < n; j++) {
            uint64_t value = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(found, j));
            if (value == (uint64_t)-1 && PyErr_Occurred()) {
                failed = 1;
                break;
            }
            hashes[used++] = value;
        }
        Py_DECREF(found);
        if (failed) {
            goto done;
        }
    }
    Py_ssize_t window = k < used ? k : used, count = used ? used - window + 1 : 0;
    result = PyBytes_FromStringAndSize(NULL, count * 4);
    if (result == NULL) {
        goto done;
    }
    uint32_t *out = (uint32_t *)PyBytes_AS_STRING(result);
    for (Py_ssize_t i = 0; i < count; i++) {
        uint64_t h = hashes[i];
        for (Py_ssize_t j = 1; j < window; j++) {
            h = h * UINT64_C(0x9E3779B97F4A7C15) + hashes[i + j];
        }
        out[i] = (uint32_t)h;
    }
done:
    PyMem_Free(hashes);
    Py_DECREF(chunks);
    return result;
}

/* Whether tokens[i + k].form == names[k] for k in 1..n-1. */
static int names_follow(PyObject *tokens, Py_ssize_t i, PyObject *names, PyObject *form_name) {
    for (Py_ssize_t k = 1; k < PyTuple_GET_SIZE(names); k++) {
        PyObject *form = PyObject_GetAttr(PyList_GET_ITEM(tokens, i + k), form_name);
        if (form == NULL) {
            return -1;
        }
        int same = PyObject_RichCompareBool(form, PyTuple_GET_ITEM(names, k), Py_EQ);
        Py_DECREF(form);
        if (same != 1) {
            return same;
        }
    }
    return 1;
}

/* gazetteer_matches(tokens, positions, index) -> list of (i, offset, n, entry)
 *
 * Gazetteer.match_at at each position i, in order: for each (offset, stem)
 * of tokens[i].stems, the first (names, entry) of index[stem] (longest
 * names first) whose n names are tokens[i].stem and the forms of the n - 1
 * tokens after it.
 */
static PyObject *gazetteer_matches(PyObject *self, PyObject *args) {
    PyObject *tokens, *positions, *index;
    if (!PyArg_ParseTuple(args, "O!O!O!", &PyList_Type, &tokens, &PyList_Type, &positions, &PyDict_Type, &index)) {
        return NULL;
    }
    static PyObject *stems_name = NULL, *form_name = NULL;
    if (stems_name == NULL && (stems_name = PyUnicode_InternFromString("stems")) == NULL) {
        return NULL;
    }
    if (form_name == NULL && (form_name = PyUnicode_InternFromString("form")) == NULL) {
        return NULL;
    }
    PyObject *found = PyList_New(0);
    if (found == NULL) {
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(tokens);
    for (Py_ssize_t p = 0; p < PyList_GET_SIZE(positions); p++) {
        Py_ssize_t i = PyLong_AsSsize_t(PyList_GET_ITEM(positions, p));
        if (i == -1 && PyErr_Occurred()) {
            goto fail;
        }
        if (i < 0 || i >= count) {
            PyErr_SetString(PyExc_IndexError, "a position outside the tokens");
            goto fail;
        }
        PyObject *stems = PyObject_GetAttr(PyList_GET_ITEM(tokens, i), stems_name);
        if (stems == NULL) {
            goto fail;
        }
        if (!PyTuple_Check(stems)) {
            PyErr_SetString(PyExc_TypeError, "a word's stems must be a tuple");
            Py_DECREF(stems);
            goto fail;
        }
        int failed = 0;
        for (Py_ssize_t s = 0; !failed && s < PyTuple_GET_SIZE(stems); s++) {
            PyObject *pair = PyTuple_GET_ITEM(stems, s);
            if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
                PyErr_SetString(PyExc_TypeError, "a stem must be (offset, stem)");
                failed = 1;
                break;
            }
            PyObject *bucket = PyDict_GetItemWithError(index, PyTuple_GET_ITEM(pair, 1)); /* borrowed */
            if (bucket == NULL) {
                failed = PyErr_Occurred() != NULL;
                continue;
            }
            if (!PyList_Check(bucket)) {
                PyErr_SetString(PyExc_TypeError, "an index bucket must be a list");
                failed = 1;
                break;
            }
            for (Py_ssize_t b = 0; b < PyList_GET_SIZE(bucket); b++) {
                PyObject *item = PyList_GET_ITEM(bucket, b);
                if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2 || !PyTuple_Check(PyTuple_GET_ITEM(item, 0))) {
                    PyErr_SetString(PyExc_TypeError, "an index entry must be (names, entry)");
                    failed = 1;
                    break;
                }
                PyObject *names = PyTuple_GET_ITEM(item, 0);
                Py_ssize_t n = PyTuple_GET_SIZE(names);
                int match = n == 1 ? 1 : (i + n <= count ? names_follow(tokens, i, names, form_name) : 0);
                if (match < 0) {
                    failed = 1;
                    break;
                }
                if (match) {
                    PyObject *row = Py_BuildValue("(nOnO)", i, PyTuple_GET_ITEM(pair, 0), n, PyTuple_GET_ITEM(item, 1));
                    failed = row == NULL || PyList_Append(found, row) < 0;
                    Py_XDECREF(row);
                    break;
                }
            }
        }
        Py_DECREF(stems);
        if (failed) {
            goto fail;
        }
    }
    return found;
fail:
    Py_DECREF(found);
    return NULL;
}

/* line_counts(texts, norms, function_words) -> list of (arabic, latin, norm, words, function_words)
 *
 * page_lines.line_counts_python: for each line, the characters of the Arabic
 * block (U+0600-U+06FF) and the ASCII letters of its text; its normalized
 * form's words joined by one space (" ".join(norm.split())) and counted; and
 * how many of those words (lower-cased when the text has a Latin letter) are
 * in function_words (a set or frozenset).
 */
static PyObject *line_counts(PyObject *self, PyObject *args) {
    PyObject *texts, *norms, *function_words;
    if (!PyArg_ParseTuple(args, "O!O!O", &PyList_Type, &texts, &PyList_Type, &norms, &function_words)) {
        return NULL;
    }
    if (!PyAnySet_Check(function_words)) {
        PyErr_SetString(PyExc_TypeError, "function_words must be a set or a frozenset");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(texts);
    if (PyList_GET_SIZE(norms) != n) {
        PyErr_SetString(PyExc_ValueError, "texts and norms must be of one length");
        return NULL;
    }
    PyObject *space = PyUnicode_FromString(" ");
    PyObject *out = PyList_New(n);
    if (space == NULL || out == NULL) {
        Py_XDECREF(space);
        Py_XDECREF(out);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *text = PyList_GET_ITEM(texts, i), *norm = PyList_GET_ITEM(norms, i);
        if (!PyUnicode_Check(text) || !PyUnicode_Check(norm)) {
            PyErr_SetString(PyExc_TypeError, "texts and norms must hold str");
            goto fail;
        }
        if (PyUnicode_READY(text) < 0) { /* a no-op since Python 3.12; a legacy string before it */
            goto fail;
        }
        Py_ssize_t length = PyUnicode_GET_LENGTH(text), arabic = 0, latin = 0;
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        for (Py_ssize_t k = 0; k < length; k++) {
            Py_UCS4 ch = PyUnicode_READ(kind, data, k);
            if (ch >= 0x600 && ch <= 0x6FF) {
                arabic++;
            } else if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')) {
                latin++;
            }
        }
        PyObject *words = PyUnicode_Split(norm, NULL, -1);
        if (words == NULL) {
            goto fail;
        }
        PyObject *looked = words; /* the words looked up: lower-cased ones for a line with Latin letters */
        if (latin > 0) {
            PyObject *lowered = PyObject_CallMethod(norm, "lower", NULL);
            looked = lowered == NULL ? NULL : PyUnicode_Split(lowered, NULL, -1);
            Py_XDECREF(lowered);
            if (looked == NULL) {
                Py_DECREF(words);
                goto fail;
            }
        }
        Py_ssize_t hits = 0;
        int failed = 0;
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(looked); k++) {
            int found = PySet_Contains(function_words, PyList_GET_ITEM(looked, k));
            if (found < 0) {
                failed = 1;
                break;
            }
            hits += found;
        }
        if (looked != words) {
            Py_DECREF(looked);
        }
        PyObject *joined = failed ? NULL : PyUnicode_Join(space, words);
        Py_ssize_t count = PyList_GET_SIZE(words);
        Py_DECREF(words);
        if (joined == NULL) {
            goto fail;
        }
        PyObject *row = Py_BuildValue("(nnNnn)", arabic, latin, joined, count, hits);
        if (row == NULL) {
            goto fail;
        }
        PyList_SET_ITEM(out, i, row);
    }
    Py_DECREF(space);
    return out;
fail:
    Py_DECREF(space);
    Py_DECREF(out);
    return NULL;
}

static PyMethodDef methods[] = {
    {"minhash_signature", minhash_signature, METH_VARARGS, "MinHash signature (uint32 bytes) of uint32 shingles under uint64 coefficients a, b."},
    {"chunk_tokens", chunk_tokens, METH_VARARGS, "(words, starts, ends) of a text's chunks, their values cached in a dict."},
    {"flag_positions", flag_positions, METH_VARARGS, "Per flag index, the indices of the words that carry it."},
    {"chunk_shingles", chunk_shingles, METH_VARARGS, "uint32 hashes (bytes) of a text's k-word shingles, word hashes cached per chunk."},
    {"gazetteer_matches", gazetteer_matches, METH_VARARGS, "(i, offset, n, entry) of the gazetteer names starting at the positions."},
    {"line_counts", line_counts, METH_VARARGS, "(arabic, latin, norm, words, function words) of each of a page's lines."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "khabar.transforms.runtime._native", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
