"""The accessibility check itself: it runs, and it catches what it should."""

from __future__ import annotations

from tests.browser.axe import assert_accessible, axe_violations


def test_the_home_page_passes(page):
    page.goto("/")
    assert_accessible(page)


def test_an_unlabelled_control_is_caught(page):
    page.goto("/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input>')")
    assert any(v["id"] == "label" for v in axe_violations(page))
