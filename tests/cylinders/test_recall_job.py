"""The daily recall job counts per station in one pass (bench/recall_job.py): each station's
message gives its newly marked and its total on the list."""

import datetime

from ranan.core import services as core_services
from ranan.core.choices import OrgKind
from ranan.core.models import Message
from ranan.cylinders import services
from ranan.cylinders.models import Cylinder
from ranan.cylinders.tasks import mark_recalls


def test_each_station_hears_its_new_and_total_count(fleet):
    other = core_services.organisation_create(actor=None, name="乙站", kind=OrgKind.LPG_STATION,
                                              parent=fleet.lpg_company,
                                              jurisdictions=[fleet.district_a])
    today = datetime.date.today()
    old = services.cylinder_register(actor=None, station=other, type=fleet.type15,
                                     made_on=today - datetime.timedelta(days=int(365.25 * 6)))
    away = services.cylinder_register(actor=None, station=other, type=fleet.type15,
                                      made_on=today - datetime.timedelta(days=int(365.25 * 6)))
    Cylinder.objects.filter(pk=away.pk).update(state="at_inspection")  # not in circulation

    assert mark_recalls() == {fleet.station.pk: 2, other.pk: 1}
    assert not Cylinder.objects.get(pk=away.pk).recall_from
    assert Cylinder.objects.get(pk=old.pk).recall_from == today
    bodies = dict(Message.objects.values_list("to_organisation", "body"))
    assert "2 只钢瓶" in bodies[fleet.station.pk] and "共 2 只" in bodies[fleet.station.pk]
    assert "1 只钢瓶" in bodies[other.pk] and "共 1 只" in bodies[other.pk]

    later = today + datetime.timedelta(days=365 * 2)  # the good one falls due too
    assert mark_recalls(today=later) == {fleet.station.pk: 1}
    newest = Message.objects.filter(to_organisation=fleet.station).latest("id")
    assert "1 只钢瓶" in newest.body and "共 3 只" in newest.body
