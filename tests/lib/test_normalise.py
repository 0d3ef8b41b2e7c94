import datetime

import pytest

from ranan.lib import masking, normalise
from ranan.lib.normalise import Invalid


@pytest.mark.parametrize("raw, clean", [
    ("13800001234", "13800001234"),
    ("１３８００００１２３４", "13800001234"),        # full-width digits
    (" 138 0000 1234 ", "13800001234"),             # spaces, trailing spaces
    ("+86 138-0000-1234", "13800001234"),
    (13800001234, "13800001234"),                   # a number cell
    (13800001234.0, "13800001234"),                 # a float cell
    ("0891-6812345", "0891-6812345"),
    ("(0891)6812345", "0891-6812345"),
    ("057487654321", "0574-87654321"),
    ("0574-87654321转123", "0574-87654321-123"),
    ("", ""),
])
def test_phone_numbers_are_normalised(raw, clean):
    assert normalise.phone(raw) == clean


@pytest.mark.parametrize("raw", ["12345", "23800001234", "1380000123", "abc", "110"])
def test_a_non_chinese_phone_number_is_refused(raw):
    with pytest.raises(Invalid):
        normalise.phone(raw)


def test_masking():
    assert masking.mask_phone("13800001234") == "138****1234"
    assert masking.mask_phone("0891-6812345") == "0891-****2345"
    assert masking.mask_id("11010519491231002X") == "110105********002X"
    assert masking.is_masked("138****1234")


def test_id_numbers_check_their_check_digit():
    assert normalise.id_number("11010519491231002x") == "11010519491231002X"
    with pytest.raises(Invalid):
        normalise.id_number("110105194912310021")
    with pytest.raises(Invalid):
        normalise.id_number("1101051949")


@pytest.mark.parametrize("raw, expected", [
    (45413, datetime.date(2024, 5, 1)),            # an Excel serial date
    ("45413", datetime.date(2024, 5, 1)),          # the same, arrived as text
    (datetime.datetime(2024, 5, 1, 0, 0), datetime.date(2024, 5, 1)),
    ("2024-05-01", datetime.date(2024, 5, 1)),
    ("2024/5/1", datetime.date(2024, 5, 1)),
    ("2024年5月1日", datetime.date(2024, 5, 1)),
    ("２０２４－０５－０１", datetime.date(2024, 5, 1)),
    ("20240501", datetime.date(2024, 5, 1)),
])
def test_excel_and_text_dates(raw, expected):
    assert normalise.date(raw) == expected


def test_a_future_date_is_refused_where_asked():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    assert normalise.date(tomorrow.isoformat()) == tomorrow
    with pytest.raises(Invalid, match="future"):
        normalise.date(tomorrow.isoformat(), not_future=True)
    with pytest.raises(Invalid):
        normalise.date("next tuesday")


def test_pinyin_initials():
    assert normalise.initials("张三") == "zs"
    assert normalise.initials("巴桑平措") == "bspc"


def test_booleans_and_text():
    assert normalise.boolean("是") is True and normalise.boolean("否") is False
    assert normalise.boolean("") is False
    with pytest.raises(Invalid):
        normalise.boolean("也许")
    assert normalise.text("  拉萨　 市  ") == "拉萨 市"


def test_formula_like_text_is_neutralised():
    assert normalise.neutralise("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert normalise.neutralise("张三") == "张三"
