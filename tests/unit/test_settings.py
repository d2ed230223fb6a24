"""Settings: read from FRONTDESK_* variables; production refuses unsafe values."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from frontdesk.settings import DEMO_SECRET_KEY, Settings

STRONG_KEY = "k" * 32


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    """The tests own every FRONTDESK_* variable: none leaks in from the shell."""
    for name in list(os.environ):
        if name.startswith("FRONTDESK_"):
            monkeypatch.delenv(name)


def build(**values) -> Settings:
    return Settings(_env_file=None, **values)


def refusal(**values) -> str:
    with pytest.raises(ValidationError) as caught:
        build(**values)
    return str(caught.value)


# Production ------------------------------------------------------------------------------


def test_production_with_safe_values_starts():
    settings = build(env="production", secret_key=STRONG_KEY, public_url="https://help.example")
    assert settings.secure_cookies


def test_production_refuses_the_demo_secret_key():
    message = refusal(env="production", public_url="https://help.example")
    assert "FRONTDESK_SECRET_KEY is the demo key" in message


def test_production_refuses_a_31_character_key():
    message = refusal(env="production", secret_key="k" * 31, public_url="https://help.example")
    assert "at least 32 characters" in message


def test_production_accepts_a_32_character_key():
    assert build(env="production", secret_key="k" * 32, public_url="https://help.example")


@pytest.mark.parametrize(
    "url", ["http://help.example", "http://10.0.0.5:8000", "ftp://help.example"]
)
def test_production_refuses_a_plain_public_url(url):
    assert "must be https://" in refusal(env="production", secret_key=STRONG_KEY, public_url=url)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"]
)
def test_production_allows_plain_http_on_loopback(url):
    settings = build(env="production", secret_key=STRONG_KEY, public_url=url)
    assert not settings.secure_cookies


def test_production_lists_every_problem_at_once():
    message = refusal(env="production", public_url="http://help.example")
    assert "demo key" in message
    assert "https://" in message


# Demo and test ---------------------------------------------------------------------------


def test_demo_runs_on_the_defaults():
    settings = build()
    assert settings.env == "demo"
    assert settings.secret_key == DEMO_SECRET_KEY
    assert settings.database_url.startswith("sqlite+aiosqlite://")
    assert settings.redis_url is None
    assert settings.migrate_on_start  # the embedded store migrates itself
    assert not settings.secure_cookies


def test_test_mode_accepts_the_demo_key_and_plain_http():
    settings = build(env="test", public_url="http://help.example")
    assert settings.secret_key == DEMO_SECRET_KEY


def test_settings_are_frozen():
    settings = build()
    with pytest.raises(ValidationError):
        settings.env = "production"


def test_postgres_does_not_migrate_on_start_unless_asked():
    url = "postgresql+asyncpg://db/frontdesk"
    assert not build(database_url=url).migrate_on_start
    assert build(database_url=url, auto_migrate=True).migrate_on_start


def test_https_public_url_makes_cookies_secure():
    assert build(public_url="https://help.example").secure_cookies


def test_throttle_limits_must_be_positive():
    assert "throttle_per_account" in refusal(throttle_per_account=0)


# Environment variables -------------------------------------------------------------------


def test_values_come_from_frontdesk_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", "postgresql+asyncpg://db/frontdesk")
    monkeypatch.setenv("FRONTDESK_REDIS_URL", "redis://cache:6379/1")
    monkeypatch.setenv("FRONTDESK_PUBLIC_URL", "https://help.example")
    monkeypatch.setenv("FRONTDESK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FRONTDESK_THROTTLE_PER_ACCOUNT", "3")
    monkeypatch.setenv("FRONTDESK_AUTO_MIGRATE", "true")
    settings = build()
    assert settings.database_url == "postgresql+asyncpg://db/frontdesk"
    assert settings.redis_url == "redis://cache:6379/1"
    assert settings.public_url == "https://help.example"
    assert settings.data_dir == Path(tmp_path)
    assert settings.throttle_per_account == 3
    assert settings.migrate_on_start


def test_production_from_the_environment_is_checked(monkeypatch):
    monkeypatch.setenv("FRONTDESK_ENV", "production")
    monkeypatch.setenv("FRONTDESK_PUBLIC_URL", "https://help.example")
    assert "demo key" in refusal()
    monkeypatch.setenv("FRONTDESK_SECRET_KEY", STRONG_KEY)
    assert build().env == "production"


def test_variables_without_the_prefix_are_ignored(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://elsewhere/db")
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    settings = build()
    assert settings.database_url.startswith("sqlite")
    assert settings.secret_key == DEMO_SECRET_KEY


def test_an_unknown_env_is_refused(monkeypatch):
    monkeypatch.setenv("FRONTDESK_ENV", "staging")
    assert "env" in refusal()


def test_a_malformed_number_is_refused(monkeypatch):
    monkeypatch.setenv("FRONTDESK_SESSION_DAYS", "fortnight")
    assert "session_days" in refusal()


def test_away_reasons_are_read_comma_separated_in_their_order(monkeypatch):
    monkeypatch.setenv("FRONTDESK_AWAY_REASONS", " Lunch , School run,Training,")
    assert Settings(_env_file=None).away_reason_list == ("Lunch", "School run", "Training")


@pytest.mark.parametrize(
    ("reasons", "said"),
    [
        (" , ", "at least one reason"),
        ("Lunch,lunch", "listed twice"),
        ("Lunch,Idle", "the desk gives itself"),
        ("x" * 41, "at most 40 characters"),
    ],
)
def test_away_reasons_refuse_what_agents_could_not_pick_clearly(reasons, said):
    assert said in refusal(away_reasons=reasons)


def test_the_names_people_see_are_read_trimmed_and_default_to_the_demos(monkeypatch):
    assert (build().product_name, build().organisation_name) == (
        "frontdesk",
        "Northgate Assessment",
    )
    monkeypatch.setenv("FRONTDESK_PRODUCT_NAME", " Help Centre ")
    monkeypatch.setenv("FRONTDESK_ORGANISATION_NAME", "Example Board")
    settings = build()
    assert (settings.product_name, settings.organisation_name) == ("Help Centre", "Example Board")


@pytest.mark.parametrize("name", ["", "   ", "x" * 61])
def test_a_blank_or_paragraph_long_name_is_refused(name):
    assert "organisation_name" in refusal(organisation_name=name)
    assert "product_name" in refusal(product_name=name)
