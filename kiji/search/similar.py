"""Similar articles, from the search index's text: each article is tokenized once, by the index.

SearchDocument holds Sudachi's normalized title, body and compound parts; this module only
counts those tokens into weighted vectors:

- term frequency saturated as in BM25 (K1, length normalization B): a word said ten times
  counts about twice as much as a word said once, not ten times;
- a title word counts TITLE_WEIGHT times, a compound's short-unit part PARTS_WEIGHT times;
- idf = log(N / df) ** IDF_POWER, terms in fewer than MIN_DF articles dropped (they cannot
  make two articles similar, only weigh down the norm), no upper df cut: a word shared by
  hundreds of articles (a team, a product line) is what ties an article to its topic;
- terms are Sudachi's words and each pair of adjacent words (金融_政策, 日本_シリーズ): the pairs
  keep phrases a bag of words loses (0.903 -> 0.912 same-channel share, for a larger vocabulary);
- rows L2-normalized, so a dot product is the cosine.

The score of a candidate adds to that cosine the cosine of both articles in a TOPICS-dimension
latent space (truncated SVD of the matrix, "LSA": two articles about the same subject in other
words still meet), then SHARED_WEIGHT times the share of their SHARED_K nearest neighbours they
have in common. On livedoor (bench/related_quality.py, same-channel share of 8 items, words
only): term cosine alone 0.870, + topics 0.900, + shared neighbours 0.903.

Neighbours of all articles are sought among a bounded pool, not among all N (which made the full
rebuild N x N): the latent vectors are grouped into clusters of about CLUSTER_SIZE articles
(spherical k-means trained on a sample), and the articles of one cluster are scored (term + topic
cosine, chunked sparse products, each chunk keeping its CANDIDATES best by argpartition) against the
articles of at most POOL clusters: those most often among its articles' PROBES nearest (same-channel
share on livedoor 0.911, exact all-pairs 0.912; bench/related_quality.py --search). The work per
article is then bounded, so the rebuild grows ~linearly with the archive (only the assignment to
clusters is N x N / CLUSTER_SIZE, a 64-float product). A site with at most PROBES clusters is searched
exactly. Each cluster is the unit of work of a Rebuild, which saves the model and every finished unit
to a folder, so a killed rebuild continues where it stopped.

The fit's memory does not grow with the matrix (bench/RESULTS.md, "Also-read rebuild, bounded
memory"): the documents are read once, their counts written to a temporary file BLOCK articles at a
time; the topics (the SVD) are fitted on at most SAMPLE articles spread evenly over the archive (at
most the columns they hold), and every article is then weighted and projected on them a block at a
time (fold-in; a site of at most SAMPLE articles has its topics fitted on all of them, as before).
The weighted vectors stay on disk (RowStore), rows in cluster order, so a unit reads its pool's
clusters in 16 reads; what the model holds per article is its topic vector, its clusters and its
neighbourhood (two arrays of CANDIDATES), under 1 KB.

One new or edited article (the scheduler's round) is scored like the articles of a rebuild: its topic vector goes to the nearest cluster, and it is scored against the pool of that
cluster's unit (at most POOL clusters), so its cost does not grow with the archive; the neighbourhoods
its re-ranking reads are computed only for the units holding its candidates when the model has none
yet. Its nearest neighbours (RECIPROCAL of them) get it in their lists at once: the score is the same
from both sides. numpy and scipy are imported inside the functions: only the background job and
commands that build lists load them, never a web worker.
"""

import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

TITLE_WEIGHT = 6.0  # a title word counts as this many body words
PARTS_WEIGHT = 0.0  # short-unit parts of compounds (興行収入 -> 興行, 収入): 0.5 0.902, 1.0 0.900, off 0.903
K1 = 0.6  # BM25 term-frequency saturation (livedoor: 0.6 > 1.2 > 3)
B = 0.5  # BM25 length normalization (0: none, 1: full)
IDF_POWER = 0.4  # flattened idf: rare names must not drown the topic words (1.0: 0.836, 0.4: 0.870)
MIN_DF = 2  # a term must occur in at least this many articles to count
TOPICS = 64  # latent dimensions (64, 100 and 128 score alike; 64 is the fastest)
TOPIC_WEIGHT = 1.0  # weight of the latent-space cosine beside the term cosine
CANDIDATES = 50  # candidates per article re-ranked by shared neighbours
SHARED_K = 30  # neighbourhood size compared for shared neighbours
SHARED_WEIGHT = 0.5
CHUNK = 512  # rows per matrix product
CLUSTER_SIZE = 256  # articles per cluster of the latent space: the full rebuild's unit of work
PROBES = 8  # clusters each article's neighbours are sought in (its own and the nearest others)
POOL = 16  # at most this many clusters scored per unit: those most often among its articles' probes
KMEANS_SAMPLE = 40  # articles per cluster the clusters are trained on
KMEANS_ROUNDS = 8
RECIPROCAL = 10  # a new or edited article's nearest neighbours whose lists it enters at once
BLOCK = 4096  # rows per block of the model's passes (bounded temporaries)
SAMPLE = 20000  # at most this many articles, evenly spread, the topics (SVD) are fitted on
REBUILD_MAX_AGE = 86400  # seconds: an interrupted rebuild older than this starts over

Document = tuple[int, str, str, str]  # (pk, title, body, parts): space-separated tokens


