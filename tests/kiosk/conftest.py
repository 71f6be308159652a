"""Fixtures for the kiosk, tracking and booking tests: fresh rate limits for every test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    from queue_server.api import bookings, track

    for limiter in (track.TRACK_LIMIT, track.BAD_CODE_LIMIT, track.RATE_LIMIT,
                    bookings.BOOK_LIMIT, bookings.READ_LIMIT):
        limiter.reset()
    yield
