"""The dashboard works under its own Content-Security-Policy: nothing it needs is blocked."""

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

pytestmark = pytest.mark.e2e


def test_every_page_draws_with_no_policy_violation(page: Page, seeded: str) -> None:
    blocked: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            blocked.append(message.text)

    page.on("console", note)
    page.on("pageerror", lambda error: blocked.append(str(error)))

    page.goto(seeded + "/", wait_until="domcontentloaded")
    expect(page.locator("#heatmap .main-svg").first).to_be_visible(timeout=15_000)
    expect(page.locator("#live")).to_contain_text("live", timeout=15_000)
    page.get_by_role("button", name="Light / dark").click()
    page.get_by_role("link", name="Model health").click()
    expect(page.get_by_role("heading", name="Compare two versions")).to_be_visible(timeout=15_000)

    assert blocked == []