def words_and_pairs(text: str) -> list[str]:
    """The index's words and each pair of adjacent words."""
    words = text.split()
    return words + [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]


@dataclass
class Model:
    """Weighted, L2-normalized term vectors of many articles (one row per pk) and their topics."""

    pks: object  # numpy int64 array: row -> article pk
    vocabulary: dict  # term -> column
    idf: object  # numpy float32 array per column
    avg_length: float  # mean weighted document length (BM25 length normalization)
    matrix: object = None  # RowStore (on disk) of the weighted vectors, rows L2-normalized
    topics: object = None  # numpy (columns, TOPICS), C-contiguous: projection to the latent space
    latent: object = None  # numpy (rows, TOPICS), rows L2-normalized
    analyzer: Callable[[str], list[str]] = words_and_pairs
    _near: object = field(default_factory=list)  # _Near: per row (candidate rows, scores), best first; None: not yet
    _transposed: object = None  # matrix.T as CSR, built once (exact sites: every product needs it)
    _units: list | None = None
    probes: object = None  # numpy (rows, PROBES): each row's nearest clusters, its own first (None: exact)
    centroids: object = None  # numpy (clusters, TOPICS): the clusters' unit centres (None: exact)
    _unit_of: object = None  # numpy: cluster -> its unit, -1 for a cluster without articles
    _pool_clusters: list | None = None  # per unit: the clusters of its pool
    _by_cluster: object = None  # numpy: each cluster's first position in the store (cluster order)
    _updated: dict = field(default_factory=dict)  # pk -> its list as updated since the model was built

    def __len__(self):
        return len(self.pks)

    def similar_all(self, *, limit: int = 30) -> dict[int, list[tuple[int, float]]]:
        """{pk: [(pk, score)] best first} for every article of the model."""
        return self.similar_rows(range(len(self)), limit=limit)

    def similar_rows(self, rows: Iterable[int], *, limit: int = 30) -> dict[int, list[tuple[int, float]]]:
        """{pk: [(pk, score)] best first} for the given rows of the model."""
        import numpy as np

        rows = list(rows)
        near = self._neighbourhoods(rows)
        near = self._neighbourhoods(
            np.unique(np.concatenate([near[row][0] for row in rows] or [[]])).astype(int).tolist()
        )
        return {int(self.pks[row]): self._rerank(*near[row], near, limit) for row in rows}

    def similar_to(
        self, title: str, body: str, parts: str, *, pk: int | None = None, limit: int = 30
    ) -> list[tuple[int, float]]:
        """Neighbours of one article (new, or edited since the model was built) against the model: among
        the rows the unit of its nearest cluster is scored against (every row on a site searched
        exactly), so the work is bounded whatever the archive's size."""
        import numpy as np

        vector = _weigh(
            _to_matrix([_counts(title, body, parts, self.analyzer, self.vocabulary, False)], len(self.vocabulary)), self
        )
        latent = self._project(vector)
        unit, row = self.unit_of(latent), self.row_of(pk)
        if unit is None:
            rows, scores = _best(vector, latent, self.transposed(), self.latent, self.pks, np.asarray([row]))[0]
        else:
            pool, scores = self._score_pool(unit, vector, latent)
            skip = np.flatnonzero(pool == row)[:1] if row >= 0 else []
            best, scores = _top(scores[None, :], np.asarray([*skip, -1][:1]), self.pks[pool])[0]
            rows = pool[best]
        found = self._rerank(rows, scores, self._neighbourhoods(rows.tolist()), limit)
        if pk is not None:
            # Articles newer than the model that entered this one's list (reciprocal()) stay in it.
            newer = [(p, v) for p, v in self._updated.get(pk, []) if self.row_of(p) < 0 and p != pk]
            found = _merged(found, newer, limit)
            self._updated[pk] = found
        return found

    def reciprocal(self, pk: int, found: list[tuple[int, float]], *, limit: int = 30) -> dict[int, list]:
        """The lists of the RECIPROCAL nearest of `found` (pk's neighbours, from similar_to) that `pk`
        enters, with it at its score from their side: the same (term and topic cosines and the share of
        shared neighbours are symmetric). Until the next rebuild they also keep earlier newcomers."""
        changed = {}
        for other, score in found[:RECIPROCAL]:
            row = self.row_of(other)
            if row < 0:
                continue
            current = self._updated.get(other) or self.similar_rows([row], limit=limit)[other]
            merged = _merged([p for p in current if p[0] != pk], [(pk, score)], limit)
            if merged != current:
                self._updated[other] = changed[other] = merged
        return changed

    def unit_of(self, latent) -> int | None:
        """The unit an article of topic vector `latent` (1 x TOPICS) belongs to: its nearest cluster's
        (the nearest holding articles); None on a site searched exactly."""
        import numpy as np

        self.units()
        if latent is None or self.centroids is None:
            return None
        units = self._unit_of[np.argsort(-(self.centroids @ latent[0]), kind="stable")]
        return int(units[np.flatnonzero(units >= 0)[0]])

    def pool_of(self, latent):
        """The rows an article of topic vector `latent` is scored against: its unit's pool; None on a
        site searched exactly."""
        unit = self.unit_of(latent)
        return None if unit is None else self.units()[unit][1]

    def _score_pool(self, unit: int, vector, latent) -> tuple:
        """(rows of `unit`'s pool, their term + topic cosine with `vector`): one read and one product per
        cluster of the pool (the store holds the rows in cluster order), so the work is the pool's, not
        the archive's."""
        import numpy as np

        if self._by_cluster is None:  # each cluster's first stored position
            counts = np.bincount(self.probes[:, 0], minlength=len(self.centroids))
            self._by_cluster = np.concatenate([[0], np.cumsum(counts)])
        bounds = self._by_cluster
        dense = vector.toarray().ravel()
        rows, scores = [], []
        for c in self._pool_clusters[unit].tolist():
            members, part = self.matrix.positions(int(bounds[c]), int(bounds[c + 1]))
            rows.append(members)
            scores.append(part @ dense)
        rows, scores = np.concatenate(rows), np.concatenate(scores).astype(np.float32)
        if latent is not None:
            scores += TOPIC_WEIGHT * (self.latent[rows] @ latent[0])
        return rows, scores

    def row_of(self, pk: int | None) -> int:
        """The model's row of article `pk`, or -1 (pks are sorted: the index is read in pk order)."""
        import numpy as np

        if pk is None or not len(self):
            return -1
        row = int(np.searchsorted(self.pks, pk))
        return row if row < len(self) and self.pks[row] == pk else -1

    def transposed(self):
        # CSR, not CSC: scipy converts the right operand of a CSR product to CSR, and did so (the
        # whole matrix) for every call when this was CSC.
        if self._transposed is None:
            self._transposed = self.matrix.all().T.tocsr()  # a site searched exactly: a small one
        return self._transposed

    def _neighbourhoods(self, rows: list[int] | None = None) -> list:
        """Per row, its (candidate rows, scores); computed, unit by unit, for the units holding `rows`
        (default: every row) that have not been yet."""
        import numpy as np

        if len(self._near) != len(self):
            self._near = _Near(len(self))
        needed = range(len(self)) if rows is None else rows
        missing = [row for row in needed if self._near[row] is None]
        if missing:
            self.units()
            homes = np.zeros(len(missing), int) if self.probes is None else self._unit_of[self.probes[missing, 0]]
            for unit in np.unique(homes).tolist():
                for row, found in zip(*unit_neighbours(self, unit), strict=True):
                    self._near[row] = found
        return self._near

    def units(self) -> list:
        """The rebuild's units of work: per cluster, the rows it holds and the rows they are scored
        against (everything, in one unit, for a small site)."""
        import numpy as np

        if self._units is None:
            if self.probes is None and self.latent is not None:
                self.probes, self.centroids = _probes(self)
            if self.probes is not None and self.centroids is None:  # a checkpoint saved without them
                self.centroids = _centres(self.latent, self.probes[:, 0])
            self._units, self._pool_clusters = _units(self.probes, len(self))
            if self.probes is not None:
                self._unit_of = np.full(len(self.centroids), -1)
                homes = np.unique(self.probes[:, 0])  # _units() keeps the clusters with articles, in order
                self._unit_of[homes] = np.arange(len(homes))
        return self._units

    def _project(self, vectors):
        import numpy as np

        if self.topics is None:
            return None
        # (columns, TOPICS) C-contiguous: a sparse product with a transposed view copied the whole
        # projection (columns x TOPICS floats) on every call, the most of one changed article's cost.
        latent = np.asarray(vectors @ self.topics, dtype=np.float32)
        return latent / np.maximum(np.linalg.norm(latent, axis=1, keepdims=True), 1e-9)

    def _rerank(self, rows, scores, near, limit: int) -> list[tuple[int, float]]:
        """Add the share of shared nearest neighbours; scores scaled back to at most ~1."""
        mine = set(rows[:SHARED_K].tolist())
        ranked = []
        for row, score in zip(rows.tolist(), scores.tolist(), strict=True):
            if score <= 0:
                continue
            shared = len(mine & set(near[row][0][:SHARED_K].tolist())) / SHARED_K
            total = (score + SHARED_WEIGHT * shared) / (1 + TOPIC_WEIGHT + SHARED_WEIGHT)
            ranked.append((int(self.pks[row]), round(total, 6)))
        return sorted(ranked, key=lambda pair: (-pair[1], -pair[0]))[:limit]


