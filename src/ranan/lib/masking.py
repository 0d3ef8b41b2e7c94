"""Masking personal data for lists, exports and pages of roles that do not work with it:
138****5678, 0891-****2345, 110101********1234."""

from __future__ import annotations

import re

MOBILE = re.compile(r"^1[3-9]\d{9}$")
MASKED_PHONE = re.compile(r"^\d{3}\*{4}\d{4}$|^0\d{2,3}-\*{3,4}\d{4}$")


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if MOBILE.match(value):
        return f"{value[:3]}****{value[-4:]}"
    if "-" in value:
        area, rest = value.split("-", 1)
        return f"{area}-****{rest.replace('-', '')[-4:]}"
    return "****" + value[-4:]


def mask_id(value: str) -> str:
    return f"{value[:6]}********{value[-4:]}" if value else ""


def is_masked(value: str) -> bool:
    return bool(value) and "****" in value
