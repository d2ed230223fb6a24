"""Near-miss spellings: an unknown query word becomes the closest word the documents use."""

from __future__ import annotations

from rapidfuzz import process
from rapidfuzz.distance import OSA

# Short words have many neighbours one edit away; only longer words are corrected, and
# only by as many edits as their length makes unlikely to change their meaning.
MIN_LENGTH = 4


def max_edits(word: str) -> int:
    return 1 if len(word) <= 5 else 2


class Speller:
    """A vocabulary of words with how many documents use each; corrections prefer the
    fewest edits (a swap of two neighbouring letters is one), then the commonest word."""

    def __init__(self, vocabulary: dict[str, int]) -> None:
        self._counts = vocabulary
        # By length: a word within n edits of another is within n letters of its length,
        # so a correction compares against a few lengths, not the whole vocabulary.
        self._by_length: dict[int, list[str]] = {}
        for word in vocabulary:
            self._by_length.setdefault(len(word), []).append(word)

    def knows(self, word: str) -> bool:
        return word in self._counts

    def correct(self, word: str) -> str:
        if self.knows(word) or len(word) < MIN_LENGTH or not word.isalpha():
            return word
        limit = max_edits(word)
        near = [
            found
            for length in range(len(word) - limit, len(word) + limit + 1)
            for found in process.extract(
                word,
                self._by_length.get(length, ()),
                scorer=OSA.distance,
                score_cutoff=limit,
                limit=None,
            )
        ]
        if not near:
            return word
        best = min(near, key=lambda found: (found[1], -self._counts[found[0]], found[0]))
        return str(best[0])

    def correct_all(self, terms: list[str]) -> list[str]:
        return [self.correct(term) for term in terms]
