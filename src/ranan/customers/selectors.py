"""Reads of customers, always scoped: the list filters shared by the page, API and export."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ranan.core.models import subtree_q
from ranan.core.privacy import check_search
from ranan.core.selectors import jurisdiction_by_code
from ranan.customers.choices import CareFlag, CustomerKind, CustomerStatus, Missing, Supply
from ranan.customers.models import Customer
from ranan.lib import normalise

ALL_MISSING = sum(m.value for m in Missing)
FILTERS = ("jurisdiction", "kind", "supply", "flag", "missing", "status", "q")


def customers_for(user) -> QuerySet:
    return Customer.objects.visible_to(user)


def _many(params, key) -> list[str]:
    if hasattr(params, "getlist"):
        values = params.getlist(key)
    else:
        value = params.get(key)
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
    out = []
    for value in values:
        out.extend(v.strip() for v in str(value).split(",") if v.strip())
    return out


def filter_customers(user, params) -> tuple[QuerySet, dict]:
    """Apply the list filters; returns (queryset, cleaned filters). Bad values raise a
    ValidationError naming the parameter."""
    qs = customers_for(user)
    cleaned: dict = {}
    errors: dict = {}
    code = (params.get("jurisdiction") or "").strip()
    if code:
        node = jurisdiction_by_code(user, code)
        if node is None:
            errors["jurisdiction"] = _("Unknown jurisdiction code “%(code)s”.") % {"code": code}
        else:
            qs = qs.filter(subtree_q("jpath", node.path))
            cleaned["jurisdiction"] = node
    for key, choices in (("kind", CustomerKind), ("supply", Supply), ("status", CustomerStatus)):
        values = _many(params, key)
        bad = [v for v in values if v not in choices.values]
        if bad:
            errors[key] = _("Unknown value: %(values)s") % {"values": ", ".join(bad)}
        elif values:
            qs = qs.filter(**{f"{key}__in": values})
            cleaned[key] = values
    flags = _many(params, "flag")
    bad = [f for f in flags if f not in CareFlag.values]
    if bad:
        errors["flag"] = _("Unknown value: %(values)s") % {"values": ", ".join(bad)}
    else:
        for flag in flags:
            qs = qs.filter(**{flag: True})
        if flags:
            cleaned["flag"] = flags
    missing = _many(params, "missing")
    names = {m.name.lower(): m.value for m in Missing}
    bits = 0
    for item in missing:
        if item.lower() in names:
            bits |= names[item.lower()]
        else:
            errors["missing"] = _("Unknown value: %(values)s") % {"values": item}
    if bits and "missing" not in errors:
        # Every asked-for gap must be present: missing & bits == bits. Written as the list of
        # masks that satisfy it, so that the index on `missing` can answer a rare gap
        # without scanning the whole area (measured: 180 ms -> see docs/performance.md).
        qs = qs.filter(missing__in=[v for v in range(ALL_MISSING + 1) if v & bits == bits])
        cleaned["missing"] = missing
    q = (params.get("q") or "").strip()
    if q:
        check_search(user, q)
        qs = qs.filter(search_q(q))
        cleaned["q"] = q
    if errors:
        raise ValidationError(errors)
    return qs.select_related("jurisdiction", "gas_company", "lpg_station").order_by("jpath", "id"), cleaned


def full_phone(text: str) -> str:
    """`text` as a whole, normalised phone number, or "" when it is not one."""
    try:
        return normalise.phone(text)
    except (ValueError, ValidationError):
        return ""


def search_q(text: str) -> Q:
    """Name, phone, address, meter number, or pinyin initials (张三 → zs).

    A phone is found by the whole number (exact match on the normalised number) or by its
    last four digits, never by a part that would confirm a masked digit (issue 16: searching
    155NNNN5678 for every NNNN must not find the number; a run of whole-number guesses trips
    the account's enumeration limit, core.privacy.check_search). Other digits search meter
    numbers only, as before.

    Every branch has an index: names and meters by prefix (pattern-ops B-trees), phone tails
    and phones exactly, addresses by trigrams (PostgreSQL, 3 characters or more). Chinese
    names are searched from their start (张伟 finds 张伟明), which is how people look them up.
    """
    compact = re.sub(r"[\s\-()（）+]", "", text)
    if compact.isdigit():
        if len(compact) == 4:
            return Q(phone_tail=compact) | Q(meter_number=compact)
        q = Q(meter_number__startswith=compact)
        phone = full_phone(text)
        return q | Q(phone=phone) if phone else q
    if compact.isascii() and compact.isalpha():
        return Q(name_initials__startswith=compact.lower()) | Q(meter_number__startswith=text)
    q = Q(name__startswith=text) | Q(meter_number__startswith=text)
    if len(text) >= 3:
        q |= Q(address__contains=text)
    return q


def count_capped(qs: QuerySet, cap: int = 10000, budget_ms: int = 40) -> tuple[int | None, bool]:
    """Counting a million rows costs more than the page itself: count up to `cap`, and on
    PostgreSQL give up after `budget_ms` (a selective filter over a county scans the county).
    Returns (count or None when unknown, whether there are more than counted)."""
    from django.db import OperationalError, connection, transaction

    if connection.vendor != "postgresql":
        n = qs.order_by()[: cap + 1].count()
        return min(n, cap), n > cap
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            previous = cursor.fetchone()[0]
            cursor.execute(f"SET LOCAL statement_timeout = {int(budget_ms)}")
            n = qs.order_by()[: cap + 1].count()
            # SET LOCAL lasts to the end of the outermost transaction, not of this savepoint:
            # inside another transaction the budget would cut every later statement short.
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
    except OperationalError:
        return None, True
    return min(n, cap), n > cap