def fit(docs: Iterable[Document], *, analyzer: Callable[[str], list[str]] = words_and_pairs) -> Model:
    """The model of `docs`; `analyzer` splits each field into terms (the bigram baseline swaps it).
    Memory bounded whatever the number of documents (bench/RESULTS.md, "bounded memory"): the counts
    go to a temporary file as they are read; the topics are fitted on at most SAMPLE of the articles,
    spread evenly over the archive, and every article is then weighted and projected BLOCK rows at a
    time; the weighted matrix stays on disk (a RowStore, in cluster order), read a pool at a time."""
    import numpy as np

    with _scratch() as counts:
        pks, vocabulary, raw_indptr, df, sums = _count(docs, analyzer, counts)
        n = len(pks)
        # Terms in fewer than MIN_DF articles leave the vocabulary (most word pairs): a smaller
        # matrix for the SVD and the products.
        kept = np.flatnonzero(df >= MIN_DF)
        column = np.full(len(df), -1, dtype=np.int32)
        column[kept] = np.arange(len(kept))
        vocabulary = {term: int(column[col]) for term, col in vocabulary.items() if column[col] >= 0}
        idf = np.log(max(n, 1) / np.maximum(df[kept], 1)) ** IDF_POWER
        order = np.argsort(pks, kind="stable")  # rows in pk order, so row_of() can bisect: row -> document read
        model = Model(
            pks[order], vocabulary, idf.astype(np.float32), float(sums[kept].sum() / max(n, 1)), analyzer=analyzer
        )

        def weighted(rows):
            raw = _gather(counts.fileno(), raw_indptr, order[rows], len(df))
            return _weigh(_keep(raw, column, len(kept)), model)

        sample = np.arange(n) if n <= SAMPLE else np.arange(SAMPLE) * n // SAMPLE  # evenly spread, in row order
        model.topics = _sample_topics(weighted(sample), len(kept))
        model.matrix, model.latent = _project_all(model, weighted)
    if model.latent is not None:
        model.probes, model.centroids = _probes(model)
    if model.probes is not None:  # the store in cluster order: a cluster's rows are read at once
        model.matrix = model.matrix.reordered(np.argsort(model.probes[:, 0], kind="stable"))
    return model


