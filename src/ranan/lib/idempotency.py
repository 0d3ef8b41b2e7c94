"""Idempotent writes: the field app sends each write with a client-generated UUID and sends it
again when it does not know whether the first try arrived. The first result is the answer to
every repeat; the same UUID with a different request is a conflict (the API's 409).

    previous = replay(Order.objects, client_id, conflict=OrderConflict,
                      same=lambda o: o.customer_id == customer.pk)
    if previous is not None:
        return previous
    ...write, with client_id on a unique column...
    except IntegrityError:  # a concurrent repeat won the race: answer its result
        return replay(...) or raise
"""

from __future__ import annotations

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
