"""The audit log: every change recorded with old → new; nothing can alter it (item 6)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from ranan.core import services
from ranan.core.models import AuditEntry


def test_a_change_is_recorded_with_old_and_new_values(cast):
    services.jurisdiction_update(actor=cast.admin, jurisdiction=cast.village_a1, name="一村新")
    entry = AuditEntry.objects.filter(model="core.jurisdiction", action="update").get()
    assert entry.actor == cast.admin and entry.actor_username == "admin"
    assert entry.object_pk == str(cast.village_a1.pk)
    assert entry.changes == {"name": ["一村", "一村新"]}


def test_a_change_that_changes_nothing_writes_no_entry(cast):
    services.jurisdiction_update(actor=cast.admin, jurisdiction=cast.village_a1, name="一村")
    assert not AuditEntry.objects.filter(action="update").exists()


def test_account_changes_log_roles_and_area_but_never_the_password(cast):
    services.account_update(actor=cast.admin, account=cast.courier_a1,
                            area=[cast.village_a2], password="a-new-long-password-9")
    entry = AuditEntry.objects.filter(model="core.account", action="update").get()
    assert entry.changes["area"] == [[cast.village_a1.pk], [cast.village_a2.pk]]
    assert entry.changes["password"] == ["***", "***"]
    assert "md5" not in str(entry.changes) and "pbkdf2" not in str(entry.changes)


def test_the_orm_refuses_to_change_or_delete_an_entry(cast):
    entry = AuditEntry.objects.first()
    entry.action = "delete"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().update(action="delete")
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().delete()


@pytest.mark.parametrize("sql", [
    "UPDATE core_auditentry SET action = 'delete'",
    "DELETE FROM core_auditentry",
])
def test_the_database_refuses_to_change_or_delete_an_entry(cast, sql):
    count = AuditEntry.objects.count()
    assert count > 0
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEntry.objects.count() == count
    assert not AuditEntry.objects.filter(action="delete").exists()


def test_a_failed_write_leaves_no_audit_entry(cast):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        services.organisation_create(actor=cast.admin, name="甲燃气公司", kind="lpg_company",
                                     jurisdictions=[cast.district_a])
    assert AuditEntry.objects.count() == before


def test_logins_and_failed_logins_are_recorded(cast, client):
    client.post("/login/", {"username": "courier_a1", "password": "wrong"})
    client.post("/login/", {"username": "courier_a1", "password": "cast-password-123"})
    actions = list(AuditEntry.objects.filter(actor_username="courier_a1")
                   .order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["login_failed", "login"]
