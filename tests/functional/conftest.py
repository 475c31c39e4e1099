"""Browser fixtures: Playwright driving Debian's Chromium against pytest-django's live server.

One browser for the functional tests, a new context (cookies, storage) per test.
The live server's tests are transactional: the database is flushed after each,
so each test loads the reference data again, and the package puts it back once
the functional tests are done, for the tests that run after them.

Playwright's sync API keeps an asyncio loop running in this thread, so Django
would refuse the test's own ORM calls (SynchronousOnlyOperation) without
DJANGO_ALLOW_ASYNC_UNSAFE; the browser is package-scoped so that the loop is
stopped before the other test packages run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from tests.functional.support import BROWSER_ARGS, CHROMIUM, browser_missing, screenshot

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Anything the browser reports about the Content-Security-Policy, or a script error, fails the test.
CSP_MESSAGE = re.compile(r"Content[- ]Security[- ]Policy|Refused to (execute|load|apply|evaluate)", re.IGNORECASE)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember whether the test itself failed, for the screenshots of its pages."""
    report = yield
    if report.when == "call":
        item.browser_test_failed = report.failed
    return report


@pytest.fixture(scope="package")
def playwright_driver():
    reason = browser_missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    driver = sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()


@pytest.fixture(scope="package")
def browser(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS, headless=True)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture(scope="package", autouse=True)
def reference_data_restored(django_db_setup, django_db_blocker):
    """After the last functional test's flush, the reference data the other tests expect is back."""
    yield
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)


@pytest.fixture
def reference_data(live_server):
    """Pay bands, postage and condition registers: the flush after each live-server test removes them."""
    call_command("load_reference_data", verbosity=0)


@pytest.fixture
def base_url(live_server, reference_data) -> str:
    return live_server.url


class BrowserProblems:
    """Script errors and CSP violations the pages reported; checked when the test ends."""

    def __init__(self):
        self.messages: list[str] = []

    def console(self, message) -> None:
        if message.type == "error" and CSP_MESSAGE.search(message.text):
            self.messages.append(f"console: {message.text}")

    def page_error(self, error) -> None:
        self.messages.append(f"page error: {error}")


@pytest.fixture
def browser_problems() -> BrowserProblems:
    return BrowserProblems()


@pytest.fixture
def new_context(request, browser, base_url, browser_problems):
    """Opens a fresh context (a separate person: own cookies) on the live server; all closed at the end.

    When the test fails, each of its pages is screenshotted into $SCREENSHOT_DIR (when set).
    """
    contexts = []

    def make(**options):
        options = {
            "base_url": base_url,
            "viewport": {"width": 1280, "height": 900},
            "locale": "en-GB",
            "timezone_id": "Europe/London",
            "accept_downloads": True,
            **options,
        }
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        context.set_default_navigation_timeout(20_000)
        context.on("console", browser_problems.console)
        context.on("weberror", lambda web_error: browser_problems.page_error(web_error.error))
        contexts.append(context)
        return context

    yield make
    failed = getattr(request.node, "browser_test_failed", False)
    for i, context in enumerate(contexts):
        if failed:
            for j, open_page in enumerate(context.pages):
                screenshot(open_page, f"FAILED-{request.node.name}-{i}-{j}")
        context.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context, browser_problems) -> Iterator:
    page = context.new_page()
    yield page
    assert not browser_problems.messages, "The browser reported problems:\n" + "\n".join(browser_problems.messages)


@pytest.fixture
def world(base_url, example_b, example_cd):
    """A practice with worked examples B and C/D, its admin, its facilitator and a pending invitation.

    Set up through the services, not the UI: these tests are about the pages, not about building them
    (test_journey.py builds example B through the UI).
    """
    from dataclasses import replace
    from datetime import date
    from decimal import Decimal

    from costing import profiles
    from pathways.services import cost_model_import, cost_model_mark_baseline, profile_create
    from practices.models import FacilitatorAssignment, Membership
    from tests.factories import FacilitatorFactory, MembershipFactory, PracticeFactory, UserFactory
    from tests.factories.accounts import InvitationFactory

    practice = PracticeFactory(name="Riverside Surgery", ods_code="Y01234", list_size=9699)
    # The model files' own (long) names: real names are long, and the pages must cope.
    model_b = cost_model_import(practice=practice, model=example_b, by=None)
    model_cd = cost_model_import(practice=practice, model=example_cd, by=None)
    # The practice's real figures are a month's (C/D), which the roll-up shows a year of.
    cost_model_mark_baseline(cost_model=model_cd, by=None)
    # A scenario that costs more after than before: the conversation takes two hours.
    csp = next(p for p in example_b.pathways if p.key == "csp")
    longer = replace(
        csp,
        key="csp-long",
        name="Combined CSP, two-hour conversation",
        stages=tuple(replace(s, minutes=Decimal(120)) if s.step == "conversation" else s for s in csp.stages),
    )
    dearer = replace(
        example_b,
        pathways=(*example_b.pathways, longer),
        after=tuple(replace(c, pathway="csp-long") for c in example_b.after),
    )
    model_dearer = cost_model_import(practice=practice, model=dearer, by=None, name="Example B, longer conversation")
    admin = MembershipFactory(
        practice=practice,
        role=Membership.Role.ADMIN,
        user=UserFactory(username="practice.admin", first_name="Priya", last_name="Manager"),
    )
    facilitator = FacilitatorFactory(user=UserFactory(username="facilitator", first_name="Fay", last_name="Cole"))
    FacilitatorAssignment.objects.create(facilitator=facilitator, practice=practice)
    invitation = InvitationFactory(practice=practice, email="new.nurse@riverside.example.nhs.uk")
    profile = profile_create(
        practice=practice, read_on=date(2026, 11, 2), profile=profiles.from_model(example_b), by=None
    )
    return {
        "base_url": base_url,
        "practice": practice,
        "ods": practice.ods_code,
        "model_b": model_b,
        "model_cd": model_cd,
        "model_dearer": model_dearer,
        "admin": admin.user,
        "facilitator": facilitator.user,
        "invitation": invitation,
        "profile": profile,
    }
