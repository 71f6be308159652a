"""Fixtures for the device API tests: logged-in browser sessions (helpers as fixtures because
tests run with --import-mode=importlib)."""

from __future__ import annotations

import re

import pytest
from support import Api, Seed


class Session(Api):
    """A person logged in through the real /login form, sending the CSRF header on writes."""

    def __init__(self, client, username: str, password: str):
        super().__init__(client)
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = client.post("/login", data={"csrf_token": token, "username": username,
                                        "password": password})
        assert r.status_code == 302, (username, r.status_code)
        meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/").text)
        self.headers = {"X-CSRFToken": meta.group(1)}


@pytest.fixture
def login(app, seed: Seed):
    """login("staff2") → an Api over a fresh client logged in as that seeded user."""

    def factory(username: str) -> Session:
        return Session(app.test_client(), username, Seed.password)

    return factory
