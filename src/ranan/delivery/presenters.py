"""Shaping delivery data for the pages, so the views stay thin: the delivery form at the door
(the codes typed in each box, each error shown next to what it names) and the station's
orders of a day pivoted by village and state. No rule lives here: the rules are the
services' and the selectors'."""

from __future__ import annotations

import dataclasses

from django.utils.translation import gettext as _

from ranan.delivery.choices import OrderState
from ranan.inspections.forms import ItemEntry, blank_entries, place_errors

# Where the service's errors that name no box go on the delivery form: beside the codes,
# the check, the payment, or on top. Every other error is the checklist's.
PLACES = {"full_codes": "full_codes", "empty_codes": "full_codes", "check": "check",
          "payment": "payment", "payment_ref": "payment",
          "order": "top", "client_id": "top", "checklist": "top"}
CODE_BOXES = ("full_codes", "empty_codes")


def codes(data, prefix: str, count: int) -> list[str]:
    """The codes typed in the boxes `<prefix>_0` … `<prefix>_<count-1>` (blank ones too)."""
    return [(data.get(f"{prefix}_{n}") or "").strip() for n in range(count)]


@dataclasses.dataclass
class DoorForm:
    """What the delivery form shows (again): the code typed in each box for the full and the
    empty cylinders with each box's errors, the checklist's entries, and the errors placed
    beside the codes, the check, the payment, the signature and the photos, or on top."""

    full: list[str]
    empty: list[str]
    entries: list[ItemEntry]
    full_errors: list[list[str]] = dataclasses.field(init=False)
    empty_errors: list[list[str]] = dataclasses.field(init=False)
    placed: dict[str, list[str]] = dataclasses.field(default_factory=lambda: {
        "signature": [], "photos": [], "full_codes": [], "check": [], "payment": [], "top": []})
    files_lost: bool = False

    def __post_init__(self) -> None:
        self.full_errors = [[] for _n in self.full]
        self.empty_errors = [[] for _n in self.empty]

    @classmethod
    def blank(cls, quantity: int, items) -> DoorForm:
        return cls(full=[""] * quantity, empty=[""] * quantity, entries=blank_entries(items))

    @classmethod
    def posted(cls, data, quantity: int, entries: list[ItemEntry]) -> DoorForm:
        return cls(full=codes(data, "full", quantity), empty=codes(data, "empty", quantity),
                   entries=entries)

    def missing_codes(self) -> dict[str, str]:
        """An error for each full cylinder's box left blank."""
        return {f"full_codes.{n}": _("Type or scan the code of this cylinder.")
                for n, code in enumerate(self.full) if not code}

    def collected(self) -> list[tuple[int, str]]:
        """The empties typed, with the box each came from (the service numbers only these)."""
        return [(n, code) for n, code in enumerate(self.empty) if code]

    def place(self, errors: dict, form, upload_labels: list[str]) -> None:
        """Put each error next to what it names: the codes, the check and the payment first;
        what remains is the checklist's (its items, the signature, the photos, the form)."""
        rest: dict = {}
        for key, value in errors.items():
            texts = value if isinstance(value, list) else [value]
            head, _dot, tail = key.partition(".")
            if head in CODE_BOXES and tail.isdigit() and int(tail) < len(self.full):
                # The interlock's reasons come joined in one message: one line each.
                (self.full_errors if head == "full_codes" else self.empty_errors)[int(tail)].extend(
                    part for text in texts for part in str(text).split("；") if part)
            elif key in PLACES:
                self.placed[PLACES[key]].extend(texts)
            else:
                rest[key] = texts
        self.placed.update(place_errors(rest, form, self.entries, upload_labels))

    def context(self) -> dict:
        """The template's variables for the form's boxes, entries and errors."""
        return {
            "entries": self.entries, "placed": self.placed, "files_lost": self.files_lost,
            "item_errors": sum(1 for entry in self.entries if entry.errors),
            "code_errors": sum(1 for errors in self.full_errors + self.empty_errors if errors)
            + bool(self.placed["full_codes"]),
            "full": list(zip(self.full, self.full_errors, strict=True)),
            "empty": list(zip(self.empty, self.empty_errors, strict=True)),
        }


def renumber_empties(errors: dict, collected: list[tuple[int, str]]) -> dict:
    """The service numbers the empties it was given; the page numbers its boxes (some may
    be left blank)."""
    out = {}
    for key, value in errors.items():
        head, _dot, tail = key.partition(".")
        if head == "empty_codes" and tail.isdigit() and int(tail) < len(collected):
            key = f"empty_codes.{collected[int(tail)][0]}"
        out[key] = value
    return out


def orders_by_village(cells) -> dict:
    """The station's orders of a day as a table: a row per village with the number of
    orders in each state (cancelled ones left out of the columns, counted in the row's
    total) and its cylinders; the column totals and their sum. `cells`: rows of (village
    id and name, state, n, cylinders), ordered by village name."""
    states = [s for s in OrderState if s != OrderState.CANCELLED]
    villages: dict[int, dict] = {}
    totals = {s.value: 0 for s in states}
    for cell in cells:
        row = villages.setdefault(cell["customer__jurisdiction_id"], {
            "name": cell["customer__jurisdiction__name"], "counts": {s.value: 0 for s in states},
            "total": 0, "cylinders": 0})
        if cell["state"] in row["counts"]:
            row["counts"][cell["state"]] += cell["n"]
            totals[cell["state"]] += cell["n"]
        row["total"] += cell["n"]
        row["cylinders"] += cell["cylinders"] or 0
    return {"states": states,
            "by_village": [{**row, "cells": [row["counts"][s.value] for s in states]}
                           for row in villages.values()],
            "totals": [totals[s.value] for s in states], "grand_total": sum(totals.values())}
