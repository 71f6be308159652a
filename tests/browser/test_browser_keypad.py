"""A USB rating keypad (a keyboard typing 1–5) at the counter PC rates the ticket just finished."""

from __future__ import annotations

import pytest
from livesupport import issue, login_console

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def ratings(server) -> list[dict]:
    return [e for e in server.events() if e["type"] == "ticket.rated"]


def test_keypad_rates_the_ticket_just_finished_debounced(browser, server):
    counters = server.counter_ids()
    issue(server, "HT", 1)
    ctx, console, errors = login_console(browser, server)
    try:
        # Before anything was served here, a press says there is nothing to rate.
        console.click(f"button.counter-choice[data-counter='{counters[2]}']")
        console.wait_for_selector("#console:not([hidden])")
        console.keyboard.press("Digit3")
        console.wait_for_selector(".toast-error")
        assert ratings(server) == []

        console.click("#btn-next")
        console.wait_for_function("document.getElementById('current-number').textContent === 'A001'")
        console.click("#btn-finish")
        console.wait_for_function("document.getElementById('current-number').textContent !== 'A001'")
        console.wait_for_timeout(300)  # the ticket.finished event reaches the page

        # A bouncing key (two presses within the debounce) is one rating.
        console.keyboard.press("Digit3")
        console.keyboard.press("Digit3")
        console.wait_for_selector(".toast-ok")
        console.wait_for_timeout(500)
        rated = ratings(server)
        assert [(e["number"], e["level"], e["replaced"]) for e in rated] == [("A001", 3, False)]

        # A later press on the lowest key (numpad too) replaces it within the window.
        console.keyboard.press("Numpad1")
        console.wait_for_timeout(800)
        rated = ratings(server)
        assert [(e["level"], e["replaced"]) for e in rated] == [(3, False), (1, True)]
        assert all(e["actor"] == "user:canbo2" for e in rated)

        # Digits typed into the dossier field are text, not ratings.
        console.fill("#dossier", "")
        console.click("#dossier")
        console.keyboard.type("12")
        console.wait_for_timeout(400)
        assert len(ratings(server)) == 2
        assert not errors, errors
    finally:
        ctx.close()
