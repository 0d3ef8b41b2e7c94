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


# The one declaration of which fields hold personal data (PIPL): a field of any model named
# here, or ending in `_phone` / `_id_number`. The audit log stores such a field's values
# masked with a keyed hash (core.audit), its readable view shows them so (core.auditlog).
PERSONAL_FIELDS = {"phone": mask_phone, "phone2": mask_phone, "to_phone": mask_phone,
                   "id_number": mask_id}
PROTECTED = re.compile(r"^(?P<masked>.*) #(?P<hash>[0-9a-f]{16})$")


def is_personal(name: str) -> bool:
    return name in PERSONAL_FIELDS or name.endswith(("_phone", "_id_number"))


def masker(name: str):
    return PERSONAL_FIELDS.get(name) or (mask_id if name.endswith("id_number") else mask_phone)


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of a personal value under a key derived from SECRET_KEY, truncated to 64
    bits: equal values give equal hashes (an auditor can match a number already known), the
    value cannot be read back without the key."""
    from django.utils.crypto import salted_hmac

    return salted_hmac("ranan.personal-data", str(value), algorithm="sha256").hexdigest()[:16]


def protect(name: str, value):
    """A personal field's value as the audit log keeps it: '138****5678 #<keyed hash>'."""
    if not isinstance(value, str) or not value or PROTECTED.match(value):
        return value
    return f"{masker(name)(value)} #{keyed_hash(value)}"


def is_protected(value) -> bool:
    return isinstance(value, str) and bool(PROTECTED.match(value))
