"""Category of a resident's message: TF-IDF words, word pairs and characters, a linear SVM plus
a vote of the most similar labelled messages, calibrated scores.

Training uses scikit-learn; the trained model is stored as plain arrays (vocabularies, idf,
weights) in a compressed .npz and scored here with numpy, so a scikit-learn upgrade cannot break
loading the shipped file and nothing is unpickled.
"""

import dataclasses
import io
import json
import os
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, partial
from operator import is_not
from pathlib import Path

import numpy as np
from scipy import sparse

from .segmentation import clean_tokens, segment

MODEL_PATH = Path(__file__).with_name("data") / "classifier.npz"
FORMAT = "gongzhi-concerns-classifier/1"

# Chosen by grouped 5-fold CV on labeled_messages.csv, near-duplicates kept in one fold, scored
# on the raw-text rows (docs/concern-intelligence.md).
SVM_C = 1.0
WORD_MIN_DF = 2
CHAR_MIN_DF = 3
# Character n-grams up to this length (1-3 beat 1-2 on CV and on raw-text folds; see the docs).
CHAR_NGRAMS = 3
# The character block counts this much more than the word block (better at 1.2 than at 1.0;
# see the docs). Folded into the stored weights, so scoring does not change.
CHAR_WEIGHT = 1.2
# Adjacent word pairs in the word block: off. With C 2 and characters at 1.6 they gained on a
# quick grouped CV with a shared vocabulary, but lost on the bench's grouped raw-text folds
# (0.9137 against 0.9175) and made the file half again as big; kept as an option of the format.
WORD_BIGRAMS = False
# LinearSVC's coordinate descent shuffles; a fixed seed makes `concerns train` reproduce the
# shipped model exactly.
RANDOM_STATE = 0
# The most similar labelled messages vote as well: each category adds NEIGHBOUR_WEIGHT times its
# share of the similarity of the NEIGHBOURS nearest training messages (cosine) to the SVM's
# margins. The SVM draws one straight line per category; the neighbours recall the local cases it
# smooths over. Grouped 5-fold CV over three seeds: raw-text rows 0.910 -> 0.920, all rows
# 0.922 -> 0.927 (docs/concern-intelligence.md).
NEIGHBOURS = 10
NEIGHBOUR_WEIGHT = 1.0
# Each training message is remembered by its this many heaviest features, re-normalised: on CV as
# good as the whole vector (about 500 features) at a quarter of the size.
MEMORY_TERMS = 128
# Past this many characters a message adds time, not accuracy (raw rows: same macro-F1 at 1,000).
TEXT_LIMIT = 1500


def word_features(tokens: Sequence[str], bigrams: bool = WORD_BIGRAMS) -> list[str]:
    words = [t.lower() for t in tokens]
    if not bigrams:
        return words
    # A space never occurs inside a token, so a pair cannot collide with a word.
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def char_features(tokens: Sequence[str], n: int = CHAR_NGRAMS) -> list[str]:
    # Characters and character n-grams of the text without stop words: they catch words the
    # segmenter split differently and names it has never seen.
    text = "".join(tokens).lower()
    features = list(text)
    get = text.__getitem__
    for size in range(2, n + 1):
        # map/slice instead of a generator: the n-grams are cut in C (a third of scoring time).
        features.extend(map(get, map(slice, range(len(text) - size + 1), range(size, len(text) + 1))))
    return features


def row_tokens(row: Mapping[str, str]) -> list[str]:
    """Words of one training row: its raw title and body when present, else its `tokens` cell."""
    raw = "\n".join(part for part in (row.get("title") or "", row.get("body") or "") if part.strip())
    if raw.strip():
        return segment(raw)
    return clean_tokens(row.get("tokens") or "")


