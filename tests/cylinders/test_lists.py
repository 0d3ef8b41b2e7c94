"""The cylinder list filters and the recall list (issue 4, items 5 and 9)."""

import uuid

import pytest

from ranan.cylinders import services


def codes_of(response):
    return {r["code"] for r in response.json()["results"]}


def test_overdue_filter_and_states(fleet, api):
    client = api.as_(fleet.station_manager)
    assert codes_of(client.get("/api/v1/cylinders/?overdue=true")) == {fleet.overdue.code,
                                                                      fleet.scrap.code}
    assert codes_of(client.get("/api/v1/cylinders/?state=empty")) == {
        fleet.good.code, fleet.overdue.code, fleet.scrap.code}
    assert codes_of(client.get(f"/api/v1/cylinders/?q={fleet.good.code.lower()}")) == {fleet.good.code}


@pytest.mark.parametrize("query, field", [
    ("state=melted", "state"), ("overdue=maybe", "overdue"), ("due_within=-3", "due_within"),
    ("station=abc", "station")])
def test_bad_filters_name_the_parameter(fleet, api, query, field):
    response = api.as_(fleet.station_manager).get(f"/api/v1/cylinders/?{query}")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == field


def test_the_recall_list_says_where_each_cylinder_is(fleet, api):
    # The 'good' cylinder goes to a customer; the others stay at the station.
    for actor, action, kw in ((fleet.station_manager, "fill", {}),
                              (fleet.station_manager, "dispatch", {"courier": fleet.courier_a1}),
                              (fleet.courier_a1, "deliver", {"customer": fleet.customer})):
        services.cylinder_scan(actor=actor, code=fleet.good.code, action=action,
                               client_id=uuid.uuid4(), **kw)
    client = api.as_(fleet.station_manager)
    rows = client.get("/api/v1/cylinders/recall/").json()["results"]
    assert {r["code"] for r in rows} == {fleet.overdue.code, fleet.scrap.code}
    far = client.get("/api/v1/cylinders/recall/?days=3650").json()["results"]
    where = {r["code"]: r["where"] for r in far}
    assert where[fleet.good.code]["kind"] == "customer" and where[fleet.good.code]["name"] == "卓玛"
    assert where[fleet.overdue.code]["kind"] == "station"


def test_other_districts_see_no_cylinders(fleet, api):
    assert api.as_(fleet.regulator_b).get("/api/v1/cylinders/").json()["count"] == 0
    assert api.as_(fleet.regulator_a).get("/api/v1/cylinders/recall/").json()["count"] == 2
    assert api.as_(fleet.auditor).get("/api/v1/cylinders/").status_code == 403


def test_the_daily_recall_job_marks_and_tells_the_station_once_a_day(fleet):
    import datetime

    from ranan.core.models import Message
    from ranan.core.notify import deliver_pending
    from ranan.cylinders.models import Cylinder
    from ranan.cylinders.tasks import mark_recalls

    assert mark_recalls() == {fleet.station.pk: 2}
    assert set(Cylinder.objects.filter(recall_from__isnull=False).values_list("code", flat=True)) \
        == {fleet.overdue.code, fleet.scrap.code}
    message = Message.objects.get()
    assert message.to_organisation == fleet.station and "2" in message.subject
    assert mark_recalls() == {}  # idempotent: nothing new, no second message
    assert Message.objects.count() == 1
    later = datetime.date.today() + datetime.timedelta(days=365 * 2)
    assert mark_recalls(today=later)[fleet.station.pk] == 1  # the good one falls due later
    assert Message.objects.count() == 2
    assert deliver_pending() == 2 and deliver_pending() == 0


def test_the_recall_job_is_registered_with_the_worker():
    from ranan.core.tasks import deliver_messages, periodic_jobs
    from ranan.cylinders.tasks import mark_recalls_task

    jobs = [job for job, _ in periodic_jobs()]
    assert mark_recalls_task in jobs and deliver_messages in jobs
