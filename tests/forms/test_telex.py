"""Telex conversion against the shared table (the JS keyboard is checked against the same one)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.forms.telex import apply_key, telex

CASES = json.loads((Path(__file__).resolve().parents[2] / "kiosk/forms/data/telex_cases.json")
                   .read_text())["cases"]


@pytest.mark.parametrize(("typed", "want"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_telex_table(typed, want):
    assert telex(typed) == want


def test_table_covers_the_brief():
    table = dict(CASES)
    assert table["Nguyeenx"] == "Nguyễn" and table["dd"] == "đ" and table["aw"] == "ă"
    assert {table[k] for k in ("as", "af", "ar", "ax", "aj")} == set("áàảãạ")
    assert table["asz"] == "a"


def test_apply_key_works_on_the_current_word_only():
    assert apply_key("Nguyên", "x") == "Nguyễn"
    assert apply_key("Hoa", "f") == "Hòa"
    assert apply_key("", "w") == "ư"
    assert apply_key("bcd", "s") == "bcds"  # no vowel: a tone key is just a letter


def test_tone_moves_when_the_word_grows():
    assert telex("Hoafng") == "Hoàng"  # tone typed early lands on the right vowel at the end
    assert telex("tuyeetj") == "tuyệt"
