"""Announcements on the hall display: played one after another, never overlapping, and when the
browser blocks sound, a "Bật âm thanh" button that lets the waiting calls through."""

from __future__ import annotations

import pytest
import requests
from livesupport import DISPLAY, KIOSK, agent_token

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOG_PLAYER = """() => {
  const p = window.MotCuaDisplay.player;
  p.defaultPlaybackRate = 16;  // 16× so a 13 s announcement lasts under a second
  window.__log = [];
  for (const name of ['play', 'ended']) p.addEventListener(name, () => window.__log.push(name));
}"""


def calls(server, n: int, *, recall_last: bool = False) -> None:
    agent = {"Authorization": f"Bearer {agent_token(2)}"}
    counters = server.counter_ids()
    for _ in range(n):
        requests.post(server.api("/tickets"), json={"service": "HT"},
                      headers={"Authorization": f"Bearer {KIOSK}"}, timeout=10).raise_for_status()
    requests.post(server.api(f"/counters/{counters[2]}/open"), headers=agent, timeout=10)
    last = None
    for _ in range(n):
        last = requests.post(server.api(f"/counters/{counters[2]}/call-next"), headers=agent,
                             timeout=10).json()
    if recall_last:
        requests.post(server.api(f"/tickets/{last['id']}/recall"), headers=agent,
                      timeout=10).raise_for_status()


def open_hall(browser, server):
    ctx = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    page.goto(f"{server.url}/display?token={DISPLAY}")
    page.wait_for_selector("body[data-live='1']")
    page.wait_for_timeout(300)  # the silent autoplay probe has finished
    return ctx, page


def test_calls_are_announced_in_turn_never_overlapping(launch, server):
    # as a kiosk-mode TV is started (README): sound allowed without a tap
    ctx, page = open_hall(launch("--autoplay-policy=no-user-gesture-required"), server)
    assert page.locator("#sound").is_hidden(), "this browser allows sound: no button"
    page.evaluate(LOG_PLAYER)
    calls(server, 2, recall_last=True)
    page.wait_for_function("window.MotCuaDisplay.stats().played === 3", timeout=20_000)
    log = page.evaluate("window.__log")
    assert log == ["play", "ended"] * 3, log
    stats = page.evaluate("window.MotCuaDisplay.stats()")
    assert stats["failed"] == 0 and stats["queued"] == 0 and stats["dropped"] == 0
    ctx.close()


def test_blocked_sound_shows_the_button_and_plays_after_a_tap(browser, server):
    blocked = browser  # headless Chromium, like a desktop browser, wants a tap before sound
    ctx, page = open_hall(blocked, server)
    page.wait_for_selector("#sound:not([hidden])")
    assert "Bật âm thanh" in page.locator("#sound").text_content()
    page.evaluate(LOG_PLAYER)
    calls(server, 1)
    page.wait_for_function("window.MotCuaDisplay.stats().announced === 1")
    page.wait_for_timeout(500)
    stats = page.evaluate("window.MotCuaDisplay.stats()")
    assert stats["played"] == 0 and stats["queued"] == 1 and stats["blocked"]
    page.click("#sound")
    page.wait_for_function("window.MotCuaDisplay.stats().played === 1", timeout=20_000)
    assert page.locator("#sound").is_hidden()
    assert page.evaluate("window.__log") == ["play", "ended"]
    ctx.close()
