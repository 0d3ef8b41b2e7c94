"""The Ningbo-like community of the demo shows the seed's starting numbers on the dashboard
and in the lists behind them: 804 households, 587 reached at the first visit, 149 to revisit,
66 not at home three times and 2 refusing (to be shut off)."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from ranan.core import demo, kpis
from ranan.core.models import Account, Jurisdiction
from ranan.inspections.models import Plan


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return demo.load()


def test_the_demo_community_shows_the_seed_numbers(world):
    regulator = Account.objects.get(username="jiangbei_reg")
    cuidong = Jurisdiction.objects.get(name="翠东社区")
    start, end = Plan.objects.get(jurisdiction=cuidong).start, timezone.localdate()
    f = {r["name"]: r for r in kpis.compute(regulator, cuidong.path, start, end)}
    assert (f["entry_success"]["numerator"], f["entry_success"]["denominator"]) == (587, 804)
    assert f["households_reached"]["value"] == 587
    assert f["unreached_revisit"]["value"] == 149
    assert f["unreached_shut_off"]["value"] == 66 + 2
    client = Client()
    client.force_login(regulator)
    query = f"jurisdiction=%23{cuidong.pk}&from={start}&to={end}"
    html = client.get(f"/dashboard/?{query}").content.decode()
    cards = dict(re.findall(r'data-testid="kpi-card" data-kpi="(\w+)" data-numerator="(\d+)"',
                            html))
    assert cards["households_reached"] == "587" and cards["unreached_revisit"] == "149"
    assert cards["unreached_shut_off"] == "68"
    for name in ("households_reached", "unreached_revisit", "unreached_shut_off"):
        listing = client.get(f"/dashboard/records/{name}/?{query}").content.decode()
        assert f'data-count="{cards[name]}"' in listing, name
    base = client.get(f"/dashboard/records/entry_success/?{query}&part=base").content.decode()
    assert 'data-count="804"' in base
    # The departments have referrals to answer (issue 14): Jiangbei one fresh and one
    # accepted, Dazi's housing bureau one; they leave the seed's ladder figures as they are.
    from ranan.inspections.models import Referral

    states = sorted(Referral.objects.values_list("organisation__name", "state"))
    assert states == [("江北区综合行政执法局（燃气）", "accepted"),
                      ("江北区综合行政执法局（燃气）", "sent"), ("达孜区住房和城乡建设局", "sent")]
