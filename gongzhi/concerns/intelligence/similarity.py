"""Text similarity on segmented words, shared by duplicates, hot issues and the reply check."""

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import cache

# Words the classifier never saw are the rarest of all: give them the top weight.
_UNSEEN_IDF = 9.0


@cache
def corpus_idf() -> Mapping[str, float]:
    """Word idf learned from the real messages, shipped inside the classifier model file."""
    from . import classifier

    try:
        words = classifier.shipped().words
    except FileNotFoundError:
        return {}
    return {term: float(words.idf[i]) for term, i in words.vocabulary.items()}


def weighted_bag(tokens: Sequence[str], idf: Mapping[str, float] | None = None) -> dict[str, float]:
    """Sublinear tf x idf weights of the words, l2-normalised."""
    idf = corpus_idf() if idf is None else idf
    counts = Counter(t.lower() for t in tokens)
    default = _UNSEEN_IDF if idf else 1.0
    bag = {t: (1.0 + math.log(n)) * idf.get(t, default) for t, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in bag.values())) or 1.0
    return {t: w / norm for t, w in bag.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine of two l2-normalised bags."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def text_similarity(a: Sequence[str], b: Sequence[str], idf: Mapping[str, float] | None = None) -> float:
    return cosine(weighted_bag(a, idf), weighted_bag(b, idf))
