import datetime
import io
import uuid

import pytest
from django.utils import timezone

from ranan.customers.models import Customer
from ranan.inspections import services
from ranan.inspections.choices import Outcome
from tests.cast import With
from tests.factories import HouseholdFactory, PipelineHouseholdFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def png(width=4, height=4) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def homes(cast):
    """Five pipeline households of grid B1 (the inspector's area), one LPG household of
    village A1 (the station's)."""
    homes = [PipelineHouseholdFactory(name=f"住户{n}", building="1", unit="1", room=f"{n}01",
                                      jurisdiction=cast.grid_b1, gas_company=cast.gas_company,
                                      meter_number=f"M-{n}", home_times="晚上" if n % 2 else "")
             for n in range(1, 6)]
    lpg_home = HouseholdFactory(name="卓玛", address="一村8号", jurisdiction=cast.village_a1,
                                lpg_station=cast.station)
    # Registered two years ago: visits of the last months are after their registration.
    registered = timezone.now() - datetime.timedelta(days=730)
    Customer.objects.filter(pk__in=[h.pk for h in [*homes, lpg_home]]).update(
        created_at=registered)
    for home in [*homes, lpg_home]:
        home.created_at = registered
    return With(cast, homes=homes, lpg_home=lpg_home)


def all_pass(checklist) -> dict:
    answers = {}
    for item in checklist.items.all():
        if item.answer_type == "pass_fail":
            answers[item.code] = "pass"
        elif item.answer_type == "number":
            answers[item.code] = "1"
        else:
            answers[item.code] = item.choices[0]["value"]
    return answers


def visit(actor, customer, outcome=Outcome.NOT_HOME, when=None, **kw):
    """Submit a visit `when` (default: now) with sensible defaults."""
    kw.setdefault("kind", "periodic")
    if outcome == Outcome.INSPECTED:
        checklist = services.current_checklist(services.audience_for(customer))
        kw.setdefault("answers", all_pass(checklist))
        kw.setdefault("signature", png())
    return services.visit_submit(actor=actor, customer=customer, outcome=outcome,
                                 client_id=kw.pop("client_id", uuid.uuid4()),
                                 started_at=when or timezone.now(), **kw)


def days_ago(n: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=n)
