"""Issue 14: shut-off and sealed valves, supply restored as a record resting on an inspection
since the shut-off (and held back by open hazards), referrals for enforcement answered by the
department they name and climbing a ladder when left unanswered."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone

from ranan.core.models import AuditEntry, Message, Organisation
from ranan.customers.choices import CustomerStatus
from ranan.customers.models import Customer
from ranan.hazards import services as hazard_services
from ranan.inspections import referrals, selectors, services
from ranan.inspections.choices import MeasureKind, Outcome, ReferralState, ReferralStep, Tier
from ranan.inspections.models import Measure, Referral
from tests.conftest import kpi_figures
from tests.inspections.conftest import days_ago, png, visit

pytestmark = pytest.mark.django_db


def browser(account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def shut(homes, home=None, kind=MeasureKind.SHUT_OFF, when=None):
    home = home or homes.homes[0]
    return services.measure_record(actor=homes.inspector, customer=home, kind=kind,
                                   at=when or days_ago(5), note="三次未入户", photo=png())


def figures(homes) -> dict:
    today = timezone.localdate()
    return kpi_figures(homes.gas_admin, homes.district_b.path,
                       today - datetime.timedelta(days=7), today)


def restore(homes, home, v, actor=None):
    return services.supply_restore(actor=actor or homes.inspector, customer=home, visit=v)


# --- Shut off and sealed -----------------------------------------------------------------------


def test_a_shut_off_says_since_when_and_a_seal_follows_it_once(homes):
    home = homes.homes[0]
    measure = shut(homes)
    home.refresh_from_db()
    assert home.status == CustomerStatus.SHUT_OFF
    assert home.status_date == timezone.localtime(days_ago(5)).date()
    with pytest.raises(ValidationError) as error:
        shut(homes)
    assert "kind" in error.value.message_dict
    sealed = shut(homes, kind=MeasureKind.SEALED, when=days_ago(1))
    assert sealed.kind == MeasureKind.SEALED and measure.kind == MeasureKind.SHUT_OFF
    with pytest.raises(ValidationError) as error:
        shut(homes, kind=MeasureKind.SEALED)
    assert "sealed" in str(error.value.message_dict["kind"])
    # A seal straight away also stops the supply.
    other = homes.homes[1]
    shut(homes, other, kind=MeasureKind.SEALED)
    assert Customer.objects.get(pk=other.pk).status == CustomerStatus.SHUT_OFF
    assert figures(homes)["valves_shut"]["value"] == 3


# --- Restoring supply --------------------------------------------------------------------------


def test_restore_rests_on_an_inspection_since_the_shut_off(homes):
    home = homes.homes[0]
    before = visit(homes.inspector, home, Outcome.INSPECTED, when=days_ago(8))
    shut(homes)
    # Not shut: nothing to restore.
    with pytest.raises(ValidationError) as error:
        restore(homes, homes.homes[1], before)
    assert "customer" in error.value.message_dict
    # No visit, a visit from before the shut-off, a visit of another household, one not in.
    with pytest.raises(ValidationError) as error:
        restore(homes, home, None)
    assert "visit" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        restore(homes, home, before)
    assert "since the shut-off" in error.value.message_dict["visit"][0]
    elsewhere = visit(homes.inspector, homes.homes[1], Outcome.INSPECTED, when=days_ago(1))
    with pytest.raises(ValidationError) as error:
        restore(homes, home, elsewhere)
    assert "visit" in error.value.message_dict
    not_in = visit(homes.inspector, home, Outcome.NOT_HOME, when=days_ago(2))
    with pytest.raises(ValidationError):
        restore(homes, home, not_in)
    assert not Measure.objects.filter(kind=MeasureKind.RESTORED).exists()
    assert Customer.objects.get(pk=home.pk).status == CustomerStatus.SHUT_OFF
    # After a completed inspection: restored, with the record, the audit and the ladder.
    after = visit(homes.inspector, home, Outcome.INSPECTED, when=days_ago(1))
    assert list(selectors.restore_visits(home)) == [after]
    measure = restore(homes, home, after)
    assert (measure.kind, measure.visit, measure.by) == (MeasureKind.RESTORED, after,
                                                         homes.inspector)
    home.refresh_from_db()
    assert home.status == CustomerStatus.ACTIVE
    assert AuditEntry.objects.filter(model="inspections.measure", object_pk=str(measure.pk),
                                     action="create").exists()
    standing = selectors.standings(Customer.objects.filter(pk=home.pk), days_ago(30))
    assert standing[home.pk].tier is None
    k = figures(homes)
    assert (k["supply_restored"]["value"], k["unreached_shut"]["value"]) == (1, 0)
    # Twice: refused, nothing written.
    with pytest.raises(ValidationError) as error:
        restore(homes, home, after)
    assert "not shut off" in error.value.message_dict["customer"][0]
    assert Measure.objects.filter(kind=MeasureKind.RESTORED).count() == 1


def test_open_hazards_hold_back_the_restore_until_fixed(homes):
    home = homes.homes[0]
    shut(homes)
    hazard = hazard_services.hazard_create(actor=homes.inspector, category="hose",
                                           description="橡胶软管老化", source="inspection",
                                           customer=home)
    done = visit(homes.inspector, home, Outcome.INSPECTED, when=days_ago(1))
    with pytest.raises(ValidationError) as error:
        restore(homes, home, done)
    assert f"#{hazard.pk}" in error.value.message_dict["customer"][0]
    hazard_services.hazard_transition(actor=homes.inspector, hazard=hazard, to="rectifying")
    hazard_services.hazard_transition(actor=homes.inspector, hazard=hazard, to="fixed",
                                      note="已更换金属软管", photos=[png()])
    assert restore(homes, home, done).kind == MeasureKind.RESTORED


def test_restore_roles_and_scope(homes):
    home = homes.homes[0]
    shut(homes)
    done = visit(homes.inspector, home, Outcome.INSPECTED, when=days_ago(1))
    for actor in (homes.courier_a1, homes.auditor, homes.regulator_b):
        with pytest.raises(PermissionDenied):
            restore(homes, home, done, actor=actor)
    with pytest.raises(Customer.DoesNotExist):  # the station manager of district A
        restore(homes, home, done, actor=homes.station_manager)
    assert Customer.objects.get(pk=home.pk).status == CustomerStatus.SHUT_OFF


def test_restore_through_the_api(homes):
    home = homes.homes[0]
    shut(homes)
    done = visit(homes.inspector, home, Outcome.INSPECTED, when=days_ago(1))
    api = browser(homes.inspector)
    foreign = visit(homes.station_manager, homes.lpg_home, Outcome.INSPECTED, when=days_ago(1))
    answer = api.post("/api/v1/measures/", {"customer": home.pk, "kind": "restored",
                                            "visit": foreign.pk}, content_type="application/json")
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["visit"]
    answer = api.post("/api/v1/measures/", {"customer": home.pk, "kind": "restored"},
                      content_type="application/json")
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "visit"
    courier = browser(homes.courier_a1).post("/api/v1/measures/", {
        "customer": home.pk, "kind": "restored", "visit": done.pk},
        content_type="application/json")
    assert courier.status_code == 403
    answer = api.post("/api/v1/measures/", {"customer": home.pk, "kind": "restored",
                                            "visit": done.pk}, content_type="application/json")
    assert answer.status_code == 201 and answer.json()["kind"] == "restored"
    assert Customer.objects.get(pk=home.pk).status == CustomerStatus.ACTIVE


def test_supply_page_shows_why_and_restores(homes):
    home = homes.homes[0]
    shut(homes)
    page = browser(homes.inspector).get(f"/inspections/supply/{home.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "三次未入户" in html
    assert 'data-testid="restore-needs-visit"' in html
    done = visit(homes.inspector, home, Outcome.INSPECTED, when=days_ago(1))
    client = browser(homes.inspector)
    bad = client.post(f"/inspections/supply/{home.pk}/", {"action": "restored", "visit": "x"})
    assert bad.status_code == 400 and 'data-field="visit"' in bad.content.decode()
    ok = client.post(f"/inspections/supply/{home.pk}/", {"action": "restored",
                                                         "visit": done.pk})
    assert ok.status_code == 302
    assert Customer.objects.get(pk=home.pk).status == CustomerStatus.ACTIVE
    # A courier reads no such page; another area's account gets a 404.
    assert browser(homes.courier_a1).get(f"/inspections/supply/{home.pk}/").status_code == 404
    # The unreached list links the shut households to their supply page.
    shut(homes, homes.homes[1])
    listing = browser(homes.inspector).get(
        "/inspections/unreached/?jurisdiction=990102001001").content.decode()
    assert f"/inspections/supply/{homes.homes[1].pk}/" in listing


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real concurrent test needs "
                    "PostgreSQL (SQLite serialises writers)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_people_restoring_one_household_at_once_one_wins(settings, tmp_path):
    from django.db import connections

    from tests.cast import Cast
    from tests.factories import PipelineHouseholdFactory

    settings.MEDIA_ROOT = tmp_path
    cast = Cast()
    home = PipelineHouseholdFactory(jurisdiction=cast.grid_b1, gas_company=cast.gas_company,
                                    meter_number="M-race")
    Customer.objects.filter(pk=home.pk).update(created_at=days_ago(30))
    home.refresh_from_db()
    services.measure_record(actor=cast.inspector, customer=home, kind=MeasureKind.SHUT_OFF,
                            at=days_ago(3), note="三次未入户", photo=png())
    done = visit(cast.inspector, home, Outcome.INSPECTED, when=days_ago(1))
    barrier = threading.Barrier(2)
    results = []

    def go():
        try:
            barrier.wait()
            services.supply_restore(actor=cast.inspector,
                                    customer=Customer.objects.get(pk=home.pk), visit=done)
            results.append("ok")
        except ValidationError as exc:
            results.append(exc.message_dict)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1
    assert Measure.objects.filter(kind=MeasureKind.RESTORED).count() == 1


# --- Referrals -----------------------------------------------------------------------------


def refer(homes, home=None, organisation=None):
    return services.measure_record(actor=homes.inspector, customer=home or homes.homes[0],
                                   kind=MeasureKind.ENFORCEMENT,
                                   organisation=organisation or homes.regulator_b_org,
                                   note="拒不整改私接管道")


def test_a_referral_names_a_department_of_the_area_which_is_told_at_once(homes):
    for wrong in (homes.regulator_a_org, homes.gas_company):
        with pytest.raises(ValidationError) as error:
            refer(homes, organisation=wrong)
        assert "organisation" in error.value.message_dict
    assert not Measure.objects.exists() and not Referral.objects.exists()
    measure = refer(homes)
    referral = measure.referral
    assert (referral.state, referral.organisation, referral.reason) == (
        ReferralState.SENT, homes.regulator_b_org, "拒不整改私接管道")
    told = Message.objects.get(kind="referral.sent")
    assert told.to_organisation == homes.regulator_b_org and homes.homes[0].name in told.subject
    assert list(services.referral_departments(homes.homes[0])) == [homes.regulator_b_org]


def test_the_department_accepts_records_the_outcome_and_closes(homes):
    referral = refer(homes).referral
    # Another department of another area: not found; a role that does not answer: refused.
    with pytest.raises(Referral.DoesNotExist):
        referrals.referral_accept(actor=homes.regulator_a, referral=referral)
    with pytest.raises(PermissionDenied):
        referrals.referral_accept(actor=homes.inspector, referral=referral)
    with pytest.raises(ValidationError) as error:
        referrals.referral_close(actor=homes.regulator_b, referral=referral, outcome="fine",
                                 note="罚款2000元")
    assert "state" in error.value.message_dict
    referrals.referral_accept(actor=homes.regulator_b, referral=referral)
    with pytest.raises(ValidationError):
        referrals.referral_accept(actor=homes.regulator_b, referral=referral)
    for outcome, note, field in (("", "x", "outcome"), ("bribe", "x", "outcome"),
                                 ("fine", "", "outcome_note"), ("fine", "x" * 501,
                                                                "outcome_note")):
        with pytest.raises(ValidationError) as error:
            referrals.referral_close(actor=homes.regulator_b, referral=referral,
                                     outcome=outcome, note=note)
        assert field in error.value.message_dict
    closed = referrals.referral_close(actor=homes.regulator_b, referral=referral,
                                      outcome="fine", note="罚款2000元，责令停用")
    assert (closed.state, closed.outcome, closed.closed_by) == (
        ReferralState.CLOSED, "fine", homes.regulator_b)
    assert AuditEntry.objects.filter(model="inspections.referral",
                                     object_pk=str(referral.pk)).count() == 3


def test_a_department_of_the_same_area_that_was_not_named_cannot_answer(homes):
    other = Organisation.objects.create(name="乙区城管执法局", kind="regulator",
                                        regulator_type="housing")
    other.jurisdictions.add(homes.district_b)
    referral = refer(homes, organisation=other).referral
    with pytest.raises(PermissionDenied):
        referrals.referral_accept(actor=homes.regulator_b, referral=referral)


def test_an_unanswered_referral_climbs_its_ladder_once_a_step(homes, clock):
    referral = refer(homes).referral
    assert referrals.escalate_referrals() == {1: 0, 2: 0, 3: 0}
    clock.shift(datetime.timedelta(days=2))
    assert referrals.escalate_referrals()[ReferralStep.REMINDER] == 1
    assert referrals.escalate_referrals()[ReferralStep.REMINDER] == 0  # once a step
    assert Message.objects.filter(kind="referral.escalated",
                                  to_organisation=homes.regulator_b_org).count() == 1
    # Accepted but not closed: it still climbs to the task force.
    referrals.referral_accept(actor=homes.regulator_b, referral=referral)
    clock.shift(datetime.timedelta(days=5))
    assert referrals.escalate_referrals()[ReferralStep.NOTICE] == 1
    assert Message.objects.filter(kind="referral.escalated",
                                  to_organisation=homes.platform).exists()
    Referral.objects.filter(pk=referral.pk).update(state=ReferralState.CLOSED)
    clock.shift(datetime.timedelta(days=10))
    assert referrals.escalate_referrals()[ReferralStep.SUPERVISION] == 0
    assert Referral.objects.get(pk=referral.pk).step == ReferralStep.NOTICE


def test_referrals_api_and_pages(homes):
    referral = refer(homes).referral
    api = browser(homes.regulator_b)
    listing = api.get("/api/v1/referrals/?mine=true&state=sent").json()
    assert [r["id"] for r in listing["results"]] == [referral.pk]
    assert api.get("/api/v1/referrals/?state=bogus").status_code == 400
    assert browser(homes.regulator_a).get(f"/api/v1/referrals/{referral.pk}/").status_code == 404
    assert browser(homes.regulator_a).post(
        f"/api/v1/referrals/{referral.pk}/accept/").status_code in (403, 404)
    assert browser(homes.inspector).post(
        f"/api/v1/referrals/{referral.pk}/accept/").status_code == 403
    answer = api.post(f"/api/v1/referrals/{referral.pk}/close/",
                      {"outcome": "fine", "outcome_note": "罚款"},
                      content_type="application/json")
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "state"
    assert api.post(f"/api/v1/referrals/{referral.pk}/accept/").json()["state"] == "accepted"
    bad = api.post(f"/api/v1/referrals/{referral.pk}/close/", {"outcome": "fine"},
                   content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "outcome_note"
    # Pages: the department closes it from the referral's page.
    page = browser(homes.regulator_b)
    html = page.get("/inspections/referrals/?mine=1").content.decode()
    assert f'data-referral="{referral.pk}"' in html
    detail = page.get(f"/inspections/referrals/{referral.pk}/").content.decode()
    assert 'data-testid="close-form"' in detail
    wrong = page.post(f"/inspections/referrals/{referral.pk}/", {"action": "close",
                                                                 "outcome": "order"})
    assert wrong.status_code == 400 and 'data-field="outcome_note"' in wrong.content.decode()
    done = page.post(f"/inspections/referrals/{referral.pk}/", {
        "action": "close", "outcome": "order", "outcome_note": "下达责令整改通知书 No.12"})
    assert done.status_code == 302
    assert Referral.objects.get(pk=referral.pk).state == ReferralState.CLOSED
    # The platform's administrator follows it read-only: no answer form.
    forced = browser(homes.admin).get(f"/inspections/referrals/{referral.pk}/")
    assert forced.status_code == 200 and "accept-form" not in forced.content.decode()
    assert browser(homes.courier_a1).get("/inspections/referrals/").status_code == 403


def test_the_ladder_sees_a_referral(homes):
    home = homes.homes[0]
    refer(homes)
    standing = selectors.standings(Customer.objects.filter(pk=home.pk), days_ago(1))
    assert standing[home.pk].tier == Tier.ENFORCEMENT


def test_the_second_refused_check_at_the_door_puts_the_household_on_the_shut_off_list(homes):
    home = homes.homes[0]
    assert selectors.tier_of(check_refused=1) == Tier.REVISIT
    assert selectors.tier_of(check_refused=2) == Tier.SHUT_OFF
    visit(homes.inspector, home, Outcome.REFUSED, when=days_ago(3), kind="delivery")
    standing = selectors.standings(Customer.objects.filter(pk=home.pk), days_ago(30))[home.pk]
    assert (standing.check_refused, standing.refused, standing.tier) == (1, 0, Tier.REVISIT)
    assert figures(homes)["unreached_revisit"]["value"] == 1
    visit(homes.inspector, home, Outcome.REFUSED, when=days_ago(2), kind="delivery")
    assert selectors.check_refusals([home.pk]) == {home.pk: 2}
    standing = selectors.standings(Customer.objects.filter(pk=home.pk), days_ago(30))[home.pk]
    assert standing.tier == Tier.SHUT_OFF
    k = figures(homes)
    assert (k["unreached_revisit"]["value"], k["unreached_shut_off"]["value"]) == (0, 1)
    listed = browser(homes.inspector).get("/api/v1/unreached/", {
        "jurisdiction": "990102001001"}).json()["results"]
    assert [(r["tier"], r["visits"]["check_refused"]) for r in listed
            if r["customer"] == home.pk] == [("shut_off", 2)]
    # A refused inspection (not a check at the door) is on the list at once, as before.
    visit(homes.inspector, homes.homes[1], Outcome.REFUSED, when=days_ago(1))
    assert figures(homes)["unreached_shut_off"]["value"] == 2
