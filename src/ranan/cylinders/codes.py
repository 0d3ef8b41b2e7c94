"""Cylinder codes: random (not guessable), 10 characters of Crockford base32 plus a check
character, so a mistyped code is caught before any lookup."""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CHECK_ALPHABET = ALPHABET + "*~$=U"  # Crockford's 37 check symbols
BODY_LENGTH = 10


def check_character(body: str) -> str:
    value = 0
    for ch in body:
        value = value * 32 + ALPHABET.index(ch)
    return CHECK_ALPHABET[value % 37]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_character(body)


def normalise(text: str) -> str:
    """Upper case, no spaces or dashes, Crockford's look-alikes folded (O→0, I/L→1)."""
    cleaned = "".join(text.split()).replace("-", "").upper()
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def is_well_formed(code: str) -> bool:
    return (len(code) == BODY_LENGTH + 1 and all(ch in ALPHABET for ch in code[:-1])
            and code[-1] in CHECK_ALPHABET)


def check_ok(code: str) -> bool:
    return is_well_formed(code) and check_character(code[:-1]) == code[-1]
