"""Near-miss spellings: which words are corrected, to what, and which are left alone."""

from __future__ import annotations

import pytest

from frontdesk.kb.spelling import MIN_LENGTH, Speller, max_edits

VOCABULARY = {
    "certificates": 40,
    "certificate": 5,
    "entries": 30,
    "moderation": 12,
    "moderator": 3,
    "grades": 50,
    "grader": 1,
    "results": 60,
    "resits": 2,
    "candidate": 25,
}


@pytest.fixture
def speller():
    return Speller(VOCABULARY)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("certficates", "certificates"),  # a letter missing
        ("certificatess", "certificates"),  # a letter too many
        ("certifikates", "certificates"),  # a letter wrong
        ("entires", "entries"),  # two neighbours swapped: one edit
        ("moderaton", "moderation"),
        ("modreation", "moderation"),
        ("candiadte", "candidate"),
        ("cretifcates", "certificates"),  # two edits in a long word
    ],
)
def test_a_near_miss_becomes_the_word_meant(speller, typed, meant):
    assert speller.correct(typed) == meant


def test_a_known_word_is_kept_even_when_a_commoner_word_is_one_edit_away(speller):
    assert speller.correct("grader") == "grader"
    assert speller.correct("resits") == "resits"
    assert speller.knows("grader") and not speller.knows("grade")


def test_ties_go_to_the_commoner_word_then_alphabetical():
    assert Speller({"grades": 50, "grader": 1}).correct("gradez") == "grades"
    assert Speller({"grades": 1, "grader": 50}).correct("gradez") == "grader"
    assert Speller({"bbbbx": 3, "abbbx": 3}).correct("cbbbx") == "abbbx"


def test_fewer_edits_beat_a_commoner_word():
    speller = Speller({"moderation": 1, "moderator": 1000})
    assert speller.correct("moderatio") == "moderation"


@pytest.mark.parametrize("typed", ["gr", "cat", "abc", "res"])
def test_short_words_are_never_corrected(speller, typed):
    assert len(typed) < MIN_LENGTH
    assert speller.correct(typed) == typed


def test_short_words_take_one_edit_longer_ones_two():
    assert (max_edits("four"), max_edits("fives"), max_edits("sixsix")) == (1, 1, 2)
    speller = Speller({"resits": 2, "exam": 9})
    assert speller.correct("exem") == "exam"
    assert speller.correct("exxm") == "exam"
    assert speller.correct("eksm") == "eksm"  # two edits from a four-letter word
    assert speller.correct("reesitss") == "resits"
    assert speller.correct("rezzitss") == "rezzitss"  # three edits


@pytest.mark.parametrize("typed", ["12345", "2026", "abc123", "x-ray"])
def test_numbers_and_mixed_words_are_left_alone(speller, typed):
    assert speller.correct(typed) == typed


def test_a_far_word_is_left_as_typed(speller):
    assert speller.correct("zeppelins") == "zeppelins"


def test_an_empty_vocabulary_corrects_nothing():
    speller = Speller({})
    assert speller.correct("certficates") == "certficates"
    assert speller.correct_all(["a", "moderaton"]) == ["a", "moderaton"]


def test_correct_all_keeps_order_and_known_words(speller):
    assert speller.correct_all(["moderaton", "results", "certficates"]) == [
        "moderation",
        "results",
        "certificates",
    ]
