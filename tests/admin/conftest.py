"""Fixtures for the admin tests: people logged in through the real /login form, posting forms
with the CSRF token the pages carry."""

from __future__ import annotations

import re

import pytest


class Browser:
    """A Flask test client logged in as `username` (or anonymous), posting forms with CSRF."""

    def __init__(self, client, username: str | None = None, password: str = "mat-khau-1"):
        self.client = client
        self.csrf = ""
        if username:
            status = self.login(username, password)
            assert status == 302, (username, status)

    def login(self, username: str, password: str) -> int:
        page = self.client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = self.client.post("/login", data={"csrf_token": token, "username": username,
                                             "password": password})
        if r.status_code == 302:
            self.refresh_csrf()
        return r.status_code

    def refresh_csrf(self) -> None:
        self.csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"',
                              self.client.get("/").text).group(1)

    def get(self, path: str, **kw):
        return self.client.get(path, **kw)

    def post(self, path: str, data: dict | None = None, **kw):
        return self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kw)

    def post_json(self, path: str, body):
        return self.client.post(path, json=body, headers={"X-CSRFToken": self.csrf})


def _field_error(html: str, name: str) -> str | None:
    match = re.search(rf'<p class="field-error" id="e-{re.escape(name)}" role="alert">([^<]*)</p>', html)
    return match.group(1) if match else None


@pytest.fixture
def field_error():
    """field_error(html, name) → the message shown next to field `name`, or None."""
    return _field_error


@pytest.fixture
def login(app, seed):
    """login("root") → a Browser logged in as that seeded user (password mat-khau-1)."""

    def factory(username: str | None = None, password: str = "mat-khau-1") -> Browser:
        return Browser(app.test_client(), username, password)

    return factory


@pytest.fixture
def admin_ui(login) -> Browser:
    return login("root")
