"""TF-IDF vectors of posts, their cosine, and each one's mean cosine to the others."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

Vector = dict[str, float]


def idf(documents: Iterable[Sequence[str]]) -> dict[str, float]:
    """Smoothed inverse document frequency of each term of the documents."""
    frequency: Counter[str] = Counter()
    count = 0
    for terms in documents:
        count += 1
        frequency.update(dict.fromkeys(terms, 1))
    return {term: math.log((1 + count) / (1 + df)) + 1 for term, df in frequency.items()}


def vector(terms: Sequence[str], weights: Mapping[str, float]) -> Vector:
    """The unit TF-IDF vector of a post's terms; empty when it has none."""
    scaled = {term: tf * weights.get(term, 1.0) for term, tf in Counter(terms).items()}
    norm = math.sqrt(sum(weight * weight for weight in scaled.values()))
    return {term: weight / norm for term, weight in scaled.items()} if norm else {}


def cosine(first: Vector, second: Vector) -> float:
    """Cosine of two unit vectors (their dot product)."""
    small, large = (first, second) if len(first) <= len(second) else (second, first)
    return sum(weight * large.get(term, 0.0) for term, weight in small.items())


def centrality(vectors: Sequence[Vector]) -> list[float]:
    """Each vector's mean cosine to the others, through their sum: O(n), not O(n²) pairs."""
    total: Vector = defaultdict(float)
    for each in vectors:
        for term, weight in each.items():
            total[term] += weight
    others = len(vectors) - 1
    if others < 1:
        return [0.0] * len(vectors)
    # Unit vectors: dot(v, sum - v) = dot(v, sum) - 1 (and 0 for a post with no content words).
    return [(cosine(v, total) - (1.0 if v else 0.0)) / others for v in vectors]
