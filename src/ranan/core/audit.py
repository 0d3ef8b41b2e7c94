"""Writing the audit log. Services call these inside their own transaction, so a change and
its audit row land together or not at all; no signal or request is needed (a management
command's write is logged like a page's)."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile

from ranan.core.choices import AuditAction
from ranan.core.models import AuditEntry
from ranan.core.request_context import current_address
from ranan.lib import masking

# Fields whose values never go into the log, only the fact that they changed.
SECRET_FIELDS = frozenset({"password"})


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        try:
            return sorted(items)
        except TypeError:  # a JSON list of objects (a checklist item's choices): as it is
            return items
    return value


def snapshot(instance: models.Model, m2m: tuple[str, ...] = ()) -> dict[str, Any]:
    """The concrete field values of `instance` (and the named many-to-many id lists)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        data[field.attname] = _plain(getattr(instance, field.attname))
    for name in m2m:
        data[name] = sorted(getattr(instance, name).values_list("pk", flat=True))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field that changed; secrets show only as changed,
    personal fields masked with a keyed hash (compared before masking: a changed middle digit
    is a change)."""
    changes = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changes[key] = ["***", "***"] if key in SECRET_FIELDS else [old, new]
    return protect_changes(changes)


def protect_changes(changes: dict | None) -> dict:
    """Personal fields (lib.masking.is_personal) kept as masked value + keyed hash: the
    auditor sees that a number changed (and can match a known one), never reads it."""
    out = {}
    for key, value in (changes or {}).items():
        if masking.is_personal(key):
            value = ([masking.protect(key, v) for v in value] if isinstance(value, list | tuple)
                     else masking.protect(key, value))
        out[key] = value
    return out


def _actor_fields(actor) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_username": ""}
    return {"actor": actor, "actor_username": actor.get_username()}


def entry(
    *,
    actor,
    action: str,
    instance: models.Model | None = None,
    model: str = "",
    object_pk: str = "",
    object_repr: str = "",
    changes: dict | None = None,
    details: dict | None = None,
    ip_address: str | None = None,
    actor_username: str | None = None,
) -> AuditEntry:
    """An unsaved audit row: `record` writes one, `record_many` writes many in one go.
    Without `ip_address`, the address of the request being served (none in a command)."""
    if instance is not None:
        model = instance._meta.label_lower
        object_pk = str(instance.pk)
        object_repr = str(instance)[:200]
    fields = _actor_fields(actor)
    if actor_username is not None:
        fields["actor_username"] = actor_username
    return AuditEntry(
        action=action, model=model, object_pk=object_pk, object_repr=object_repr,
        changes=protect_changes(changes), details=details or {},
        ip_address=ip_address or current_address(), **fields,
    )


def record(**kwargs) -> AuditEntry:
    """Write one audit row (the arguments of `entry`)."""
    row = entry(**kwargs)
    row.save()
    return row


def record_many(rows: Iterable[AuditEntry]) -> int:
    """Write the rows of a set-based change (a bulk insert, a daily job's update) in batches:
    one audit row per record changed, like a change made one at a time."""
    rows = list(rows)
    AuditEntry.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def record_create_many(instances: Iterable[models.Model], *, actor=None,
                       actor_of: Callable[[models.Model], Any] | None = None) -> int:
    """The creation of rows written with `bulk_create` (their primary keys set), each by
    `actor`, or by `actor_of(instance)` when each has its own (a visit's inspector)."""
    return record_many(
        entry(actor=actor_of(row) if actor_of else actor, action=AuditAction.CREATE,
              instance=row, changes=diff({}, snapshot(row)))
        for row in instances)


def record_create(*, actor, instance: models.Model, m2m: tuple[str, ...] = (),
                  details: dict | None = None) -> AuditEntry:
    after = snapshot(instance, m2m)
    return record(actor=actor, action=AuditAction.CREATE, instance=instance,
                  changes=diff({}, after), details=details)


def record_update(*, actor, instance: models.Model, before: dict, m2m: tuple[str, ...] = ()):
    """Log the fields that changed since `before`; nothing is written when none did."""
    changes = diff(before, snapshot(instance, m2m))
    if not changes:
        return None
    return record(actor=actor, action=AuditAction.UPDATE, instance=instance, changes=changes)


def record_save(*, actor, instance: models.Model, before: dict | None) -> None:
    """Log a row a service created (`before` None) or changed (`before`: its snapshot)."""
    if before is None:
        record_create(actor=actor, instance=instance)
    else:
        record_update(actor=actor, instance=instance, before=before)


def record_delete(*, actor, instance: models.Model, m2m: tuple[str, ...] = ()) -> AuditEntry:
    return record(actor=actor, action=AuditAction.DELETE, instance=instance,
                  changes=diff(snapshot(instance, m2m), {}))


def record_export(*, actor, model: str, rows: int, filters: dict, personal: bool,
                  ip_address: str | None = None) -> AuditEntry | None:
    """Exports that contain personal data are logged (who, what, which filter, how many)."""
    if not personal:
        return None
    return record(actor=actor, action=AuditAction.EXPORT, model=model,
                  details={"rows": rows, "filters": filters}, ip_address=ip_address)


def client_ip(request) -> str | None:
    """The client's address as our trusted proxies report it (core.clientip)."""
    from ranan.core.clientip import client_ip as resolve

    return resolve(request)