def _scratch():
    """A temporary file (gone once closed) in the rebuild's folder: on disk beside its checkpoints, not
    /tmp, which may be held in memory."""
    import tempfile

    from django.conf import settings

    folder = Path(settings.KIJI_AUDIENCE_REBUILD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryFile(prefix="kiji-similar-", dir=folder)


def _count(docs, analyzer, out) -> tuple:
    """Read `docs` once: each one's term counts appended to `out` as records (column, count), BLOCK
    documents at a time; returns (pks in the order read, vocabulary, where each document's records
    start, each term's df, each term's total count)."""
    from array import array

    import numpy as np

    pks, indptr, vocabulary = array("q"), array("q", [0]), {}
    df, sums = np.zeros(0, np.int64), np.zeros(0, np.float64)
    builder = _RowBuilder()

    def flush(builder, df, sums):
        raw = builder.matrix(len(vocabulary))
        df = np.concatenate([df, np.zeros(len(vocabulary) - len(df), np.int64)])
        df += np.bincount(raw.indices, minlength=len(vocabulary))
        sums = np.concatenate([sums, np.zeros(len(vocabulary) - len(sums))])
        sums += np.bincount(raw.indices, weights=raw.data, minlength=len(vocabulary))
        _records(raw).tofile(out)
        indptr.extend((raw.indptr[1:] + indptr[-1]).tolist())
        return df, sums

    for pk, title, body, parts in docs:
        pks.append(pk)
        builder.add(_counts(title, body, parts, analyzer, vocabulary, True))
        if len(builder.indptr) > BLOCK:
            df, sums = flush(builder, df, sums)
            builder = _RowBuilder()
    df, sums = flush(builder, df, sums)
    out.flush()
    return np.frombuffer(pks, np.int64) if pks else np.zeros(0, np.int64), vocabulary, np.asarray(indptr), df, sums


RECORD = [("column", "<i4"), ("value", "<f4")]  # one entry of a sparse row, as stored on disk


def _records(matrix):
    import numpy as np

    records = np.empty(matrix.nnz, RECORD)
    records["column"], records["value"] = matrix.indices, matrix.data
    return records


def _gather(fd: int, indptr, positions, width: int):
    """CSR of the rows at `positions` (in that order) of a file of records whose row i spans records
    indptr[i]:indptr[i + 1]: one read per run of consecutive positions."""
    import numpy as np
    from scipy import sparse

    positions = np.asarray(positions, np.int64)
    lengths = indptr[positions + 1] - indptr[positions]
    out = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    size = np.dtype(RECORD).itemsize
    buffer = np.empty(int(out[-1]) * size, np.uint8)
    if len(positions):
        breaks = np.flatnonzero(np.diff(positions) != 1) + 1  # where a run of consecutive positions starts
        starts, ends = np.concatenate([[0], breaks]).tolist(), np.concatenate([breaks, [len(positions)]]).tolist()
        for s, e in zip(starts, ends, strict=True):
            view, offset = memoryview(buffer[out[s] * size : out[e] * size]), int(indptr[positions[s]]) * size
            while len(view):
                done = os.preadv(fd, [view], offset)
                if done <= 0:
                    raise OSError("short read from the similar-articles store")
                view, offset = view[done:], offset + done
    records = buffer.view(RECORD)
    return sparse.csr_matrix(
        (records["value"].copy(), records["column"].copy(), out), shape=(len(positions), width), copy=False
    )


def _keep(raw, column, width: int):
    """`raw` with only the columns whose `column` (old -> new number) is not -1, renumbered, the
    order within each row kept (as raw[:, kept] gives)."""
    import numpy as np
    from scipy import sparse

    new = column[raw.indices]
    keep = new >= 0
    running = np.concatenate([[0], np.cumsum(keep, dtype=np.int64)])  # kept entries before each position
    return sparse.csr_matrix((raw.data[keep], new[keep], running[raw.indptr]), shape=(raw.shape[0], width))


def _sample_topics(matrix, width: int):
    """_topics() of the sample's weighted rows, over only the columns the sample holds (the others get
    zero topic weights, as an SVD over every column gives them), so the SVD's vectors grow with the
    sample's vocabulary, not the archive's."""
    import numpy as np
    from scipy import sparse

    if matrix.nnz and min(matrix.shape) > 4 * TOPICS:
        matrix = matrix.astype(np.float64)  # the SVD's input (indices sorted), made here: the float32 rows go
    used = np.unique(matrix.indices)
    if len(used) == width:
        return _topics(matrix)
    compact = sparse.csr_matrix(
        (matrix.data, np.searchsorted(used, matrix.indices).astype(np.int32), matrix.indptr),
        shape=(matrix.shape[0], len(used)),
    )
    del matrix
    found = _topics(compact)
    if found is None:
        return None
    topics = np.zeros((width, found.shape[1]), np.float32)
    topics[used] = found
    return topics


def _project_all(model: Model, weighted) -> tuple:
    """(RowStore of every row's weighted vector, in row order; the rows' topic vectors): BLOCK rows at a
    time, from `weighted(rows)`."""
    import numpy as np

    n, width = len(model), len(model.vocabulary)
    store = _scratch()
    indptr = np.zeros(n + 1, np.int64)
    latent = None if model.topics is None else np.zeros((n, model.topics.shape[1]), np.float32)
    for a in range(0, n, BLOCK):
        rows = np.arange(a, min(a + BLOCK, n))
        block = weighted(rows)
        _records(block).tofile(store)
        indptr[a + 1 : rows[-1] + 2] = indptr[a] + block.indptr[1:]
        if latent is not None:
            latent[rows] = model._project(block)
    store.flush()
    return RowStore(store, indptr, np.arange(n), (n, width)), latent


class RowStore:
    """The model's weighted matrix on disk: one record (column, value) per entry, rows in `order` (row
    at each stored position: cluster order once clustered, so a cluster's rows are one read), read a
    few rows or a pool at a time; the open file lives as long as the store, even once its folder is
    removed."""

    def __init__(self, file, indptr, order, shape):
        import numpy as np

        self.file, self.indptr, self.shape = file, indptr, tuple(int(x) for x in shape)
        self.order = np.asarray(order, np.int32)
        self.position = np.empty(len(self.order), np.int32)
        self.position[self.order] = np.arange(len(self.order), dtype=np.int32)

    @property
    def nnz(self) -> int:
        return int(self.indptr[-1])

    def __getitem__(self, rows):
        """CSR of `rows` (model rows), in the order given."""
        import numpy as np

        positions = self.position[np.asarray(rows, np.int64)]
        sort = np.argsort(positions, kind="stable")
        part = _gather(self.file.fileno(), self.indptr, positions[sort], self.shape[1])
        if np.all(sort[1:] > sort[:-1]):
            return part
        back = np.empty(len(sort), np.int64)
        back[sort] = np.arange(len(sort))
        return part[back]

    def positions(self, a: int, b: int):
        """(model rows at stored positions a:b, their CSR)."""
        import numpy as np

        return self.order[a:b], _gather(self.file.fileno(), self.indptr, np.arange(a, b), self.shape[1])

    def all(self):
        import numpy as np

        return self[np.arange(self.shape[0])]

    def reordered(self, order) -> "RowStore":
        """This store rewritten with its rows in `order` (row at each new position), BLOCK rows at a time."""
        import numpy as np

        file, indptr = _scratch(), np.zeros(len(order) + 1, np.int64)
        for a in range(0, len(order), BLOCK):
            part = self[order[a : a + BLOCK]]
            _records(part).tofile(file)
            indptr[a + 1 : a + part.shape[0] + 1] = indptr[a] + part.indptr[1:]
        file.flush()
        self.file.close()
        return RowStore(file, indptr, order, self.shape)

    def copy_to(self, out) -> None:
        self.file.seek(0)
        shutil.copyfileobj(self.file, out, 1 << 20)


def _topics(matrix):
    """The top right singular vectors of `matrix` (TOPICS of them, fewer for a tiny corpus), one
    column each: (columns, TOPICS)."""
    import numpy as np
    from scipy.sparse.linalg import svds

    k = min(TOPICS, min(matrix.shape) - 1)
    if k < 1 or matrix.nnz == 0:
        return None
    if min(matrix.shape) <= 4 * TOPICS:  # a small site: an exact dense SVD is cheaper than ARPACK
        return np.ascontiguousarray(np.linalg.svd(matrix.toarray(), full_matrices=False)[2][:k].T, dtype=np.float32)
    # PROPACK: the same singular vectors as ARPACK here, 5-10x faster (1.8 s vs 8-20 s on livedoor)
    # astype() also sorts the copy's indices (sum_duplicates): the SVD's input, kept as it is.
    values = matrix if matrix.dtype == np.float64 else matrix.astype(np.float64)
    vt = svds(values, k=k, solver="propack", random_state=0)[2]
    return np.ascontiguousarray(vt.T, dtype=np.float32)


def _best(vectors, latent, transposed, pool_latent, pool_pks, exclude) -> list:
    """Per row of `vectors`: the CANDIDATES best columns of `transposed` (a pool of articles) by term
    + topic cosine, as (pool positions, scores) best first; `exclude`: per row, a position or -1."""
    import numpy as np

    out = []
    for start in range(0, vectors.shape[0], CHUNK):
        scores = (vectors[start : start + CHUNK] @ transposed).toarray()
        if latent is not None:
            scores += TOPIC_WEIGHT * (latent[start : start + CHUNK] @ pool_latent.T)
        out.extend(_top(scores, np.asarray(exclude[start : start + CHUNK]), pool_pks))
    return out


def _top(scores, skip, pool_pks) -> list:
    """Per row of `scores` (rows x pool): the CANDIDATES best (pool positions, scores), best first;
    `skip`: per row, a position that must not match (the article itself) or -1."""
    import numpy as np

    mine = np.flatnonzero(skip >= 0)
    scores[mine, skip[mine]] = 0.0
    k = min(CANDIDATES, scores.shape[1])
    best = np.argpartition(-scores, k - 1, axis=1)[:, :k] if k else np.zeros((len(scores), 0), int)
    values = np.take_along_axis(scores, best, axis=1)
    order = np.lexsort((-pool_pks[best], -values), axis=1)  # best score, then the newer pk
    return list(zip(np.take_along_axis(best, order, axis=1), np.take_along_axis(values, order, axis=1), strict=True))


def _probes(model: Model) -> tuple:
    """Each row's PROBES nearest clusters, its own first, and the clusters' centres; (None, None) when
    the site is searched exactly."""
    count = -(-len(model) // CLUSTER_SIZE)
    if count <= PROBES:
        return None, None
    centroids = _centroids(model.latent, count)
    return _nearest(model.latent, centroids, PROBES).astype("int32"), centroids


def _centres(latent, home):
    """Unit-length mean of each cluster's rows (`home`: each row's cluster)."""
    import numpy as np

    sums = np.zeros((int(home.max()) + 1, latent.shape[1]), np.float32)
    np.add.at(sums, home, latent)
    return sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-9)


class _Near:
    """Every row's neighbourhood, (candidate rows, scores) best first, in two arrays of CANDIDATES
    columns (400 bytes a row, not a pair of arrays and a tuple per row); None for a row not yet done."""

    def __init__(self, n: int):
        import numpy as np

        self.rows = np.full((n, CANDIDATES), -1, np.int32)
        self.scores = np.zeros((n, CANDIDATES), np.float32)
        self.width = np.full(n, -1, np.int16)

    def __len__(self) -> int:
        return len(self.width)

    def __getitem__(self, row: int):
        width = int(self.width[row])
        return None if width < 0 else (self.rows[row, :width], self.scores[row, :width])

    def __setitem__(self, row: int, found) -> None:
        candidates, scores = found
        self.rows[row, : len(candidates)], self.scores[row, : len(scores)] = candidates, scores
        self.width[row] = len(candidates)


def _merged(found: list, more: list, limit: int) -> list:
    """`found` and `more` ((pk, score) pairs, no pk in both), best first as _rerank orders them."""
    return sorted(found + more, key=lambda pair: (-pair[1], -pair[0]))[:limit]


def _units(probes, n: int) -> tuple[list[tuple], list]:
    """[(rows of one cluster, rows they are scored against)], sorted arrays, and per unit the clusters
    of its pool (None: the one unit of a site searched exactly)."""
    import numpy as np

    if probes is None:
        everything = np.arange(n)
        return [(everything, everything)], [None]
    home = probes[:, 0]
    count = int(probes.max()) + 1
    order = np.argsort(home, kind="stable").astype(np.int32)  # 4 bytes a row: units are kept for the model's life
    bounds = np.concatenate([[0], np.cumsum(np.bincount(home, minlength=count))])
    members = [order[bounds[c] : bounds[c + 1]] for c in range(count)]  # ascending: a stable sort of rows
    units, clusters = [], []
    for c in range(count):
        if len(members[c]):
            # The clusters most often probed by the unit's articles (ties: the lower number), its own first.
            votes = np.bincount(probes[members[c]].ravel(), minlength=count)
            votes[c] = len(votes) * len(members[c]) + 1
            near = np.sort(np.argsort(-votes, kind="stable")[: min(POOL, np.count_nonzero(votes))])
            units.append((members[c], np.sort(np.concatenate([members[x] for x in near]))))
            clusters.append(near)
    return units, clusters


def _centroids(latent, count: int):
    """`count` unit vectors of the latent space, by spherical k-means on a fixed sample (seed 0)."""
    import numpy as np
    from scipy import sparse

    rng = np.random.default_rng(0)
    sample = latent[np.sort(rng.choice(len(latent), min(len(latent), KMEANS_SAMPLE * count), replace=False))]
    centroids = sample[rng.choice(len(sample), count, replace=False)]
    for _ in range(KMEANS_ROUNDS):
        nearest = _nearest(sample, centroids, 1)[:, 0]
        assign = sparse.csr_matrix(
            (np.ones(len(sample), np.float32), (nearest, np.arange(len(sample)))), shape=(count, len(sample))
        )
        sums = np.asarray(assign @ sample)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        centroids = np.where(norms > 0, sums / np.maximum(norms, 1e-9), centroids).astype(np.float32)
    return centroids


def _nearest(vectors, centroids, k: int):
    """Per row of `vectors`: the `k` nearest centroids (highest cosine first)."""
    import numpy as np

    out = np.empty((len(vectors), k), dtype=np.int64)
    for start in range(0, len(vectors), 8 * CHUNK):
        sims = vectors[start : start + 8 * CHUNK] @ centroids.T
        best = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, best, axis=1), axis=1, kind="stable")
        out[start : start + len(sims)] = np.take_along_axis(best, order, axis=1)
    return out


