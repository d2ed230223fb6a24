"""Which page origins may open sockets (frontdesk/origins.py)."""

from __future__ import annotations

import logging

import pytest

from frontdesk.origins import SocketOrigins
from frontdesk.settings import Settings

PRODUCTION = {
    "env": "production",
    "secret_key": "s" * 40,
    "argon2_memory_kib": 19456,
    "argon2_time_cost": 2,
}


def origins(**values: object) -> SocketOrigins:
    return SocketOrigins(Settings(_env_file=None, **values))  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "origin", ["http://127.0.0.1:8501", "http://localhost:8501", "http://[::1]:8501"]
)
def test_outside_production_every_loopback_name_of_the_served_port_is_accepted(origin):
    assert origins(public_url="http://127.0.0.1:8501")(origin)


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:8000",
        "http://127.0.0.1:8000",
        "https://127.0.0.1:8501",
        "http://evil.example",
    ],
)
def test_other_ports_schemes_and_hosts_are_refused(origin):
    assert not origins(public_url="http://127.0.0.1:8501")(origin)


def test_in_production_only_the_public_url_and_the_listed_origins(monkeypatch):
    policy = origins(
        public_url="https://help.example.org/",
        allowed_origins="https://support.example.org, https://HELP.example.net",
        **PRODUCTION,
    )
    assert policy("https://help.example.org")
    assert policy("https://support.example.org")
    assert policy("https://help.example.net"), "origins compare without case"
    assert not policy("http://localhost:443")
    assert not policy("https://evil.example")


def test_a_request_without_an_origin_is_left_to_the_cookie_check():
    assert origins().allows(None)


def test_a_refused_origin_is_logged_once_with_what_to_set(caplog):
    policy = origins(public_url="http://127.0.0.1:8501")
    with caplog.at_level(logging.WARNING, logger="frontdesk.origins"):
        for _ in range(3):
            policy("http://localhost:8000")
    assert len(caplog.records) == 1, "once per origin, not once per retry"
    assert "http://localhost:8000" in caplog.text
    assert "FRONTDESK_PUBLIC_URL" in caplog.text and "FRONTDESK_ALLOWED_ORIGINS" in caplog.text
