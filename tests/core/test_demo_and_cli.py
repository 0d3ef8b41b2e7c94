"""`ranan demo` world, the worker and settings helpers."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from knox.models import get_token_model

from ranan import cli, env
from ranan.core import demo
from ranan.core.choices import Level, Role
from ranan.core.models import Account, AuditEntry, Jurisdiction, Organisation


@pytest.fixture
def world(db):
    return demo.load()


def test_the_demo_world_follows_the_seeds(world):
    dazi = Jurisdiction.objects.get(code="540104")
    assert dazi.descendants().filter(level=Level.TOWNSHIP).count() == 6
    assert dazi.descendants().filter(level=Level.VILLAGE).count() == 23
    couriers = Account.objects.filter(role_rows__role=Role.COURIER)
    assert couriers.count() == 15
    covered = Jurisdiction.objects.filter(accounts__in=couriers).distinct()
    assert covered.count() == 23  # every village has its courier
    station = Organisation.objects.get(kind="lpg_station")
    assert station.parent.kind == "lpg_company"
    assert set(Organisation.objects.filter(kind="regulator", jurisdictions=dazi)
               .values_list("regulator_type", flat=True)) == {"market_supervision", "housing"}
    cuidong = Jurisdiction.objects.get(name="翠东社区")
    assert cuidong.children.filter(level=Level.GRID).count() == 4
    assert Account.objects.get(username="butler").area.get() == cuidong


def test_every_demo_order_has_its_history(world):
    from ranan.delivery.models import Order

    orders = Order.objects.all()
    assert orders.exists()
    without = orders.filter(events__isnull=True)
    assert not without.exists(), list(without.values_list("pk", "state")[:5])
    for order in orders.filter(state="delivered")[:20]:
        assert [e.to_state for e in order.history()][-1] == "delivered"


def test_every_demo_account_is_written_and_can_log_in(world, tmp_path, client):
    path = tmp_path / "demo-accounts.json"
    demo.write_accounts(world, path)
    rows = json.loads(path.read_text())
    assert {"username", "password", "role", "organisation", "area"} == set(rows[0])
    assert {r["role"] for r in rows} >= {"courier", "station_manager", "regulator", "auditor",
                                         "task_force", "inspector", "grid_worker", "admin",
                                         "enterprise_admin"}
    for row in rows[:3]:
        response = client.post("/login/", {"username": row["username"],
                                           "password": row["password"]})
        assert response.status_code == 302, row
        client.logout()


def test_the_demo_load_is_audited(world):
    assert AuditEntry.objects.filter(action="create", model="core.account").count() == len(world)


def test_the_demo_command_prepares_without_serving(tmp_path, monkeypatch, capsys, db):
    # The test database is already migrated; the command must load the world and print it.
    assert cli.main(["demo", "--no-serve"]) == 0
    out = capsys.readouterr().out
    assert "courier01" in out and "station_manager" in out
    assert cli.main(["demo", "--no-serve"]) == 0
    assert "already present" in capsys.readouterr().out


def test_the_worker_runs_the_periodic_jobs(cast, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    # The worker closes stale connections between tasks; inside the test's transaction that
    # would drop the test's own connection (PostgreSQL).
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections",
                        lambda: None)

    model = get_token_model()
    model.objects.create(cast.courier_a1, expiry=timedelta(seconds=-5))
    model.objects.create(cast.courier_a1, expiry=timedelta(hours=1))
    assert cli.main(["worker", "--once"]) == 0
    assert model.objects.count() == 1
    assert model.objects.get().expiry > timezone.now()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_env_helpers_fail_loudly(monkeypatch):
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        env.env_bool("X_BOOL")
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env.env_int("X_INT", 1)
    monkeypatch.delenv("X_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_REQUIRED"):
        env.env_str("X_REQUIRED")
    monkeypatch.setenv("X_BOOL", "1")
    assert env.env_bool("X_BOOL") is True


def test_the_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("RANAN_VAR_DIR", str(tmp_path))
    first = env.secret_key()
    assert len(first) > 40 and env.secret_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_the_database_runs_as_designed(db, settings):
    """SQLite: WAL and immediate transactions; PostgreSQL: a connection pool."""
    from django.db import connection

    options = settings.DATABASES["default"]["OPTIONS"]
    if connection.vendor == "sqlite":
        assert options["transaction_mode"] == "IMMEDIATE"
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
    else:
        assert options["pool"]["max_size"] >= 1
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.LANGUAGE_CODE == "zh-hans"


def test_serve_runs_threaded_workers_and_logs_no_query_string(monkeypatch):
    """Issue 16: the login limit protects other requests only beside threads; the access log
    never holds a searched phone number (%(U)s is the path without its query)."""
    import sys

    import gunicorn.app.wsgiapp

    seen = {}
    monkeypatch.setattr(gunicorn.app.wsgiapp, "run", lambda: seen.setdefault("argv", sys.argv[:]))
    monkeypatch.setattr(sys, "argv", ["ranan"])
    assert cli.main(["serve", "--workers", "3"]) == 0
    argv = seen["argv"]
    assert argv[argv.index("--worker-class") + 1] == "gthread"
    assert argv[argv.index("--threads") + 1] == "4" and argv[argv.index("--workers") + 1] == "3"
    log_format = argv[argv.index("--access-logformat") + 1]
    assert "%(U)s" in log_format and "%(r)s" not in log_format and "%(q)s" not in log_format
