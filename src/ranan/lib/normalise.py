"""Turning what people type into Excel into clean values, or a clear reason why not.

Each normaliser returns the clean value or raises `Invalid(message)`; the importer and the
forms both use them, so a page and a file accept exactly the same inputs.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from ranan.lib.masking import MOBILE


class Invalid(ValueError):
    pass


_SPACES = re.compile(r"[\s\u3000\u00a0]+")
# Landline: area code 0 + 2-3 digits, then 7-8 digits, optional extension.
LANDLINE = re.compile(r"^(0\d{2,3})(\d{7,8})(?:(?:转|ext|x|-)(\d{1,6}))?$")
ID_NUMBER = re.compile(r"^\d{17}[\dX]$")


def text(value) -> str:
    """Full-width to half-width (NFKC), trimmed, inner runs of spaces made one."""
    if value is None:
        return ""
    if not isinstance(value, str):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = str(value)
    # Fast path for the common case (already normal, single spaces): the importer calls this
    # for every cell of a million-row file.
    if not unicodedata.is_normalized("NFKC", value):
        value = unicodedata.normalize("NFKC", value)
    if "  " in value or "\t" in value or "\n" in value or "\u3000" in value or "\xa0" in value:
        value = _SPACES.sub(" ", value)
    value = value.strip()
    if value[:2] in ("'=", "'+", "'-", "'@"):
        value = value[1:]  # the quote an export or a cautious user put before a formula sign
    return value


def phone(value) -> str:
    """A Chinese mobile (11 digits) or landline (0891-6812345[-ext]) number, normalised."""
    raw = text(value)
    if not raw:
        return ""
    if len(raw) == 11 and MOBILE.match(raw):
        return raw
    compact = re.sub(r"[\s\-()（）]", "", raw)
    compact = re.sub(r"^(\+86|0086)", "", compact)
    if MOBILE.match(compact):
        return compact
    match = LANDLINE.match(compact)
    if match:
        area, number, ext = match.groups()
        return f"{area}-{number}" + (f"-{ext}" if ext else "")
    raise Invalid(_("“%(value)s” is not a Chinese mobile or landline number.") % {"value": raw})


def id_number(value) -> str:
    raw = text(value).upper()
    if not raw:
        return ""
    if not ID_NUMBER.match(raw):
        raise Invalid(_("An ID number has 18 characters: 17 digits and a digit or X."))
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(raw[:17], weights, strict=True)) % 11]
    if raw[17] != check:
        raise Invalid(_("The ID number's check digit is wrong."))
    return raw


_DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m", "%Y/%m",
                 "%Y年%m月"]
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def date(value, *, not_future: bool = False, today: datetime.date | None = None):
    """Excel dates (cells, or serial numbers) and the text forms people type."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        result = value.date()
    elif isinstance(value, datetime.date):
        result = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not 1 <= value < 2958466:
            raise Invalid(_("“%(value)s” is not a date.") % {"value": value})
        result = EXCEL_EPOCH + datetime.timedelta(days=int(value))
    else:
        raw = text(value)
        if not raw:
            return None
        if re.fullmatch(r"\d{5}(\.0+)?", raw):  # an Excel serial that arrived as text
            return date(float(raw), not_future=not_future, today=today)
        parsed = None
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.datetime.strptime(raw, fmt).date()
                break
            except ValueError:
                continue
        if parsed is None:
            raise Invalid(_("“%(value)s” is not a date (use 2024-05-01).") % {"value": raw})
        result = parsed
    return _checked_date(result, not_future=not_future, today=today)


def _checked_date(result: datetime.date, *, not_future: bool,
                  today: datetime.date | None) -> datetime.date:
    if not_future and result > (today or datetime.date.today()):
        raise Invalid(_("%(date)s is in the future.") % {"date": result.isoformat()})
    if result.year < 1900:
        raise Invalid(_("%(date)s is too early.") % {"date": result.isoformat()})
    return result


_YES = {"是", "有", "y", "yes", "true", "1", "√", "✓", "对"}
_NO = {"否", "无", "没有", "n", "no", "false", "0", "×", "x", "不是", ""}


def boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    raw = text(value).lower()
    if raw in _YES:
        return True
    if raw in _NO:
        return False
    raise Invalid(_("“%(value)s” is not 是 or 否.") % {"value": raw})


def decimal(value, *, low: float, high: float):
    if value is None or value == "":
        return None
    try:
        number = Decimal(text(value))
    except InvalidOperation:
        raise Invalid(_("“%(value)s” is not a number.") % {"value": value}) from None
    if not low <= number <= high:
        raise Invalid(_("%(value)s is outside %(low)s to %(high)s.") % {
            "value": number, "low": low, "high": high})
    return number


_CHOICE_LOOKUPS: dict = {}


def _choice_lookup(choices) -> dict[str, str]:
    lookup = _CHOICE_LOOKUPS.get(choices)
    if lookup is None:
        from django.utils import translation

        lookup = {c.lower(): c for c in choices.values}
        for language in ("zh-hans", "en"):
            with translation.override(language):
                for code, label in choices.choices:
                    lookup[str(label).lower()] = code
        _CHOICE_LOOKUPS[choices] = lookup
    return lookup


def choice(value, choices, *, field_label: str = "") -> str:
    """Accept a code or its label (in either language) of a TextChoices class."""
    raw = text(value)
    if not raw:
        return ""
    found = _choice_lookup(choices).get(raw.lower())
    if found is None:
        options = "、".join(str(label) for _code, label in choices.choices)
        raise Invalid(_("“%(value)s” is not one of: %(options)s") % {"value": raw, "options": options})
    return found


_INITIALS: dict[int, str] | None = None


def _initials_table() -> dict[int, str]:
    """Code point → first letter of its most common reading, from pypinyin's dictionary
    (one dict lookup per character instead of pypinyin's phrase segmentation)."""
    global _INITIALS
    if _INITIALS is None:
        from pypinyin.pinyin_dict import pinyin_dict

        table = {}
        for code, readings in pinyin_dict.items():
            first = unicodedata.normalize("NFKD", readings.split(",")[0])[:1].lower()
            if first.isascii() and first.isalpha():
                table[code] = first
        _INITIALS = table
    return _INITIALS


# Surnames whose reading differs from the character's most common one (曾 zēng, 单 shàn…).
_SURNAME_INITIALS = {"曾": "z", "单": "s", "解": "x", "仇": "q", "朴": "p", "区": "o", "查": "z",
                     "盖": "g", "乐": "y", "尉": "y", "缪": "m", "覃": "q", "翟": "z", "万": "w",
                     "沈": "s", "重": "c", "长": "z", "秘": "b", "繁": "p", "员": "y"}


def initials(name: str) -> str:
    """Pinyin initials of a Chinese name (张三 → zs) for search; ASCII letters and digits kept."""
    table = _initials_table()
    out = []
    if name and name[0] in _SURNAME_INITIALS:
        out.append(_SURNAME_INITIALS[name[0]])
        name = name[1:]
    for ch in name:
        letter = table.get(ord(ch))
        if letter:
            out.append(letter)
        elif ch.isascii() and ch.isalnum():
            out.append(ch.lower())
    return "".join(out)


def neutralise(value):
    """A cell that Excel would run as a formula (=, +, -, @) is exported as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
