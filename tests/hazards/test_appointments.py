"""Issue 14 item 6: a visit agreed with the resident to fix a hazard: booked in the working
hours with inspectors of the area, the resident and the inspectors told through the outbox,
on the inspector's work list that day; every bad input named, nothing half written."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone

from ranan.core import services as core_services
from ranan.core.choices import Role
from ranan.core.models import AuditEntry, Message
from ranan.customers.models import Customer
from ranan.hazards import selectors, services
from ranan.hazards.choices import AppointmentState, State
from ranan.hazards.models import Appointment, Hazard
from ranan.inspections import selectors as inspection_selectors
from tests.cast import With

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def at(hour, minute=0, day=TOMORROW):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def large(homes):
    """A large corrosion hazard at the first household of grid B1 (phone 13800001111)."""
    Customer.objects.filter(pk=homes.homes[0].pk).update(phone="13800001111")
    hazard = services.hazard_create(actor=homes.inspector, customer=homes.homes[0],
                                    category="corrosion", description="户内管道锈蚀",
                                    source="inspection")
    second = core_services.account_create(
        actor=None, username="inspector2", password="x-password-123",
        organisation=homes.gas_company, roles=[Role.INSPECTOR], area=[homes.grid_b1],
        check_password=False)
    elsewhere = core_services.account_create(
        actor=None, username="inspector_a", password="x-password-123",
        organisation=homes.gas_company, roles=[Role.INSPECTOR], area=[homes.village_a1],
        check_password=False)
    return With(homes, large=hazard, second=second, elsewhere=elsewhere)


def book(w, **kw):
    kw.setdefault("starts_at", at(9))
    kw.setdefault("inspectors", [w.inspector])
    return services.appointment_book(actor=kw.pop("actor", w.gas_admin), hazard=w.large, **kw)


def test_a_booking_tells_the_resident_and_the_inspectors(large):
    a = book(large, inspectors=[large.inspector, large.second], note="带管件")
    assert a.state == AppointmentState.BOOKED and a.phone == "13800001111"
    assert set(a.inspectors.all()) == {large.inspector, large.second}
    sms = Message.objects.get(kind="appointment_resident")
    assert sms.to_phone == "13800001111" and "138****1111" in sms.subject
    assert "13800001111" not in sms.subject + sms.body and "09:00" in sms.body
    assert Message.objects.filter(kind="appointment", to_account=large.inspector).count() == 1
    assert Message.objects.filter(kind="appointment", to_account=large.second).count() == 1
    assert AuditEntry.objects.filter(model="hazards.appointment", object_pk=str(a.pk)).exists()


def test_the_visit_is_on_the_inspectors_work_list_that_day(large, clock):
    book(large)
    assert inspection_selectors.booked_visits(large.inspector) == []  # not today
    rows = inspection_selectors.booked_visits(large.inspector, TOMORROW)
    assert [r["id"] for r in rows] and rows[0]["url"] == f"/hazards/{large.large.pk}/"
    assert selectors.booked_visits(large.second, TOMORROW) == []  # not theirs
    clock.move_to(at(7, 30))
    client = Client()
    client.force_login(large.inspector)
    html = client.get("/inspections/").content.decode()
    assert 'data-testid="booked-visit"' in html and "09:00" in html
    # The field app reads the same from the API.
    booked = client.get("/api/v1/work-list/").json()["booked"]
    assert [(b["kind"], b["id"]) for b in booked] == [("hazard_appointment", rows[0]["id"])]


@pytest.mark.parametrize("change,field", [
    ({"starts_at": at(9, day=timezone.localdate() - datetime.timedelta(days=1))}, "starts_at"),
    ({"starts_at": at(7, 30)}, "starts_at"),
    ({"starts_at": at(19, 30)}, "starts_at"),  # would end after 20:00
    ({"starts_at": None}, "starts_at"),
    ({"inspectors": []}, "inspectors"),
    ({"inspectors": "elsewhere"}, "inspectors"),
    ({"inspectors": "courier"}, "inspectors"),
    ({"phone": "12345"}, "phone"),
    ({"note": "x" * 501}, "note"),
])
def test_bad_bookings_name_the_field_and_write_nothing(large, change, field):
    if change.get("inspectors") == "elsewhere":
        change["inspectors"] = [large.elsewhere]
    elif change.get("inspectors") == "courier":
        change["inspectors"] = [large.courier_a1]
    with pytest.raises(ValidationError) as error:
        book(large, **change)
    assert field in error.value.message_dict
    assert not Appointment.objects.exists() and not Message.objects.exists()


def test_the_hours_are_a_setting(large, settings):
    settings.HAZARD_APPOINTMENT_HOURS = ("07:00", "18:00")
    assert book(large, starts_at=at(7)).pk
    with pytest.raises(ValidationError):
        book(large, starts_at=at(17, 30), inspectors=[large.second])


def test_no_phone_no_booking(large):
    Customer.objects.filter(pk=large.homes[0].pk).update(phone="")
    with pytest.raises(ValidationError) as error:
        book(large)
    assert "phone" in error.value.message_dict
    assert book(large, phone="13900002222").phone == "13900002222"


def test_an_inspector_is_not_booked_twice_at_once(large):
    book(large)
    with pytest.raises(ValidationError) as error:
        book(large, starts_at=at(9, 30), inspectors=[large.second, large.inspector])
    assert "starts_at" in error.value.message_dict
    assert Appointment.objects.count() == 1
    assert book(large, starts_at=at(10)).pk  # right after
    assert book(large, starts_at=at(9, 30), inspectors=[large.second]).pk


def test_a_hazard_done_gets_no_visit_and_wrong_roles_none(large):
    with pytest.raises(PermissionDenied):
        book(large, actor=large.courier_a1)
    with pytest.raises(PermissionDenied):
        book(large, actor=large.regulator_b)
    with pytest.raises(Hazard.DoesNotExist):
        book(large, actor=large.station_manager)  # district A: not its hazard
    Hazard.objects.filter(pk=large.large.pk).update(state=State.FIXED)
    with pytest.raises(ValidationError) as error:
        book(large)
    assert "hazard" in error.value.message_dict


def test_the_same_client_id_books_once(large):
    key = uuid.uuid4()
    first = book(large, client_id=key)
    assert book(large, client_id=key).pk == first.pk
    assert Appointment.objects.count() == 1
    from ranan.lib.idempotency import Conflict

    with pytest.raises(Conflict):
        book(large, client_id=key, actor=large.admin)


def test_done_and_cancelled(large):
    a = book(large)
    with pytest.raises(ValidationError) as error:
        services.appointment_close(actor=large.inspector, appointment=a, to="cancelled")
    assert "note" in error.value.message_dict
    cancelled = services.appointment_close(actor=large.inspector, appointment=a,
                                           to="cancelled", note="住户出差")
    assert cancelled.state == AppointmentState.CANCELLED and cancelled.closed_by == large.inspector
    assert Message.objects.filter(kind="appointment_resident").count() == 2  # told twice
    with pytest.raises(ValidationError) as error:
        services.appointment_close(actor=large.inspector, appointment=a, to="done")
    assert "to" in error.value.message_dict
    assert inspection_selectors.booked_visits(large.inspector, TOMORROW) == []
    b = book(large)  # the slot is free again
    assert services.appointment_close(actor=large.gas_admin, appointment=b,
                                      to="done").state == AppointmentState.DONE


def test_the_api(large, api):
    client = api.as_(large.gas_admin)
    url = f"/api/v1/hazards/{large.large.pk}/appointments"
    answer = client.post(url, {"starts_at": at(9).isoformat(), "inspectors": [large.inspector.pk],
                               "client_id": str(uuid.uuid4())}, format="json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["phone"] == "138****1111" and body["inspectors"] == [large.inspector.pk]
    assert [r["id"] for r in client.get(url).json()] == [body["id"]]
    listed = client.get("/api/v1/hazard-appointments/", {"day": TOMORROW.isoformat()}).json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    mine = api.as_(large.inspector).get("/api/v1/hazard-appointments/",
                                        {"day": TOMORROW.isoformat(), "mine": "true"}).json()
    assert [r["id"] for r in mine["results"]] == [body["id"]]

    def fields(response):
        assert response.status_code == 400, response.content
        return {e["field"] for e in response.json()["errors"]}

    client = api.as_(large.gas_admin)
    assert fields(client.post(url, {"starts_at": at(9, 30).isoformat(),
                                    "inspectors": [large.inspector.pk]},
                              format="json")) == {"starts_at"}  # booked at 09:00 already
    assert fields(client.post(url, {"starts_at": at(6).isoformat(),
                                    "inspectors": [large.inspector.pk]},
                              format="json")) == {"starts_at"}
    assert fields(client.post(url, {"starts_at": "tomorrow", "inspectors": [large.inspector.pk]},
                              format="json")) == {"starts_at"}
    assert fields(client.post(url, {"starts_at": at(11).isoformat(),
                                    "inspectors": [large.elsewhere.pk]},
                              format="json")) == {"inspectors"}
    # An account the booker does not see is answered like one that does not exist.
    assert fields(client.post(url, {"starts_at": at(11).isoformat(),
                                    "inspectors": [large.courier_a1.pk]},
                              format="json")) == {"inspectors"}
    assert fields(client.get("/api/v1/hazard-appointments/", {"day": "soon"})) == {"day"}
    assert api.as_(large.station_manager).post(url, {}, format="json").status_code == 404
    assert api.as_(large.courier_a1).post(url, {}, format="json").status_code == 403
    assert api.as_(large.regulator_b).get(url).status_code == 200  # reads, does not book
    assert api.as_(large.regulator_b).post(url, {}, format="json").status_code == 403
    client = api.as_(large.gas_admin)  # one client: authenticate again
    done = client.post(f"/api/v1/hazard-appointments/{body['id']}/done", {}, format="json")
    assert done.status_code == 200 and done.json()["state"] == "done"
    again = client.post(f"/api/v1/hazard-appointments/{body['id']}/cancel", {"note": "x"},
                        format="json")
    assert fields(again) == {"to"}
    assert api.as_(large.station_manager).post(
        f"/api/v1/hazard-appointments/{body['id']}/done", {}, format="json").status_code == 404


def test_the_pages(large):
    client = Client()
    client.force_login(large.gas_admin)
    detail = client.get(f"/hazards/{large.large.pk}/").content.decode()
    assert 'data-testid="book-visit"' in detail
    form_url = f"/hazards/{large.large.pk}/appointments/new/"
    assert client.get(form_url).status_code == 200
    data = {"day": TOMORROW.isoformat(), "time": "06:00", "inspectors": [large.inspector.pk],
            "client_id": str(uuid.uuid4())}
    bad = client.post(form_url, data)
    assert bad.status_code == 400 and 'data-field="time"' in bad.content.decode()
    data["time"] = "09:00"
    assert client.post(form_url, data).status_code == 302
    a = Appointment.objects.get()
    listing = client.get("/hazards/appointments/", {"day": TOMORROW.isoformat()})
    assert f'data-id="{a.pk}"' in listing.content.decode()
    assert client.post(f"/hazards/appointments/{a.pk}/close",
                       {"to": "done"}).status_code == 302
    assert Appointment.objects.get().state == "done"
    courier = Client()
    courier.force_login(large.courier_a1)
    assert courier.get(form_url).status_code == 403
    other = Client()
    other.force_login(large.station_manager)
    assert other.get(form_url).status_code == 404
    regulator = Client()
    regulator.force_login(large.regulator_b)
    page = regulator.get(f"/hazards/{large.large.pk}/").content.decode()
    assert 'data-testid="book-visit"' not in page  # no link to a 403
    assert regulator.get("/hazards/appointments/").status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real concurrent test needs "
                    "PostgreSQL (SQLite serialises writers)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_bookings_of_one_inspector_at_once_exactly_one_succeeds(settings, tmp_path):
    import threading

    from django.db import connections

    from ranan.customers import services as customer_services
    from tests.cast import Cast

    settings.MEDIA_ROOT = tmp_path
    world = Cast()
    homes = [customer_services.customer_create(
        actor=None, name=f"住户{n}", address=f"乙小区{n}号", jurisdiction=world.grid_b1,
        supply="pipeline", gas_company=world.gas_company, phone="13800001111")
        for n in range(2)]
    hazards = [services.hazard_create(actor=world.inspector, customer=h, category="corrosion",
                                      description="x", source="inspection") for h in homes]
    barrier = threading.Barrier(2)
    results = []

    def book_one(hazard, actor):
        try:
            barrier.wait()
            services.appointment_book(actor=actor, hazard=hazard, starts_at=at(9),
                                      inspectors=[world.inspector])
            results.append("ok")
        except ValidationError as exc:
            results.append(exc.message_dict)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book_one, args=args)
               for args in ((hazards[0], world.gas_admin), (hazards[1], world.inspector))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1, results
    assert Appointment.objects.count() == 1