def unit_neighbours(model: Model, unit: int) -> tuple[list[int], list]:
    """The rows of one unit and, per row, its (candidate rows, scores) best first."""
    import numpy as np

    rows, pool = model.units()[unit]
    transposed = model.matrix[pool].T.tocsr() if len(pool) < len(model) else model.transposed()
    exclude = np.searchsorted(pool, rows)  # every row is in its own pool
    latent = model.latent if model.latent is not None else None
    found = _best(
        model.matrix[rows],
        None if latent is None else latent[rows],
        transposed,
        None if latent is None else latent[pool],
        model.pks[pool],
        exclude,
    )
    return rows.tolist(), [(pool[best].astype(np.int32), scores.astype(np.float32)) for best, scores in found]


def _counts(title, body, parts, analyzer, vocabulary: dict, grow: bool) -> dict[int, float]:
    counts: dict[int, float] = {}
    for text, weight in ((title, TITLE_WEIGHT), (body, 1.0), (parts, PARTS_WEIGHT) if PARTS_WEIGHT else ("", 0)):
        for term in analyzer(text or ""):
            col = vocabulary.get(term)
            if col is None:
                if not grow:
                    continue
                col = vocabulary[term] = len(vocabulary)
            counts[col] = counts.get(col, 0.0) + weight
    return counts


