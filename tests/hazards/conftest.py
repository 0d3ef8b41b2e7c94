import datetime

import pytest
from django.utils import timezone

from ranan.hazards import services
from ranan.hazards.choices import State
from tests.inspections.conftest import homes, png  # noqa: F401,F811 - shared fixtures


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def hazard(homes):  # noqa: F811 - the shared fixture
    """A general hose hazard at the first household of grid B1, found by the inspector."""
    homes.hazard = services.hazard_create(
        actor=homes.inspector, customer=homes.homes[0], category="hose",
        description="橡胶软管老化龟裂", source="inspection")
    return homes


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def move(actor, hazard, to, **kw):
    """One transition with what it needs (a fix's photo and note, a rejection's reason)."""
    if to == State.FIXED:
        kw.setdefault("photos", [png()])
        kw.setdefault("note", "已更换")
    if to in (State.REJECTED, State.UNFIXABLE):
        kw.setdefault("note", "理由")
    return services.hazard_transition(actor=actor, hazard=hazard, to=to, **kw)
