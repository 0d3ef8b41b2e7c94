"""The demo's overdue cylinders by place (issue 15 item 4): the district's figure is its six
townships' (cylinders that fell due at households) plus the district's own (at 虎峰液化气站,
which serves the whole district), on the dashboard, in the lists behind the figures and in
the breakdown API."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from ranan.core import demo, kpis
from ranan.core.models import Account, Jurisdiction
from ranan.cylinders.choices import CIRCULATING, State
from ranan.cylinders.models import Cylinder
from ranan.cylinders.selectors import overdue_q

NAME = "cylinders_overdue"


@pytest.fixture
def regulator(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo.load()
    return Account.objects.get(username="dazi_msa")


def numbers(html: str) -> tuple[int, list[int], int | None]:
    card = int(re.search(rf'data-testid="kpi-card" data-kpi="{NAME}" data-numerator="(\d+)"',
                         html).group(1))
    rows = re.findall(r'<tr data-testid="child-row".*?</tr>', html, re.S)
    children = [int(re.search(rf'data-kpi="{NAME}" data-numerator="(\d+)"', r).group(1))
                for r in rows]
    here = re.search(r'data-testid="here-row".*?</tr>', html, re.S)
    own = None
    if here:
        found = re.search(rf'data-kpi="{NAME}" data-numerator="(\d+)"', here.group(0))
        own = int(found.group(1)) if found else None
    return card, children, own


def test_the_district_is_its_townships_and_its_station(regulator):
    today = timezone.localdate()
    overdue = Cylinder.objects.filter(state__in=CIRCULATING).filter(overdue_q(today))
    at_homes = overdue.filter(state=State.AT_CUSTOMER).count()
    assert at_homes > 0, "the demo has overdue cylinders at households"
    client = Client()
    client.force_login(regulator)
    dazi = Jurisdiction.objects.get(name="达孜区")
    card, children, own = numbers(client.get(f"/dashboard/?jurisdiction={dazi.code}")
                                  .content.decode())
    assert card == overdue.count()
    assert len(children) == 6 and sum(children) == at_homes
    assert own == card - at_homes  # at the station (or with its couriers)
    assert sum(children) + own == card
    assert sum(1 for n in children if n) >= 3  # the townships are not all 0 any more


def test_every_township_figure_opens_its_cylinders_and_the_api_agrees(regulator, api):
    client = Client()
    client.force_login(regulator)
    dazi = Jurisdiction.objects.get(name="达孜区")
    today = timezone.localdate()
    listed = 0
    for township in Jurisdiction.objects.filter(parent=dazi):
        figure = kpis.compute(regulator, township.path, today, today, [NAME])[0]["value"]
        html = client.get(f"/dashboard/records/{NAME}/?jurisdiction={township.code}"
                          ).content.decode()
        assert f'data-count="{figure}"' in html, township.name
        # Each row says where: the township and the village of its household.
        wheres = re.findall(r'<tr data-testid="record-row">(?:<td>.*?</td>){2}<td>([^<]*)</td>',
                            html)
        assert len(wheres) == figure and all(w.startswith(township.name) for w in wheres)
        listed += figure
    html = client.get(f"/dashboard/records/{NAME}/?jurisdiction={dazi.code}&at=here"
                      ).content.decode()
    own = int(re.search(r'data-count="(\d+)"', html).group(1))
    assert 'data-testid="here-note"' in html
    assert listed + own == kpis.compute(regulator, dazi.path, today, today, [NAME])[0]["value"]
    # The breakdown API gives the same townships' figures.
    client = api.as_(regulator)
    children = client.get(f"/api/v1/kpis/breakdown?jurisdiction={dazi.code}&kpi={NAME}"
                          ).json()["children"]
    assert len(children) == 6 and sum(c["kpis"][0]["value"] for c in children) == listed
    here = client.get(f"/api/v1/kpis/breakdown?jurisdiction={dazi.code}&kpi={NAME}"
                      ).json()["here"]
    assert [(r["name"], r["value"]) for r in here] == [(NAME, own)]


def test_another_district_sees_none_of_them(regulator):
    client = Client()
    client.force_login(Account.objects.get(username="jiangbei_reg"))
    dazi = Jurisdiction.objects.get(name="达孜区")
    assert client.get(f"/dashboard/records/{NAME}/?jurisdiction={dazi.code}").status_code == 404
    township = Jurisdiction.objects.get(name="德庆镇")
    assert client.get(f"/dashboard/records/{NAME}/?jurisdiction={township.code}&at=here"
                      ).status_code == 404
    html = client.get(f"/dashboard/records/{NAME}/").content.decode()
    assert 'data-count="0"' in html