class _RowBuilder:
    """A CSR matrix grown one row at a time in compact arrays (4 bytes a value, not a dict entry)."""

    def __init__(self):
        from array import array

        self.indices, self.data, self.indptr = array("i"), array("f"), array("q", [0])

    def add(self, counts: dict[int, float]) -> None:
        self.indices.extend(counts.keys())
        self.data.extend(counts.values())
        self.indptr.append(len(self.indices))

    def matrix(self, width: int):
        import numpy as np
        from scipy import sparse

        # Views of the builder's buffers (they stay alive through them), not copies: one set of arrays.
        arrays = [np.frombuffer(a, t) if len(a) else np.zeros(0, t) for a, t in self._typed()]
        return sparse.csr_matrix(tuple(arrays), shape=(len(self.indptr) - 1, width), copy=False)

    def _typed(self):
        import numpy as np

        return (self.data, np.float32), (self.indices, np.int32), (self.indptr, np.int64)


def _to_matrix(counts: list[dict[int, float]], width: int):
    builder = _RowBuilder()
    for c in counts:
        builder.add(c)
    return builder.matrix(width)


def _weigh(raw, model: Model):
    """BM25-saturated tf x idf, rows L2-normalized: computed in `raw`'s own arrays (overwritten), block
    by block, with the same float32 operations, in the same order, as the whole-matrix expressions it
    replaces ((diags(1 / norms) @ weighted): each row's entries come out of scipy's product in reverse
    order, and are stored so here), so every value and index is bit for bit the same."""
    import numpy as np
    from scipy import sparse

    lengths = np.asarray(raw.sum(axis=1)).ravel()
    norm_len = (1 - B + B * lengths / max(model.avg_length, 1e-9)).astype(np.float32)
    data, indices, indptr = raw.data, raw.indices, raw.indptr
    for a in range(0, raw.shape[0], BLOCK):
        b = min(a + BLOCK, raw.shape[0])
        s, e = indptr[a], indptr[b]
        denominator = norm_len[np.repeat(np.arange(a, b), np.diff(indptr[a : b + 1]))]
        denominator *= K1
        denominator += data[s:e]
        part = data[s:e]
        part *= K1 + 1
        part /= denominator
        part *= model.idf[indices[s:e]]
    weighted = sparse.csr_matrix((data, indices, indptr), shape=raw.shape, copy=False)
    weighted.eliminate_zeros()
    data, indices, indptr = weighted.data, weighted.indices, weighted.indptr
    for a in range(0, weighted.shape[0], BLOCK):
        b = min(a + BLOCK, weighted.shape[0])
        s, e = indptr[a], indptr[b]
        block = weighted[a:b]
        norms = np.sqrt(np.asarray(block.multiply(block).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        row_of = np.repeat(np.arange(b - a), np.diff(indptr[a : b + 1]))
        starts, ends = indptr[a:b] - s, indptr[a + 1 : b + 1] - s
        reverse = starts[row_of] + ends[row_of] - 1 - np.arange(e - s)  # each row's entries, last first
        data[s:e] = data[s:e][reverse] * (1 / norms).astype(np.float32)[row_of]
        indices[s:e] = indices[s:e][reverse]
    weighted.eliminate_zeros()  # as the product drops a value that underflows to 0
    return weighted


# ---- over the search index --------------------------------------------------------------------


def index_model() -> Model:
    """The model of every indexed article (the index holds exactly the articles readers can see)."""
    from kiji.search.models import SearchDocument

    rows = SearchDocument.objects.order_by("article_id").values_list("article_id", "title", "body", "parts")
    return fit(rows.iterator(chunk_size=1000))


def document_of(article_id: int) -> Document | None:
    from kiji.search.models import SearchDocument

    return (
        SearchDocument.objects.filter(article_id=article_id).values_list("article_id", "title", "body", "parts").first()
    )


# ---- a full rebuild that survives its process ---------------------------------------------------


class Rebuild:
    """Every article's neighbours, unit by unit, saved into `directory` as they are done: first the
    model (model.npz and vocabulary.txt, then model.json, written last, which names it), then one
    file per finished unit, then how many lists have been written. A run that finds an unfinished
    rebuild there continues it with the same model instead of starting over; finish() removes it.
    One process at a time per folder (a lock beside it); on a second machine a rebuild starts afresh."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self._lock = None

    def acquire(self) -> bool:
        """Take the folder's lock; False when another process holds it (it is rebuilding)."""
        self.directory.parent.mkdir(parents=True, exist_ok=True)
        lock = open(self.directory.with_name(self.directory.name + ".lock"), "a")  # noqa: SIM115
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            return False
        self._lock = lock
        return True

    def release(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing the file releases the lock
            self._lock = None

    def pending(self) -> bool:
        """An unfinished rebuild, young enough to continue, is waiting here."""
        meta = self._meta()
        return meta is not None and time.time() - meta["fitted_at"] < REBUILD_MAX_AGE

    def model(self, *, fit: Callable[[], "Model"]) -> "Model":
        """The unfinished rebuild's model, or a new one from fit() (saved before any unit runs)."""
        if self.pending():
            try:
                return self._load()
            except (OSError, ValueError, KeyError):  # a damaged checkpoint: start over
                pass
        shutil.rmtree(self.directory, ignore_errors=True)
        model = fit()
        self._save(model)
        return model

    def neighbourhoods(self, model: "Model") -> list:
        """Every row's (candidate rows, scores), unit by unit; units already done are read back."""
        import numpy as np

        near = _Near(len(model))
        for unit in range(len(model.units())):
            path = self.directory / f"unit-{unit}.npz"
            if not path.exists():
                rows, found = unit_neighbours(model, unit)
                width = max((len(c) for c, _ in found), default=0)
                candidates = np.full((len(rows), width), -1, dtype=np.int32)
                scores = np.zeros((len(rows), width), dtype=np.float32)
                for i, (c, v) in enumerate(found):
                    candidates[i, : len(c)], scores[i, : len(v)] = c, v
                _atomic(path, lambda f, r=rows, c=candidates, v=scores: np.savez(f, rows=r, candidates=c, scores=v))
            with np.load(path) as saved:
                candidates, scores = saved["candidates"], saved["scores"]
                rows = saved["rows"].astype(np.int64)  # float64 when empty (a unit of no articles)
                width = candidates.shape[1]
                near.rows[rows, :width], near.scores[rows, :width] = candidates, scores
                near.width[rows] = np.count_nonzero(candidates >= 0, axis=1)
        model._near = near
        return near

    def written(self) -> int:
        """How many rows' lists have been written (in row order)."""
        path = self.directory / "written.json"
        return json.loads(path.read_text())["rows"] if path.exists() else 0

    def mark_written(self, rows: int) -> None:
        _atomic(self.directory / "written.json", lambda f: f.write(json.dumps({"rows": rows}).encode()))

    def finish(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)
        self.release()

    def _meta(self) -> dict | None:
        try:
            return json.loads((self.directory / "model.json").read_text())
        except (OSError, ValueError):
            return None

    def _save(self, model: "Model") -> None:
        import numpy as np

        self.directory.mkdir(parents=True, exist_ok=True)
        model.units()  # the clusters are part of the model: a resumed run must use the same ones
        empty = np.zeros(0, np.float32)
        arrays = {
            "pks": model.pks,
            "idf": model.idf,
            "indptr": model.matrix.indptr,  # of the store, matrix.bin, in the order of `order`
            "order": model.matrix.order,
            "shape": np.asarray(model.matrix.shape),
            "topics": empty if model.topics is None else model.topics,
            "latent": empty if model.latent is None else model.latent,
            "probes": np.zeros((0, 0), np.int32) if model.probes is None else model.probes,
            "centroids": np.zeros((0, 0), np.float32) if model.centroids is None else model.centroids,
        }
        _atomic(self.directory / "matrix.bin", model.matrix.copy_to)
        _atomic(self.directory / "model.npz", lambda f: np.savez(f, **arrays))
        store = model.matrix  # from here on read from the saved copy: the temporary file is freed
        model.matrix = RowStore(open(self.directory / "matrix.bin", "rb"), store.indptr, store.order, store.shape)  # noqa: SIM115
        store.file.close()
        terms = sorted(model.vocabulary, key=model.vocabulary.get)  # tokens hold no whitespace
        _atomic(self.directory / "vocabulary.txt", lambda f: f.write("\n".join(terms).encode()))
        meta = {"fitted_at": time.time(), "avg_length": model.avg_length, "articles": len(model)}
        _atomic(self.directory / "model.json", lambda f: f.write(json.dumps(meta).encode()))

    def _load(self) -> "Model":
        import numpy as np

        meta = self._meta()
        with np.load(self.directory / "model.npz") as saved:
            arrays = {name: saved[name] for name in saved.files}
        terms = (self.directory / "vocabulary.txt").read_text().split("\n")
        model = Model(arrays["pks"], {t: i for i, t in enumerate(terms) if t}, arrays["idf"], meta["avg_length"])
        # Kept open: readable after finish() removes the folder, for as long as the model lives.
        matrix = open(self.directory / "matrix.bin", "rb")  # noqa: SIM115
        model.matrix = RowStore(matrix, arrays["indptr"], arrays["order"], arrays["shape"])
        model.topics = arrays["topics"] if arrays["topics"].size else None
        model.latent = arrays["latent"] if arrays["latent"].size else None
        model.probes = arrays["probes"] if arrays["probes"].size else None
        centroids = arrays.get("centroids")  # absent from a checkpoint of an older version: units() derives them
        model.centroids = centroids if centroids is not None and centroids.size else None
        return model


def _atomic(path: Path, write: Callable) -> None:
    """Write a file through a temporary one, so a killed process never leaves half a file."""
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as f:
        write(f)
    os.replace(partial, path)
