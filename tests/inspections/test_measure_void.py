"""Issue 15 item 2: a measure is confirmed with a note (and, for a shut-off or a seal, a
photo of the sealed valve), and its author can void it within a short time with a reason;
a voided measure no longer counts (ladder, KPIs, the supply stop at the door)."""

import base64
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from ranan.core.models import AuditEntry
from ranan.customers.choices import CustomerStatus
from ranan.customers.models import Customer
from ranan.delivery import supply
from ranan.inspections import selectors, services
from ranan.inspections.choices import MeasureKind, Outcome, Tier
from ranan.inspections.models import Measure
from tests.conftest import kpi_figures
from tests.inspections.conftest import days_ago, png, visit

pytestmark = pytest.mark.django_db


def browser(account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def shut_off(homes, home=None, actor=None, **kw):
    kw.setdefault("note", "三次不在家，关阀")
    kw.setdefault("photo", png())
    return services.measure_record(actor=actor or homes.inspector,
                                   customer=home or homes.homes[0],
                                   kind=kw.pop("kind", MeasureKind.SHUT_OFF), **kw)


def figures(homes) -> dict:
    today = timezone.localdate()
    return kpi_figures(homes.gas_admin, homes.district_b.path,
                       today - datetime.timedelta(days=7), today)


# --- Confirmation: the note and the photo ---------------------------------------------------


@pytest.mark.parametrize("kind", [MeasureKind.SHUT_OFF, MeasureKind.SEALED])
def test_a_shut_off_or_seal_needs_a_note_and_a_photo_of_the_valve(homes, kind):
    home = homes.homes[0]
    for missing, field in (({"note": ""}, "note"), ({"note": "   "}, "note"),
                           ({"photo": None}, "photo"), ({"photo": b"not an image"}, "photo")):
        with pytest.raises(ValidationError) as error:
            shut_off(homes, kind=kind, **missing)
        assert field in error.value.message_dict, (missing, error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        shut_off(homes, kind=kind, note="x" * 501)
    assert "note" in error.value.message_dict
    assert not Measure.objects.exists()
    assert Customer.objects.get(pk=home.pk).status == CustomerStatus.ACTIVE
    measure = shut_off(homes, kind=kind)
    assert measure.photo and len(measure.photo_sha256) == 64
    assert measure.photo.read() == png()
    assert measure.prior_status == CustomerStatus.ACTIVE


def test_a_referral_needs_a_note_but_no_photo(homes):
    with pytest.raises(ValidationError) as error:
        services.measure_record(actor=homes.inspector, customer=homes.homes[0],
                                kind=MeasureKind.ENFORCEMENT,
                                organisation=homes.regulator_b_org)
    assert set(error.value.message_dict) == {"note"}
    measure = services.measure_record(actor=homes.inspector, customer=homes.homes[0],
                                      kind=MeasureKind.ENFORCEMENT,
                                      organisation=homes.regulator_b_org, note="拒不整改")
    assert not measure.photo


def test_the_api_takes_the_photo_in_base64_or_multipart_and_names_what_is_missing(homes, api):
    inspector = api.as_(homes.inspector)
    home, other = homes.homes[0], homes.homes[1]
    answer = inspector.post("/api/v1/measures/", {"customer": home.pk, "kind": "shut_off"},
                            format="json")
    assert answer.status_code == 400
    assert {e["field"] for e in answer.json()["errors"]} == {"note", "photo"}
    answer = inspector.post("/api/v1/measures/", {"customer": home.pk, "kind": "shut_off",
                                                  "note": "关阀", "photo": "%%%"}, format="json")
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "photo"
    answer = inspector.post("/api/v1/measures/", {
        "customer": home.pk, "kind": "shut_off", "note": "三次不在家",
        "photo": "data:image/png;base64," + base64.b64encode(png()).decode()}, format="json")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["photo"] == f"/inspections/measures/{body['id']}/photo"
    assert body["voided_at"] is None and body["voidable_until"]
    answer = inspector.post("/api/v1/measures/", {
        "customer": other.pk, "kind": "sealed", "note": "拆表封存",
        "photo": SimpleUploadedFile("valve.png", png(), content_type="image/png")},
        format="multipart")
    assert answer.status_code == 201, answer.json()
    assert Customer.objects.get(pk=other.pk).status == CustomerStatus.SHUT_OFF
    # The photo is served to those who see the measure, not to another area.
    photo = browser(homes.inspector).get(body["photo"])
    assert photo.status_code == 200
    assert {"private", "no-store"} <= set(photo["Cache-Control"].replace(" ", "").split(","))
    assert browser(homes.regulator_a).get(body["photo"]).status_code == 404


def test_the_unreached_page_refuses_a_shut_off_without_note_or_photo(homes):
    home = homes.homes[0]
    visit(homes.inspector, home, Outcome.REFUSED, when=days_ago(3))
    client = browser(homes.inspector)
    url = "/inspections/unreached/?jurisdiction=990102001001"
    page = client.get(url).content.decode()
    assert 'data-testid="shut-off-form"' in page and 'enctype="multipart/form-data"' in page
    bare = client.post(url, {"customer": home.pk, "kind": MeasureKind.SHUT_OFF})
    assert bare.status_code == 400
    assert set(bare.context["measure_form"].errors) == {"note", "photo"}
    assert 'data-testid="measure-errors"' in bare.content.decode()
    no_photo = client.post(url, {"customer": home.pk, "kind": MeasureKind.SHUT_OFF,
                                 "note": "拒绝入户"})
    assert no_photo.status_code == 400 and set(no_photo.context["measure_form"].errors) == {
        "photo"}
    assert not Measure.objects.exists()
    done = client.post(url, {"customer": home.pk, "kind": MeasureKind.SHUT_OFF,
                             "note": "拒绝入户", "photo": SimpleUploadedFile(
                                 "v.png", png(), content_type="image/png")})
    assert done.status_code == 302
    assert Measure.objects.get().note == "拒绝入户"


def test_the_unreached_page_shows_no_raw_placeholder_in_chinese(homes):
    """Its "last tried" header was the plural entry "最近 %(n)s 次入户" read as a singular."""
    visit(homes.inspector, homes.homes[0], Outcome.NOT_HOME, when=days_ago(1))
    client = browser(homes.inspector)
    page = client.get("/inspections/unreached/?jurisdiction=990102001001",
                      HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="last-tried"' in html
    assert "%(" not in html


# --- Voiding ---------------------------------------------------------------------------------


def test_its_author_voids_a_shut_off_and_everything_stops_counting_it(homes):
    home = homes.homes[0]
    for _ in range(3):
        visit(homes.inspector, home, Outcome.NOT_HOME, when=days_ago(4))
    before = figures(homes)
    measure = shut_off(homes)
    assert Customer.objects.get(pk=home.pk).status == CustomerStatus.SHUT_OFF
    assert supply.stop_of(Customer.objects.get(pk=home.pk)) is not None
    shut = figures(homes)
    assert shut["valves_shut"]["value"] == before["valves_shut"]["value"] + 1
    assert shut["unreached_shut"]["value"] == before["unreached_shut"]["value"] + 1

    voided = services.measure_void(actor=homes.inspector, measure=measure,
                                   reason="关错了户，应为隔壁")
    assert (voided.voided_by, voided.void_reason) == (homes.inspector, "关错了户，应为隔壁")
    row = Measure.objects.get(pk=measure.pk)
    assert row.voided_at is not None and row.voided_by_id == homes.inspector.pk
    customer = Customer.objects.get(pk=home.pk)
    assert customer.status == CustomerStatus.ACTIVE
    # No longer blocks delivery; the ladder puts the household back on "to be shut off".
    assert supply.stop_of(customer) is None
    rows = {r["customer"].pk: r["tier"] for r in
            selectors.unreached(homes.gas_admin, homes.community_b1.path)}
    assert rows[home.pk] == Tier.SHUT_OFF
    after = figures(homes)
    for name in ("valves_shut", "unreached_shut", "unreached_shut_off"):
        assert after[name]["value"] == before[name]["value"], name
    # Audited: the measure's void and the customer's status back.
    entries = AuditEntry.objects.filter(model="inspections.measure", object_pk=str(measure.pk))
    assert set(entries.values_list("action", flat=True)) == {"create", "update"}
    assert AuditEntry.objects.filter(model="customers.customer", object_pk=str(home.pk),
                                     action="update").count() == 2
    # A new shut-off can be recorded again after the void.
    shut_off(homes, home=Customer.objects.get(pk=home.pk))
    assert Customer.objects.get(pk=home.pk).status == CustomerStatus.SHUT_OFF


def test_voiding_a_seal_over_a_shut_off_keeps_the_household_shut(homes):
    home = homes.homes[0]
    first = shut_off(homes)
    seal = shut_off(homes, kind=MeasureKind.SEALED, note="拆除阀门封存")
    assert seal.prior_status == ""
    services.measure_void(actor=homes.inspector, measure=seal, reason="仅关阀，未拆除")
    assert Customer.objects.get(pk=home.pk).status == CustomerStatus.SHUT_OFF
    stop = supply.stop_of(Customer.objects.get(pk=home.pk))
    assert stop.why == first.note  # the standing shut-off says why, not the voided seal
    # The earlier shut-off has a later measure resting on it no more: it can be voided.
    services.measure_void(actor=homes.inspector, measure=first, reason="录入错误")
    assert Customer.objects.get(pk=home.pk).status == CustomerStatus.ACTIVE


def test_void_bad_input(homes, settings, clock):
    settings.RANAN_MEASURE_VOID_MINUTES = 30
    measure = shut_off(homes)
    # No reason.
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as error:
            services.measure_void(actor=homes.inspector, measure=measure, reason=reason)
        assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.measure_void(actor=homes.inspector, measure=measure, reason="x" * 501)
    assert "reason" in error.value.message_dict
    # Someone else (who may record measures in the same area).
    with pytest.raises(PermissionDenied):
        services.measure_void(actor=homes.regulator_b, measure=measure, reason="不是我关的")
    # A role that records no measures, and another area.
    with pytest.raises(PermissionDenied):
        services.measure_void(actor=homes.courier_a1, measure=measure, reason="x")
    with pytest.raises(Measure.DoesNotExist):
        services.measure_void(actor=homes.regulator_a, measure=measure, reason="x")
    # Twice.
    services.measure_void(actor=homes.inspector, measure=measure, reason="关错了")
    with pytest.raises(ValidationError) as error:
        services.measure_void(actor=homes.inspector, measure=Measure.objects.get(pk=measure.pk),
                              reason="再撤一次")
    assert "measure" in error.value.message_dict
    # After the window.
    late = shut_off(homes, home=homes.homes[1])
    clock.shift(datetime.timedelta(minutes=31))
    with pytest.raises(ValidationError) as error:
        services.measure_void(actor=homes.inspector, measure=late, reason="太晚了")
    assert "measure" in error.value.message_dict
    assert Measure.objects.get(pk=late.pk).voided_at is None
    # A referral is answered by its department, not voided.
    referral = services.measure_record(actor=homes.inspector, customer=homes.homes[2],
                                       kind=MeasureKind.ENFORCEMENT,
                                       organisation=homes.regulator_b_org, note="拒不整改")
    with pytest.raises(ValidationError) as error:
        services.measure_void(actor=homes.inspector, measure=referral, reason="撤回")
    assert "measure" in error.value.message_dict


def test_a_shut_off_with_a_restore_after_it_cannot_be_voided(homes):
    home = homes.homes[0]
    measure = shut_off(homes, at=days_ago(0.01))
    done = visit(homes.inspector, home, Outcome.INSPECTED)
    services.supply_restore(actor=homes.inspector, customer=home, visit=done)
    with pytest.raises(ValidationError) as error:
        services.measure_void(actor=homes.inspector, measure=measure, reason="录错")
    assert "measure" in error.value.message_dict


def test_void_through_the_api(homes, api, clock):
    measure = shut_off(homes)
    url = f"/api/v1/measures/{measure.pk}/void/"
    assert api.as_(homes.inspector).post(url, {}, format="json").status_code == 400
    other = api.as_(homes.regulator_b).post(url, {"reason": "x"}, format="json")
    assert other.status_code == 403
    assert api.as_(homes.regulator_a).post(url, {"reason": "x"}, format="json").status_code == 404
    assert api.as_(homes.courier_a1).post(url, {"reason": "x"}, format="json").status_code == 403
    answer = api.as_(homes.inspector).post(url, {"reason": "关错了户"}, format="json")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["voided_by"] == homes.inspector.pk and body["void_reason"] == "关错了户"
    assert body["voidable_until"] is None
    twice = api.as_(homes.inspector).post(url, {"reason": "再来"}, format="json")
    assert twice.status_code == 400 and twice.json()["errors"][0]["field"] == "measure"
    late = shut_off(homes, home=homes.homes[1])
    clock.shift(datetime.timedelta(minutes=45))
    answer = api.as_(homes.inspector).post(f"/api/v1/measures/{late.pk}/void/",
                                           {"reason": "太晚"}, format="json")
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "measure"


def test_the_supply_page_voids_and_shows_the_voided_measure(homes):
    home = homes.homes[0]
    measure = shut_off(homes)
    url = f"/inspections/supply/{home.pk}/"
    page = browser(homes.inspector).get(url)
    assert page.status_code == 200 and 'data-testid="void-form"' in page.content.decode()
    assert 'data-testid="measure-photo"' in page.content.decode()
    # Another account sees no void form, and its post is refused naming the measure.
    other = browser(homes.regulator_b)
    assert 'data-testid="void-form"' not in other.get(url).content.decode()
    refused = other.post(url, {"action": "void", "measure": measure.pk, "reason": "x"})
    assert refused.status_code == 400 and "measure" in refused.context["errors"]
    blank = browser(homes.inspector).post(url, {"action": "void", "measure": measure.pk})
    assert blank.status_code == 400 and "reason" in blank.context["errors"]
    assert browser(homes.inspector).post(url, {"action": "void", "measure": 999999,
                                               "reason": "x"}).status_code == 404
    done = browser(homes.inspector).post(url, {"action": "void", "measure": measure.pk,
                                               "reason": "关错了户"})
    assert done.status_code == 302
    html = browser(homes.inspector).get(url).content.decode()
    assert 'data-voided="1"' in html and 'data-testid="void-record"' in html
    assert 'data-testid="void-form"' not in html
    assert Customer.objects.get(pk=home.pk).status == CustomerStatus.ACTIVE
