"""Helpers of the browser tests: the browser check, logging in, screenshots, axe, keyboard."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_HINT = "apt-get install -y chromium; pip install -r requirements.lock"


def browser_missing() -> str:
    """Why the browser tests cannot run here, or '' when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as missing:
        return f"browser tests skipped: the playwright package cannot be imported ({missing}); {INSTALL_HINT}"
    if not CHROMIUM.exists():
        return f"browser tests skipped: no Chromium at {CHROMIUM} ({INSTALL_HINT})"
    return ""


def skip_without_browser() -> None:
    """A module-level skip, with the reason, where Chromium or Playwright is missing."""
    reason = browser_missing()
    if reason:
        pytest.skip(reason, allow_module_level=True)


# ------------------------------------------------------------------------ pages


def login(page, username: str, password: str) -> None:
    """Log in through the login page; ends on the dashboard."""
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My practices", level=1)).to_be_visible()


def log_in_as(page, user, base_url: str) -> None:
    """Give the page's browser context a logged-in session of ``user`` (for tests not about logging in)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


def screenshot(page, name: str) -> None:
    """A full-page screenshot in $SCREENSHOT_DIR, when it is set."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if not folder:
        return
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^\w.-]+", "-", name).strip("-")
    page.screenshot(path=str(path / f"{safe}.png"), full_page=True)


def wait_for_charts(page) -> None:
    """Every chart on the page drawn by plotly.js (it adds .main-svg to the chart's element)."""
    from playwright.sync_api import expect

    charts = page.locator(".chart")
    for i in range(charts.count()):
        expect(charts.nth(i).locator("svg.main-svg").first).to_be_attached()


# ------------------------------------------------------------------------ axe


SERIOUS = {"serious", "critical"}
_AXE = None


def axe_violations(page, context: dict | None = None, *, impacts: set[str] | None = None) -> list[str]:
    """axe-core's violations on the page (or the part ``context`` names), one per element; every impact
    (minor to critical) unless ``impacts`` names some.

    All of axe's rules that are on by default: WCAG 2.0-2.2 A and AA, and best practices.
    """
    global _AXE
    from axe_playwright_python.sync_playwright import Axe

    _AXE = _AXE or Axe()  # reads axe.min.js once
    results = _AXE.run(page, context=context, options={"resultTypes": ["violations"]})
    lines = []
    for violation in results.response["violations"]:
        if impacts is not None and violation["impact"] not in impacts:
            continue
        for node in violation["nodes"]:
            target = ", ".join(str(t) for t in node["target"])
            lines.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']} at {target}\n"
                f"    {node['html'][:240]}\n    {node.get('failureSummary', '').replace(chr(10), ' ')[:400]}"
            )
    return lines


def axe_serious_violations(page, context: dict | None = None) -> list[str]:
    """Only the serious and critical ones."""
    return axe_violations(page, context, impacts=SERIOUS)


# ------------------------------------------------------------------------ keyboard


def focused_is(page, locator) -> bool:
    """Whether the element of ``locator`` has the keyboard focus (no script evaluation: CSP-safe)."""
    return locator.and_(page.locator(":focus")).count() == 1


def tab_to(page, locator, *, backwards: bool = False, limit: int = 80) -> int:
    """Press Tab (or Shift+Tab) until ``locator`` has the focus; how many presses it took."""
    key = "Shift+Tab" if backwards else "Tab"
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if focused_is(page, locator):
            return presses
    raise AssertionError(f"{limit} presses of {key} never reached {locator}")


class Traffic:
    """Counts a page's requests in flight, to wait until the page is quiet (htmx waits before it asks)."""

    def __init__(self, page):
        self.page = page
        self.in_flight = 0
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request) -> None:
        self.in_flight += 1

    def _ended(self, request) -> None:
        self.in_flight -= 1

    def settle(self, *, quiet_ms: int = 600, timeout: float = 60.0) -> None:
        """No request in flight for ``quiet_ms``, then the page's main thread is free (scripts done)."""
        deadline = time.monotonic() + timeout
        quiet_since = None
        while True:
            # Playwright's sync API delivers events only while it runs: wait in the page, not with sleep().
            self.page.wait_for_timeout(100)
            now = time.monotonic()
            if self.in_flight:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = now
            elif (now - quiet_since) * 1000 >= quiet_ms:
                break
            if now > deadline:
                raise AssertionError(f"the page never went quiet: {self.in_flight} requests in flight")
        self.page.evaluate("0")  # answered only once the page's scripts have finished


def wait_until(condition, *, timeout: float = 10.0, interval: float = 0.1, message: str = "condition"):
    """Poll a Python condition (the CSP forbids Playwright's string-evaluated wait_for_function)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(interval)
