"""The human check: real ALTCHA v2 challenges, solved by the package's own solver, spent
once in a store, refused when tampered with or expired by the injected clock."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import altcha
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from frontdesk.db.tables import metadata, spent_challenges
from frontdesk.errors import Invalid
from frontdesk.intake.human_check import (
    ALGORITHM,
    CHALLENGE_LIFETIME,
    HumanCheck,
    solve,
)

SECRET = "unit-test-secret-" + "k" * 32
NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
# Cheap challenges: these tests are about the rules, not the cost of the work.
CHEAP = {"cost": 2, "max_counter": 50}


@pytest.fixture
def check() -> HumanCheck:
    return HumanCheck(SECRET, **CHEAP)


@pytest.fixture
async def engine():
    engine = create_async_engine("sqlite+aiosqlite:///:memory:")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


async def spend(engine, check: HumanCheck, payload: str, now: datetime) -> None:
    async with engine.begin() as conn:
        await check.spend(conn, payload, now)


async def spent_rows(engine) -> int:
    async with engine.connect() as conn:
        count = (await conn.execute(select(func.count()).select_from(spent_challenges))).scalar()
    return int(count or 0)


def refused(error: pytest.ExceptionInfo[Invalid]) -> None:
    assert error.value.code == "HUMAN_CHECK_FAILED"
    assert error.value.status == 422
    assert "human_check" in error.value.fields


def decoded(payload: str) -> dict:
    return json.loads(base64.b64decode(payload))


def encoded(data: dict) -> str:
    return base64.b64encode(json.dumps(data).encode()).decode()


# The challenge ---------------------------------------------------------------------------


def test_challenge_is_what_the_v3_widget_fetches(check):
    challenge = check.challenge(NOW)
    assert set(challenge) == {"parameters", "signature"}
    parameters = challenge["parameters"]
    assert parameters["algorithm"] == ALGORITHM
    assert {"nonce", "salt", "keyPrefix", "cost", "keyLength"} <= set(parameters)
    # Expiry rides in the signed data, judged by our clock; ALTCHA's own expiresAt would
    # be judged by the visitor's clock in the widget and the system clock in the library.
    assert "expiresAt" not in parameters
    assert parameters["data"] == {"expires": int((NOW + CHALLENGE_LIFETIME).timestamp())}


def test_default_challenge_costs_the_browser_real_work():
    parameters = HumanCheck(SECRET).challenge(NOW)["parameters"]
    assert parameters["cost"] >= 100
    # Deterministic mode: half the derived key is the prefix, so only one counter fits.
    assert len(parameters["keyPrefix"]) == parameters["keyLength"]


def test_each_challenge_is_new(check):
    first, second = check.challenge(NOW), check.challenge(NOW)
    assert first["parameters"]["nonce"] != second["parameters"]["nonce"]
    assert first["signature"] != second["signature"]


# Spending --------------------------------------------------------------------------------


async def test_a_solution_is_accepted_once(engine, check):
    payload = solve(check.challenge(NOW))
    await spend(engine, check, payload, NOW + timedelta(minutes=1))
    assert await spent_rows(engine) == 1

    with pytest.raises(Invalid) as error:
        await spend(engine, check, payload, NOW + timedelta(minutes=2))
    refused(error)
    assert await spent_rows(engine) == 1


async def test_a_refused_replay_leaves_the_callers_transaction_usable(engine, check):
    payload = solve(check.challenge(NOW))
    await spend(engine, check, payload, NOW)
    async with engine.begin() as conn:
        with pytest.raises(Invalid):
            await check.spend(conn, payload, NOW)
        # The savepoint rolled back alone: the caller's transaction goes on.
        await check.spend(conn, solve(check.challenge(NOW)), NOW)
    assert await spent_rows(engine) == 2


async def test_spending_rolls_back_with_the_callers_transaction(engine, check):
    payload = solve(check.challenge(NOW))
    with pytest.raises(RuntimeError):
        async with engine.begin() as conn:
            await check.spend(conn, payload, NOW)
            raise RuntimeError("the case could not be opened")
    # Nothing was opened, so the same solution still counts.
    await spend(engine, check, payload, NOW)


async def test_expiry_is_judged_by_the_given_clock_at_the_exact_edge(engine, check):
    expires = NOW + CHALLENGE_LIFETIME
    just_in_time = solve(check.challenge(NOW))
    await spend(engine, check, just_in_time, expires - timedelta(microseconds=1))

    too_late = solve(check.challenge(NOW))
    with pytest.raises(Invalid) as error:
        await spend(engine, check, too_late, expires)
    refused(error)


async def test_the_system_clock_plays_no_part(engine, check):
    # Years from today's date either way, the clock we are given decides alone.
    for at in (datetime(2001, 3, 1, 9, 0, tzinfo=UTC), datetime(2091, 3, 1, 9, 0, tzinfo=UTC)):
        await spend(engine, check, solve(check.challenge(at)), at + timedelta(minutes=19))


async def test_spent_solutions_are_forgotten_once_expired(engine, check):
    await spend(engine, check, solve(check.challenge(NOW)), NOW)
    later = NOW + CHALLENGE_LIFETIME + timedelta(seconds=1)
    await spend(engine, check, solve(check.challenge(later)), later)
    assert await spent_rows(engine) == 1


# Tampering -------------------------------------------------------------------------------


def tampered_counter(payload: str) -> str:
    data = decoded(payload)
    data["solution"]["counter"] += 1
    return encoded(data)


def tampered_expiry(payload: str) -> str:
    data = decoded(payload)
    data["challenge"]["parameters"]["data"]["expires"] += 3600
    return encoded(data)


def tampered_prefix(payload: str) -> str:
    data = decoded(payload)
    data["challenge"]["parameters"]["keyPrefix"] = "00"
    return encoded(data)


def unsigned(payload: str) -> str:
    data = decoded(payload)
    del data["challenge"]["signature"]
    return encoded(data)


@pytest.mark.parametrize(
    "tamper",
    [tampered_counter, tampered_expiry, tampered_prefix, unsigned],
    ids=["counter", "expiry", "key-prefix", "no-signature"],
)
async def test_a_tampered_solution_is_refused(engine, check, tamper):
    payload = tamper(solve(check.challenge(NOW)))
    with pytest.raises(Invalid) as error:
        await spend(engine, check, payload, NOW)
    refused(error)
    assert await spent_rows(engine) == 0


async def test_a_challenge_signed_with_another_key_is_refused(engine, check):
    other = HumanCheck("another-secret-" + "z" * 32, **CHEAP)
    with pytest.raises(Invalid) as error:
        await spend(engine, check, solve(other.challenge(NOW)), NOW)
    refused(error)


async def test_a_cheaper_algorithm_is_refused_even_when_signed(engine, check):
    # Signed with our key but not issued by us: plain SHA-256 costs a bot far less.
    cheap = altcha.create_challenge(
        "SHA-256",
        1,
        counter=3,
        data={"expires": int((NOW + CHALLENGE_LIFETIME).timestamp())},
        hmac_secret=f"{SECRET}:altcha",
    )
    with pytest.raises(Invalid) as error:
        await spend(engine, check, solve(cheap.to_dict()), NOW)
    refused(error)


@pytest.mark.parametrize(
    "payload",
    [
        "not base64 at all!",
        base64.b64encode(b"not json").decode(),
        encoded({"challenge": None, "solution": None, "test": True}),
        encoded({"algorithm": "SHA-256", "challenge": "ab", "number": 1, "salt": "x"}),
    ],
    ids=["garbage", "not-json", "widget-test-mode", "v1-shape"],
)
async def test_malformed_payloads_are_refused(engine, check, payload):
    with pytest.raises(Invalid) as error:
        await spend(engine, check, payload, NOW)
    refused(error)