# (document, column, value) of sparse features, as three parallel arrays.
Weighted = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class TfidfBlock:
    """One l2-normalised block of sublinear TF-IDF features, as TfidfVectorizer computes them."""

    vocabulary: dict[str, int]
    idf: np.ndarray

    def transform(self, docs: Iterable[Sequence[str]]) -> sparse.csr_matrix:
        rows, cols, n = self.hits(docs)
        return self.weigh(sparse.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(n, len(self.idf))))

    def hits(self, docs: Iterable[Sequence[str]]) -> tuple[np.ndarray, np.ndarray, int]:
        """(document, column) of every known feature occurrence, and the number of documents."""
        lookup = self.vocabulary.get
        known = partial(is_not, None)
        indptr, indices = [0], []
        for features in docs:
            indices.extend(filter(known, map(lookup, features)))
            indptr.append(len(indices))
        rows = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
        return rows, np.asarray(indices, dtype=np.int64), len(indptr) - 1

    def weighted(self, hits: tuple[np.ndarray, np.ndarray, int]) -> Weighted:
        """(document, column, value) of the block's TF-IDF features, the values `weigh` gives;
        each (document, column) once."""
        rows, cols, n = hits
        width = len(self.idf)
        keys, counts = np.unique(rows * width + cols, return_counts=True)
        rows, cols = np.divmod(keys, width)
        values = (1.0 + np.log(counts)) * self.idf[cols]
        norms = np.sqrt(np.bincount(rows, values * values, minlength=n))
        norms[norms == 0] = 1.0
        return rows, cols, values / norms[rows]

    def scores(self, weighted: Weighted, n: int, coef_t: np.ndarray) -> np.ndarray:
        """The block's `weighted` features of `n` documents times `coef_t`, without building scipy
        matrices for a single message: their per-call overhead was most of intake's time."""
        rows, cols, values = weighted
        width = len(self.idf)
        if n == 1:
            return (values @ coef_t[cols])[None, :]
        return np.asarray(sparse.csr_matrix((values, (rows, cols)), shape=(n, width)) @ coef_t)

    @cached_property
    def _gram_table(self) -> tuple[np.ndarray, np.ndarray]:
        """Sorted integer keys of the vocabulary's character n-grams and their columns."""
        terms = list(self.vocabulary)
        lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
        if len(terms) and not ((lengths >= 1) & (lengths <= 3)).all():
            raise ValueError("character vocabulary terms must be 1 to 3 characters long")
        codes = np.concatenate([_codes("".join(terms)), np.zeros(2, dtype=np.int64)])
        start = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        keys = np.zeros(len(terms), dtype=np.int64)
        for size in (1, 2, 3):
            at = start[lengths == size]
            keys[lengths == size] = _gram_keys(codes[at[:, None] + np.arange(size)].ravel(), size)[::size]
        cols = np.fromiter(self.vocabulary.values(), dtype=np.int64, count=len(terms))
        order = np.argsort(keys, kind="stable")
        return keys[order], cols[order]

    def transform_grams(self, texts: Sequence[str], n: int) -> sparse.csr_matrix:
        """What `transform(char_features(...))` gives, with the n-grams cut and looked up by numpy
        instead of hashed as Python strings (the slowest part of scoring). Every vocabulary term
        must be 1..n characters long, as a `char_features` vocabulary is."""
        rows, cols, count = self.gram_hits(texts, n)
        shape = (count, len(self.idf))
        return self.weigh(sparse.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=shape))

    def gram_hits(self, texts: Sequence[str], n: int) -> tuple[np.ndarray, np.ndarray, int]:
        """`hits` of the character 1..n-grams of `texts`."""
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        codes = _codes("".join(texts))
        doc = np.repeat(np.arange(len(texts)), lengths)
        start = np.concatenate([[0], np.cumsum(lengths)[:-1]]) if len(texts) else lengths
        end = start + lengths  # one past each text's last position
        keys, rows = [], []
        for size in range(1, n + 1):
            grams = _gram_keys(codes, size)
            first = np.arange(len(grams))
            inside = first + size <= end[doc[: len(grams)]] if len(grams) else first.astype(bool)
            keys.append(grams[inside])
            rows.append(doc[: len(grams)][inside])
        key, row = np.concatenate(keys), np.concatenate(rows)
        table, cols = self._gram_table
        pos = np.minimum(np.searchsorted(table, key), max(len(table) - 1, 0))
        hit = table[pos] == key if len(table) else np.zeros(len(key), dtype=bool)
        return row[hit].astype(np.int64), cols[pos[hit]], len(texts)

    def weigh(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """Raw feature counts per document → sublinear tf × idf, l2-normalised rows."""
        counts = sparse.csr_matrix(counts)
        counts.sum_duplicates()  # repeated features become counts
        counts.data = (1.0 + np.log(counts.data)) * self.idf[counts.indices]
        norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.csr_matrix(sparse.diags(1.0 / norms) @ counts)


@dataclass(frozen=True)
class Memory:
    """The training messages as feature vectors (their heaviest terms) with their categories."""

    vectors: sparse.csr_matrix  # (messages, word + character features), rows l2-normalised
    labels: np.ndarray  # index into Model.classes, one per message
    neighbours: int = NEIGHBOURS

    @cached_property
    def _by_feature(self) -> sparse.csr_matrix:
        # Feature-major, so a message's similarities walk only the postings of its own features.
        return sparse.csr_matrix(self.vectors.T, dtype=np.float64)

    def shares(self, queries: Weighted, n: int, n_classes: int) -> np.ndarray:
        """Per query (of `n`), each category's share of the similarity of the `neighbours` most
        similar messages (0 everywhere when nothing is similar)."""
        k = min(self.neighbours, len(self.labels))
        rows, cols, values = queries
        if n == 1 and k:
            sims = self._similarities_of_one(cols, values)[None, :]
            return self._votes(sims, k, n_classes)
        out = np.zeros((n, n_classes))
        matrix = sparse.csr_matrix((values, (rows, cols)), shape=(n, self.vectors.shape[1]))
        for start in range(0, n if k else 0, 256):  # 256 rows at a time: bounded memory
            sims = (matrix[start : start + 256] @ self._by_feature).toarray()
            out[start : start + 256] = self._votes(sims, k, n_classes)
        return out

    def _similarities_of_one(self, cols: np.ndarray, values: np.ndarray) -> np.ndarray:
        # One message: walk its features' postings with numpy; scipy's product spent most of
        # the time on its two passes and index checks. `cols` are distinct, as `weighted` gives.
        by_feature = self._by_feature
        starts = by_feature.indptr[cols]
        lengths = by_feature.indptr[cols + 1] - starts
        ends = np.cumsum(lengths)
        at = np.repeat(starts - ends + lengths, lengths) + np.arange(ends[-1] if len(ends) else 0)
        weights = by_feature.data[at] * np.repeat(values, lengths)
        return np.bincount(by_feature.indices[at], weights, minlength=len(self.labels))

    def _votes(self, sims: np.ndarray, k: int, n_classes: int) -> np.ndarray:
        """Each row's category shares of its `k` largest similarities."""
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        votes = np.arange(len(top))[:, None] * n_classes + self.labels[top]
        weights = np.take_along_axis(sims, top, axis=1)
        out = np.bincount(votes.ravel(), weights.ravel(), minlength=len(top) * n_classes)
        out = out.reshape(len(top), n_classes)
        total = out.sum(axis=1, keepdims=True)
        total[total == 0] = 1.0
        return out / total


def heaviest_terms(x: sparse.csr_matrix, terms: int = MEMORY_TERMS) -> sparse.csr_matrix:
    """Each row cut to its `terms` largest values (ties: the lower column), l2-normalised again."""
    x = sparse.csr_matrix(x)
    x.sort_indices()
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    order = np.lexsort((-x.data, rows))  # by row, heaviest first; stable, so ties keep column order
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order)) - x.indptr[rows[order]]
    keep = rank < terms
    kept = sparse.csr_matrix(
        (x.data[keep], x.indices[keep], np.r_[0, np.cumsum(np.bincount(rows[keep], minlength=x.shape[0]))]),
        shape=x.shape,
    )
    norms = np.sqrt(np.asarray(kept.multiply(kept).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ kept)


@dataclass(frozen=True)
class Model:
    classes: list[str]
    words: TfidfBlock
    chars: TfidfBlock
    coef: np.ndarray  # (classes, word features + char features)
    intercept: np.ndarray
    temperature: float
    char_ngrams: int = CHAR_NGRAMS
    word_bigrams: bool = WORD_BIGRAMS
    # None: files written before the neighbours' vote score by the SVM alone.
    memory: Memory | None = None
    neighbour_weight: float = NEIGHBOUR_WEIGHT
    char_weight: float = CHAR_WEIGHT  # of the character block in the memory's similarity

    def decision(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        n = len(token_lists)
        words = self.words.weighted(self.words.hits(word_features(t, self.word_bigrams) for t in token_lists))
        texts = ["".join(t).lower() for t in token_lists]
        chars = self.chars.weighted(self.chars.gram_hits(texts, self.char_ngrams))
        # One product per block instead of stacking them: the same sums, without building a matrix.
        split = len(self.words.idf)
        margins = (
            self.words.scores(words, n, self._coef_t[:split])
            + self.chars.scores(chars, n, self._coef_t[split:])
            + self.intercept
        )
        if self.memory is None:
            return margins
        return margins + self.neighbour_weight * self.memory.shares(
            self._queries(words, chars), n, len(self.classes)
        )

    def _queries(self, words: Weighted, chars: Weighted) -> Weighted:
        """The messages as the memory's vectors: both blocks side by side, characters weighted."""
        split = len(self.words.idf)
        return (
            np.concatenate([words[0], chars[0]]),
            np.concatenate([words[1], chars[1] + split]),
            np.concatenate([words[2], self.char_weight * chars[2]]),
        )

    @cached_property
    def _coef_t(self) -> np.ndarray:
        # Contiguous and in the features' dtype: otherwise scipy copies and converts the whole
        # (features × classes) matrix on every call, most of a single message's scoring time.
        return np.ascontiguousarray(self.coef.T, dtype=np.float64)

    def predict_tokens(self, token_lists: Sequence[Sequence[str]]) -> list[tuple[str, float]]:
        if not token_lists:
            return []
        probs = softmax(self.decision(token_lists) / self.temperature)
        best = probs.argmax(axis=1)
        return [(self.classes[i], round(float(p[i]), 4)) for i, p in zip(best, probs, strict=True)]

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(category, confidence in 0..1) for each raw text; an empty text gets the prior class."""
        return self.predict_tokens([segment((t or "")[:TEXT_LIMIT]) for t in texts])

    def save(self, path: Path | str = MODEL_PATH) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "format": FORMAT,
            "temperature": self.temperature,
            "char_ngrams": self.char_ngrams,
            "word_bigrams": self.word_bigrams,
        }
        memory = {}
        if self.memory is not None:
            meta |= {
                "neighbours": self.memory.neighbours,
                "neighbour_weight": self.neighbour_weight,
                "char_weight": self.char_weight,
            }
            vectors = self.memory.vectors
            memory = {
                "memory_indptr": vectors.indptr.astype(np.int32),
                "memory_indices": vectors.indices.astype(np.int32),
                "memory_data": vectors.data.astype(np.float16),
                "memory_labels": self.memory.labels.astype(np.int16),
            }
        # Written beside and renamed: a process loading the model never reads half a file.
        part = path.with_name(path.name + ".part")
        with part.open("wb") as fh:
            _savez_reproducible(
                fh,
                meta=np.array(json.dumps(meta, sort_keys=True)),
                classes=np.array(self.classes),
                word_vocab=_vocab_array(self.words.vocabulary),
                word_idf=self.words.idf.astype(np.float32),
                char_vocab=_vocab_array(self.chars.vocabulary),
                char_idf=self.chars.idf.astype(np.float32),
                # Half precision halves the file; predictions are unchanged (see tests).
                coef=self.coef.astype(np.float16),
                intercept=self.intercept.astype(np.float32),
                **memory,
            )
        os.replace(part, path)
        return path


def _savez_reproducible(fh, **arrays: np.ndarray) -> None:
    """`np.savez_compressed` without its clock: fixed member dates and order, so training twice on
    the same data writes the same bytes (`np.load` reads it like any .npz)."""
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asanyarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue())


def _codes(text: str) -> np.ndarray:
    """Unicode code points of `text` (at most 21 bits each)."""
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.int64)


def _gram_keys(codes: np.ndarray, size: int) -> np.ndarray:
    """One int64 key per character `size`-gram of `codes`: a single character is its code
    point c; a pair (c1+1)·2^21 + c2 (at least 2^21); a triple (c1+1)·2^42 + c2·2^21 + c3 (at least
    2^42, under 2^63). Keys of different lengths never collide."""
    if size == 1:
        return codes
    if size == 2:
        return ((codes[:-1] + 1) << 21) | codes[1:] if len(codes) >= 2 else codes[:0]
    if size == 3:
        return ((codes[:-2] + 1) << 42) | (codes[1:-1] << 21) | codes[2:] if len(codes) >= 3 else codes[:0]
    raise ValueError(f"character n-grams up to 3, not {size}")


def load(path: Path | str = MODEL_PATH) -> Model:
    with np.load(Path(path), allow_pickle=False) as npz:
        meta = json.loads(str(npz["meta"]))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{path}: not a {FORMAT} file")
        words = TfidfBlock(_vocab_dict(npz["word_vocab"]), npz["word_idf"].astype(np.float64))
        chars = TfidfBlock(_vocab_dict(npz["char_vocab"]), npz["char_idf"].astype(np.float64))
        memory = None
        if "memory_labels" in npz.files:
            labels = npz["memory_labels"].astype(np.int64)
            vectors = sparse.csr_matrix(
                (npz["memory_data"].astype(np.float64), npz["memory_indices"], npz["memory_indptr"]),
                shape=(len(labels), len(words.idf) + len(chars.idf)),
            )
            memory = Memory(vectors, labels, int(meta["neighbours"]))
        return Model(
            classes=[str(c) for c in npz["classes"]],
            words=words,
            chars=chars,
            coef=npz["coef"].astype(np.float32),
            intercept=npz["intercept"].astype(np.float64),
            temperature=float(meta["temperature"]),
            # Files written before the setting existed used characters and pairs.
            char_ngrams=int(meta.get("char_ngrams", 2)),
            # ...and words alone, without pairs.
            word_bigrams=bool(meta.get("word_bigrams", False)),
            memory=memory,
            neighbour_weight=float(meta.get("neighbour_weight", NEIGHBOUR_WEIGHT)),
            char_weight=float(meta.get("char_weight", CHAR_WEIGHT)),
        )


@cache
def shipped() -> Model:
    """The shipped model, loaded once per process for everyone (intake suggestions, the
    similarity idf): the file holds 9.5 MB of arrays, not to be read twice."""
    return load(MODEL_PATH)


def train(
    rows: Iterable[Mapping[str, str]],
    *,
    unlabeled: Iterable[Mapping[str, str]] = (),
    calibrate: bool = True,
) -> Model:
    """Fit on rows with `category` and title/body and/or `tokens` (labeled_messages.csv's shape).

    `unlabeled` rows (same columns, no category needed) only widen the vocabulary and idf: their
    text counts in document frequencies, never as a label.
    """
    token_lists, labels = [], []
    for row in rows:
        category = (row.get("category") or "").strip()
        tokens = row_tokens(row)
        if category and tokens:
            token_lists.append(tokens)
            labels.append(category)
    if len(set(labels)) < 2:
        raise ValueError("training needs labelled rows of at least two categories")
    extra = [tokens for tokens in map(row_tokens, unlabeled) if tokens]
    return fit_tokens(token_lists, labels, unlabeled=extra, calibrate=calibrate)


def fit_tokens(
    token_lists: Sequence[Sequence[str]],
    labels: Sequence[str],
    *,
    unlabeled: Sequence[Sequence[str]] = (),
    calibrate: bool = True,
) -> Model:
    y = np.asarray(labels)
    model = _fit(token_lists, y, unlabeled)
    if calibrate and min(Counter(labels).values()) >= 3:
        model = _with_temperature(model, _fit_temperature(token_lists, y, unlabeled))
    return model


def _fit(
    token_lists: Sequence[Sequence[str]], y: np.ndarray, unlabeled: Sequence[Sequence[str]] = ()
) -> Model:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    docs = list(token_lists) + list(unlabeled)  # unlabeled text: vocabulary and idf only
    n = len(docs)
    analyzer = partial(word_features, bigrams=WORD_BIGRAMS)
    words = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, min_df=min(WORD_MIN_DF, n))
    chars = TfidfVectorizer(analyzer=char_features, sublinear_tf=True, min_df=min(CHAR_MIN_DF, n))
    words.fit(docs)
    chars.fit(docs)
    x = sparse.hstack(
        [words.transform(token_lists), CHAR_WEIGHT * chars.transform(token_lists)], format="csr"
    )
    svm = LinearSVC(C=SVM_C, class_weight="balanced", random_state=RANDOM_STATE).fit(x, y)
    coef, intercept = svm.coef_.copy(), svm.intercept_
    # Scoring sees unweighted character features: the weight moves into their coefficients.
    coef[:, len(words.vocabulary_) :] *= CHAR_WEIGHT
    if len(svm.classes_) == 2:  # binary LinearSVC keeps one row; spell out both classes
        coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
    # The memory: the labelled messages only, in the very vectors the SVM saw (characters weighted).
    vectors = heaviest_terms(x, MEMORY_TERMS)
    # Every array at the precision `save` stores it: a model scores the same before and after a
    # round trip through its file (near-ties among neighbours would otherwise flip).
    vectors.data = _stored(vectors.data, np.float16)
    return Model(
        classes=[str(c) for c in svm.classes_],
        words=TfidfBlock(dict(words.vocabulary_), _stored(words.idf_, np.float32)),
        chars=TfidfBlock(dict(chars.vocabulary_), _stored(chars.idf_, np.float32)),
        coef=coef.astype(np.float16).astype(np.float32),
        intercept=_stored(intercept, np.float32),
        temperature=1.0,
        word_bigrams=WORD_BIGRAMS,
        memory=Memory(vectors, np.searchsorted(svm.classes_, y)),
    )


def _stored(values: np.ndarray, dtype: type) -> np.ndarray:
    """`values` rounded to the file's `dtype`, as float64 again (what `load` returns)."""
    return np.asarray(values).astype(dtype).astype(np.float64)


def _fit_temperature(
    token_lists: Sequence[Sequence[str]], y: np.ndarray, unlabeled: Sequence[Sequence[str]] = ()
) -> float:
    # Out-of-fold SVM margins turned into probabilities by one softmax temperature that
    # minimises log loss: enough to make "0.9" mean roughly nine in ten right.
    from sklearn.model_selection import StratifiedKFold

    classes = sorted(set(y.tolist()))
    margins = np.zeros((len(y), len(classes)))
    for train_idx, test_idx in StratifiedKFold(3, shuffle=True, random_state=0).split(np.zeros(len(y)), y):
        fold = _fit([token_lists[i] for i in train_idx], y[train_idx], unlabeled)
        cols = [fold.classes.index(c) if c in fold.classes else None for c in classes]
        scores = fold.decision([token_lists[i] for i in test_idx])
        for j, col in enumerate(cols):
            margins[test_idx, j] = scores[:, col] if col is not None else -10.0
    truth = np.searchsorted(classes, y)
    grid = np.exp(np.linspace(np.log(0.02), np.log(5.0), 60))
    losses = [-np.mean(np.log(softmax(margins / t)[np.arange(len(y)), truth] + 1e-12)) for t in grid]
    return float(grid[int(np.argmin(losses))])


def _with_temperature(model: Model, temperature: float) -> Model:
    return dataclasses.replace(model, temperature=temperature)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _vocab_array(vocabulary: Mapping[str, int]) -> np.ndarray:
    ordered = [""] * len(vocabulary)
    for term, index in vocabulary.items():
        ordered[index] = term
    return np.array(ordered)


def _vocab_dict(array: np.ndarray) -> dict[str, int]:
    return {str(term): i for i, term in enumerate(array.tolist())}
