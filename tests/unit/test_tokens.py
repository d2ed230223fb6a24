"""Signed link tokens: they round-trip, and refuse tampering and the wrong purpose."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeSerializer

from frontdesk.accounts import tokens

KEY = "a-test-secret-key-of-enough-length!!"


def test_sign_then_unsign_gives_the_nonce_back():
    nonce = tokens.new_nonce()
    assert tokens.unsign(KEY, tokens.VERIFY, tokens.sign(KEY, tokens.VERIFY, nonce)) == nonce


def test_tokens_are_url_safe():
    token = tokens.sign(KEY, tokens.RESET, tokens.new_nonce())
    assert all(ch.isalnum() or ch in "-_." for ch in token)


def test_nonces_are_random_and_long():
    nonces = {tokens.new_nonce() for _ in range(100)}
    assert len(nonces) == 100
    assert all(len(nonce) >= 40 for nonce in nonces)


def test_digest_is_stable_sha256_hex():
    assert tokens.digest("abc") == tokens.digest("abc")
    assert tokens.digest("abc") != tokens.digest("abd")
    assert len(tokens.digest("abc")) == 64


def _flip(ch: str) -> str:
    # Change the top bits of the base64 digit: the last digit of a signature carries
    # only two data bits, so "A" <-> "B" there would decode to the same bytes.
    return "z" if ch in "ABCDEFGHIJKLMNOP" else "A"


@pytest.mark.parametrize("position", [0, 10, -1, -10])
def test_a_tampered_token_is_refused(position):
    token = tokens.sign(KEY, tokens.VERIFY, tokens.new_nonce())
    chars = list(token)
    chars[position] = _flip(chars[position])
    assert tokens.unsign(KEY, tokens.VERIFY, "".join(chars)) is None


def test_a_nonce_swapped_under_a_valid_signature_is_refused():
    token = tokens.sign(KEY, tokens.VERIFY, tokens.new_nonce())
    other = tokens.sign(KEY, tokens.VERIFY, tokens.new_nonce())
    payload, signature = token.rsplit(".", 1)
    other_payload = other.rsplit(".", 1)[0]
    assert tokens.unsign(KEY, tokens.VERIFY, f"{other_payload}.{signature}") is None
    assert tokens.unsign(KEY, tokens.VERIFY, f"{payload}.{signature}") is not None


@pytest.mark.parametrize("garbage", ["", "nonsense", ".", "a.b.c", "\x00"])
def test_garbage_is_refused(garbage):
    assert tokens.unsign(KEY, tokens.RESET, garbage) is None


def test_a_verification_token_is_refused_for_a_reset():
    token = tokens.sign(KEY, tokens.VERIFY, tokens.new_nonce())
    assert tokens.unsign(KEY, tokens.RESET, token) is None


def test_a_reset_token_is_refused_for_verification():
    token = tokens.sign(KEY, tokens.RESET, tokens.new_nonce())
    assert tokens.unsign(KEY, tokens.VERIFY, token) is None


def test_a_token_signed_with_another_key_is_refused():
    token = tokens.sign("another-secret-key-entirely-different", tokens.VERIFY, "nonce")
    assert tokens.unsign(KEY, tokens.VERIFY, token) is None


def test_a_signed_payload_that_is_not_a_string_is_refused():
    token = URLSafeSerializer(KEY, salt=f"frontdesk.{tokens.VERIFY}").dumps({"id": 1})
    assert tokens.unsign(KEY, tokens.VERIFY, token) is None
