"""A field role's home starts with the day's work, the figures after (issue 15 item 8): an
inspector's with the visits booked for it today and the way to its list."""

import datetime

from django.test import Client
from django.utils import timezone

from ranan.core import contract


def home(account) -> str:
    client = Client()
    client.force_login(account)
    answer = client.get("/")
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_inspector_home_starts_with_the_day_work(cast):
    html = home(cast.inspector)
    assert 'data-testid="home-work"' in html and 'data-testid="home-work-list"' in html
    for later in ('data-testid="kpi-card"', 'data-testid="places"'):
        if later in html:
            assert html.index('data-testid="home-work"') < html.index(later)


def test_the_booked_visits_of_today_are_listed_from_the_hook(cast, monkeypatch):
    at = timezone.now() + datetime.timedelta(hours=1)
    row = {"at": at, "title": "修复软管", "where": "一村8号", "url": "/hazards/1/"}
    seen = []

    def booked(user, day):
        seen.append((user.pk, day))
        return [row]

    monkeypatch.setattr(contract, "hooks", lambda point: (booked,) if point ==
                        "inspections.work_list" else ())
    html = home(cast.inspector)
    assert seen == [(cast.inspector.pk, timezone.localdate())]
    assert 'data-testid="home-booked-visit"' in html and "修复软管" in html


def test_other_roles_have_no_work_panel(cast):
    for account in (cast.station_manager, cast.regulator_a, cast.courier_a1):
        assert 'data-testid="home-work"' not in home(account)
