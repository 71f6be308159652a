"""The CCCD QR parser: good strings (7-field, 6-field, extra fields), garbage → a clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.forms.cccd import NOTICE, CccdError, parse_cccd

DATA = json.loads((Path(__file__).resolve().parents[2] / "kiosk/forms/data/cccd_cases.json").read_text())


@pytest.mark.parametrize("case", DATA["good"], ids=[c["name"] for c in DATA["good"]])
def test_good_strings(case):
    assert parse_cccd(case["raw"]).to_dict() == case["want"]


@pytest.mark.parametrize("case", DATA["bad"], ids=[c["name"] for c in DATA["bad"]])
def test_garbage_is_a_clear_error_that_never_quotes_the_scan(case):
    with pytest.raises(CccdError) as caught:
        parse_cccd(case["raw"])
    message = str(caught.value)
    assert "Hãy" in message  # tells the citizen what to do
    for part in case["raw"].split("|"):
        if len(part.strip()) >= 5:
            assert part.strip() not in message


def test_six_and_seven_field_layouts_agree():
    seven = parse_cccd("001090123456||Nguyễn Văn An|01011990|Nam|Hà Nội|15042021")
    six = parse_cccd("001090123456|Nguyễn Văn An|01011990|Nam|Hà Nội|15042021")
    assert seven == six


def test_non_string_input():
    with pytest.raises(CccdError):
        parse_cccd(None)  # type: ignore[arg-type]


def test_notice_says_what_and_why():
    assert "số căn cước" in NOTICE and "không được lưu" in NOTICE
