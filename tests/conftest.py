import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import translation
from rest_framework.test import APIClient

from tests.cast import Cast


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 at Django's default cost makes every login ~0.3 s; tests need speed, not strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Counters kept in the cache (search limits, issue 16) are keyed by account and minute:
    # with ids reused and the clock restarted, one test's counts would spill into the next.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _english_messages():
    # Assertions read service messages in English; pages still default to Chinese per request.
    with translation.override("en"):
        yield


# Every test starts at the same moment, whatever the hour CI runs at: a weekday morning in
# Shanghai (inside service hours, before the evening cut-off). The clock ticks from there.
FROZEN_AT = datetime.datetime(2026, 12, 4, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


_SESSION_CLOCK = time_machine.travel(FROZEN_AT, tick=True)


def pytest_configure(config):
    # Collection too: a parametrize or module constant computed from "today" sees that day.
    _SESSION_CLOCK.start()


@pytest.fixture(autouse=True)
def clock(request):
    """The test's clock. `clock.move_to(datetime)` travels (tick keeps running), e.g. to
    check what happens after 18:00; `clock.shift(timedelta)` moves it forward.

    A browser test drives a demo server that runs on the real clock (another process; its
    demo data gives every account work whatever the hour): the test reads the real clock
    too."""
    if request.node.get_closest_marker("browser"):
        _SESSION_CLOCK.stop()
        try:
            yield None
        finally:
            _SESSION_CLOCK.start()
        return
    with time_machine.travel(FROZEN_AT, tick=True) as traveller:
        yield traveller


def kpi_figures(user, path, start, end, **kw) -> dict:
    """The catalogue's figures of an area and a period, by KPI name."""
    from ranan.core import kpis

    return {r["name"]: r for r in kpis.compute(user, path, start, end, **kw)}


@pytest.fixture
def cast(db):
    return Cast()


@pytest.fixture
def api():
    """An API client; `api.as_(account)` authenticates as that account."""
    client = APIClient()

    def as_(account):
        client.force_authenticate(user=account)
        return client

    client.as_ = as_
    return client


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']} (tests use test_ prefix / memory)"
