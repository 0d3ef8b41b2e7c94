"""Names in the order people count them (issue 15 item 10): 第一网格, 第二网格, 第三网格, 第四网格,
第十网格, 第十一网格; 2号楼 before 10号楼. A plain sort compares code points, and 一 (U+4E00) <
三 (U+4E09) < 二 (U+4E8C) < 四 (U+56DB): grids came as 一、三、二、四.

`natural_key` reads every run of Arabic digits and every run of Chinese numerals as a
number; the text between is compared as text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
          "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
_RUNS = re.compile(r"([0-9０-９]+|[零〇一二两三四五六七八九十百千]+)")


def chinese_number(run: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十 → 20, 一百零五 → 105; 一〇一 (digit by digit) → 101."""
    if not any(ch in UNITS for ch in run):
        return int("".join(str(DIGITS[ch]) for ch in run))
    total, digit = 0, 0
    for ch in run:
        if ch in UNITS:
            total += (digit or 1) * UNITS[ch]
            digit = 0
        else:
            digit = DIGITS[ch]
    return total + digit


def natural_key(name: str) -> tuple:
    parts: list[tuple[int, int | str]] = []
    for index, piece in enumerate(_RUNS.split(name or "")):
        if not piece:
            continue
        if index % 2:  # a run of numerals
            number = int(piece) if piece[0] not in DIGITS and piece[0] not in UNITS else (
                chinese_number(piece))
            parts.append((0, number))
        else:
            parts.append((1, piece))
    return tuple(parts)


def _name(item) -> str:
    return item.name


def by_name(items: Iterable[T], name: Callable[[T], str] = _name) -> list[T]:
    """`items` sorted by their names in natural order (ties keep their order)."""
    return sorted(items, key=lambda item: natural_key(name(item)))
