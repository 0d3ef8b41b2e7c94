"""Idempotent writes: the field app sends each write with a client-generated UUID and sends it
again when it does not know whether the first try arrived. The first result is the answer to
every repeat; the same UUID with a different request is a conflict (the API's 409).

    previous = replay(Order.objects, client_id, conflict=OrderConflict,
                      same=same_as(customer_id=customer.pk, quantity=quantity, note=note))
    if previous is not None:
        return previous
    ...write, with client_id on a unique column...
    except IntegrityError:  # a concurrent repeat won the race: answer its result
        return replay(...) or raise

`same` compares what the request asked for with what the first try wrote: `same_as(...)` the
meaningful fields of the row (a request that differs in one of them is a conflict, not the
first answer); a row that keeps the request itself compares `fingerprint(payload)`. A lost race
that still reaches the API as an IntegrityError on a client_id column answers 409 too
(core.api_base.exception_handler)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable

from django.db.models import Model, QuerySet


class Conflict(Exception):
    """The same client_id was sent before with a different request."""


def replay(queryset: QuerySet, client_id: uuid.UUID | None, *, same: Callable[[Model], bool],
           conflict: type[Conflict] = Conflict, field: str = "client_id") -> Model | None:
    """The row a first try with `client_id` wrote (None when there is none, or no client_id);
    `conflict` when that row is not the result of the same request (`same(row)` is false)."""
    if client_id is None:
        return None
    previous = queryset.filter(**{field: client_id}).first()
    if previous is not None and not same(previous):
        raise conflict
    return previous


def fingerprint(payload) -> str:
    """A stable digest of a request's payload (keys sorted; dates, decimals and UUIDs as
    text), to store beside a client_id and compare on a repeat."""
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def same_as(**expected) -> Callable[[Model], bool]:
    """A `same` for replay(): the row's attributes equal the request's, e.g.
    `same_as(customer_id=customer.pk, quantity=2)`. Strings are compared stripped (the services
    store them stripped); a missing attribute never matches."""
    missing = object()

    def norm(value):
        return value.strip() if isinstance(value, str) else value

    def same(row: Model) -> bool:
        return all(norm(getattr(row, name, missing)) == norm(value)
                   for name, value in expected.items())

    return same
