"""Vietnamese number reading: the rules a citizen hears wrong first (mốt, tư, lăm, lẻ, mười)."""

import pytest

from queue_server.announce import announcement_text, read_number, read_ticket_number, spoken_text

NUMBERS = [
    (0, "không"), (1, "một"), (4, "bốn"), (5, "năm"), (10, "mười"), (11, "mười một"),
    (14, "mười bốn"), (15, "mười lăm"), (20, "hai mươi"), (21, "hai mươi mốt"),
    (24, "hai mươi tư"), (25, "hai mươi lăm"), (55, "năm mươi lăm"), (99, "chín mươi chín"),
    (100, "một trăm"), (101, "một trăm lẻ một"), (104, "một trăm lẻ bốn"),
    (105, "một trăm lẻ năm"), (110, "một trăm mười"), (115, "một trăm mười lăm"),
    (121, "một trăm hai mươi mốt"), (999, "chín trăm chín mươi chín"),
    (1000, "một nghìn"), (1005, "một nghìn không trăm lẻ năm"),
    (1023, "một nghìn không trăm hai mươi ba"), (2015, "hai nghìn không trăm mười lăm"),
    (10_000, "mười nghìn"), (21_000, "hai mươi mốt nghìn"),
    (1_000_000, "một triệu"), (1_000_005, "một triệu không trăm lẻ năm"),
    (2_500_000, "hai triệu năm trăm nghìn"), (1_000_000_000, "một tỷ"),
]

TICKETS = [
    ("A025", "A không hai mươi lăm"), ("A105", "A một trăm lẻ năm"),
    ("A001", "A không không một"), ("A010", "A không mười"), ("A011", "A không mười một"),
    ("A021", "A không hai mươi mốt"), ("A024", "A không hai mươi tư"),
    ("B115", "B một trăm mười lăm"), ("C100", "C một trăm"), ("A000", "A không không không"),
    ("A-007", "A không không bảy"), ("a025", "A không hai mươi lăm"), ("1023", "một nghìn không trăm hai mươi ba"),
    ("AB1234", "A B một nghìn hai trăm ba mươi tư"),
]


@pytest.mark.parametrize(("n", "words"), NUMBERS)
def test_read_number(n, words):
    assert read_number(n) == words


@pytest.mark.parametrize(("number", "words"), TICKETS)
def test_read_ticket_number(number, words):
    assert read_ticket_number(number) == words


@pytest.mark.parametrize("bad", ["", "A", "A02x5", "ABCD123", "A0123456789", "<script>", "A 0 1"])
def test_bad_ticket_numbers_are_refused_with_a_reason(bad):
    with pytest.raises(ValueError, match="không hợp lệ"):
        read_ticket_number(bad)


def test_read_number_range_and_type():
    with pytest.raises(ValueError):
        read_number(-1)
    with pytest.raises(ValueError):
        read_number(10**12)
    with pytest.raises(TypeError):
        read_number("12")
    with pytest.raises(TypeError):
        read_number(True)


def test_sentences_from_the_default_and_a_custom_template():
    assert announcement_text(None, "A025", 3) == "Xin mời công dân có số thứ tự A025 đến quầy số 3"
    assert spoken_text(None, "A025", 3) == \
        "xin mời công dân có số thứ tự a không hai mươi lăm đến quầy số ba"
    assert spoken_text("Mời số {number}, quầy {counter}!", "G105", 15) == \
        "mời số giê một trăm lẻ năm quầy mười lăm"
    # Only the two placeholders are substituted; anything else in braces stays text.
    assert announcement_text("{counter.__class__} {number}", "A001", 2) == "{counter.__class__} A001"


@pytest.mark.parametrize("counter", [0, -1, 10_000, True, "3"])
def test_bad_counter_numbers(counter):
    with pytest.raises(ValueError, match="Số quầy"):
        spoken_text(None, "A001", counter)
