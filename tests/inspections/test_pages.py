"""The inspection pages: today's list, the visit form (not at home; an inspection with a fix on
the spot, a finding, photos and a signature; errors placed next to what they name, nothing
written; one record for a double submit; corrections), the visit page and its images (never
to another area), the unreached list and its measures, plans and their progress, the
customer page's panel. Each with the right role, the wrong role (403) and the wrong area
(404)."""

import base64
import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from ranan.customers.choices import CustomerStatus
from ranan.customers.models import Customer, Device
from ranan.inspections import services
from ranan.inspections.choices import MeasureKind, Outcome, Tier
from ranan.inspections.models import Answer, Finding, Measure, Photo, Plan, Visit
from tests.inspections.conftest import all_pass, days_ago, png, visit

TODAY = timezone.localdate


def browser(account):
    client = Client()
    client.force_login(account)
    return client


def data_url(content: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(content).decode()


def image(name="photo.png", content=None):
    return SimpleUploadedFile(name, content if content is not None else png(), "image/png")


def visit_url(customer) -> str:
    return f"/inspections/visit/{customer.pk}/"


def inspection_post(**changes) -> dict:
    """A complete inspection of a pipeline household: everything passes except the rubber
    hose (fixed on the spot with a metal one) and the corroded indoor pipe (photographed,
    not fixed)."""
    answers = all_pass(services.current_checklist("pipeline_household"))
    answers.update(hose_type="rubber", indoor_pipe="fail")
    data = {"client_id": str(uuid.uuid4()), "started_at": timezone.now().isoformat(),
            "outcome": "inspected", "kind": "periodic", "notes": "厨房通风差",
            "signature": data_url(png(60, 30)),
            "fixed-hose_type": "on", "part-hose_type": "hose", "material-hose_type": "metal",
            "length-hose_type": "1.5", "fixnote-hose_type": "换金属波纹管",
            "photo-indoor_pipe": image("pipe.png"), "photos": [image("kitchen.png")]}
    data.update({f"answer-{code}": value for code, value in answers.items()})
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def plan(homes):
    return services.plan_create(actor=homes.gas_admin, jurisdiction=homes.district_b,
                                title="第四季度入户安检", start=TODAY() - datetime.timedelta(days=5),
                                end=TODAY() + datetime.timedelta(days=60))


# --- Today's list -----------------------------------------------------------------------------


def test_the_inspector_sees_todays_households_revisits_first_with_the_time_last_tried(
        homes, plan):
    tried = visit(homes.inspector, homes.homes[2], Outcome.NOT_HOME, when=days_ago(1))
    page = browser(homes.inspector).get("/inspections/")
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [r["customer"].pk for r in rows][0] == homes.homes[2].pk
    assert rows[0]["tier"] == Tier.REVISIT and rows[0]["standing"].unanswered == 1
    assert {r["customer"].pk for r in rows} == {h.pk for h in homes.homes}
    html = page.content.decode()
    assert html.count('data-testid="work-card"') == 5
    assert f'href="/inspections/visit/{homes.homes[2].pk}/?plan={plan.pk}"' in html
    last = timezone.localtime(tried.started_at).strftime("%H:%M")
    assert f'data-testid="last-tried">{last}<' in html


def test_those_who_plan_see_running_plans_and_the_unreached_lists_instead(homes, plan):
    page = browser(homes.regulator_b).get("/inspections/")
    assert page.status_code == 200
    assert "rows" not in page.context
    assert [p.pk for p in page.context["running"]] == [plan.pk]
    html = page.content.decode()
    assert 'data-testid="work-list"' not in html
    assert "/inspections/unreached/?jurisdiction=990102" in html
    assert f'href="/inspections/plans/{plan.pk}/"' in html


def test_the_navigation_has_inspections_for_data_roles_only(homes):
    assert 'href="/inspections/"' in browser(homes.inspector).get("/").content.decode()
    assert 'href="/inspections/"' not in browser(homes.auditor).get("/").content.decode()


@pytest.mark.parametrize("url", ["/inspections/", "/inspections/unreached/",
                                 "/inspections/plans/"])
def test_the_auditor_is_refused_every_page(homes, url):
    assert browser(homes.auditor).get(url).status_code == 403


# --- The visit form ---------------------------------------------------------------------------


def test_the_visit_form_shows_the_customers_checklist(homes):
    page = browser(homes.inspector).get(visit_url(homes.homes[0]))
    assert page.status_code == 200
    codes = [e.code for e in page.context["entries"]]
    checklist = services.current_checklist("pipeline_household")
    assert codes == [i.code for i in checklist.items.all()]
    html = page.content.decode()
    for outcome in Outcome.values:
        assert f'data-testid="outcome-{outcome}"' in html
    assert 'capture="environment"' in html and 'inputmode="decimal"' in html
    assert 'name="client_id"' in html and "signature-pad" in html
    # The hose item offers a metal hose as the part a fix installs.
    hose = next(e for e in page.context["entries"] if e.code == "hose_type")
    assert hose.part == "hose" and hose.material == "metal"


def test_the_visit_form_is_refused_to_roles_that_do_not_visit_and_out_of_area(homes):
    assert browser(homes.regulator_b).get(visit_url(homes.homes[0])).status_code == 403
    assert browser(homes.auditor).get(visit_url(homes.homes[0])).status_code == 403
    assert browser(homes.inspector).get(visit_url(homes.lpg_home)).status_code == 404
    assert browser(homes.courier_a1).get(visit_url(homes.homes[0])).status_code == 404
    assert browser(homes.courier_a1).get(visit_url(homes.lpg_home)).status_code == 200
    # A regulator cannot record a visit by posting either.
    answer = browser(homes.regulator_b).post(visit_url(homes.homes[0]), {
        "client_id": str(uuid.uuid4()), "outcome": "not_home", "kind": "periodic"})
    assert answer.status_code == 403 and not Visit.objects.exists()


def test_a_not_at_home_is_recorded_and_shown(homes, plan):
    client = browser(homes.inspector)
    answer = client.post(visit_url(homes.homes[0]), {
        "client_id": str(uuid.uuid4()), "outcome": "not_home", "kind": "periodic",
        "plan": plan.pk, "notes": "敲门无人应答",
        # Answers left in the hidden checklist do not count for a visit without inspection.
        "answer-leak_test": "pass"})
    v = Visit.objects.get()
    assert answer.status_code == 302 and answer.url == f"/inspections/visits/{v.pk}/"
    assert (v.outcome, v.plan_id, v.notes, v.inspector_id) == (
        Outcome.NOT_HOME, plan.pk, "敲门无人应答", homes.inspector.pk)
    assert not v.answers.exists() and not v.signature
    page = client.get(answer.url)
    assert page.status_code == 200
    assert 'data-outcome="not_home"' in page.content.decode()


def test_an_inspection_with_a_fix_on_the_spot_a_finding_photos_and_a_signature(homes):
    home = homes.homes[0]
    client = browser(homes.inspector)
    answer = client.post(visit_url(home), inspection_post())
    assert answer.status_code == 302, answer.context and answer.context["form"].errors
    v = Visit.objects.get()
    assert (v.outcome, v.failed_count, v.fixed_count) == (Outcome.INSPECTED, 2, 1)
    assert v.checklist.key == "pipeline-household" and v.signature.name.endswith(".png")
    fixed = Answer.objects.get(visit=v, item__code="hose_type")
    assert fixed.failed and fixed.fixed and fixed.part == "hose" and fixed.note == "换金属波纹管"
    hose = Device.objects.current().get(customer=home, kind="hose")
    assert hose.material == "metal" and str(hose.length_m) == "1.50"
    finding = Finding.objects.get(visit=v)
    assert finding.item.code == "indoor_pipe" and finding.category == "corrosion"
    photos = {p.item.code if p.item else None for p in Photo.objects.filter(visit=v)}
    assert photos == {"indoor_pipe", None}

    page = client.get(answer.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="findings"' in html and 'data-item="indoor_pipe"' in html
    assert 'data-item="hose_type" data-failed="1" data-fixed="1"' in html
    item_photo = Photo.objects.get(visit=v, item__code="indoor_pipe")
    assert f'src="/inspections/photos/{item_photo.pk}"' in html
    served = client.get(f"/inspections/photos/{item_photo.pk}")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == png()
    signature = client.get(f"/inspections/visits/{v.pk}/signature")
    assert signature.status_code == 200
    assert b"".join(signature.streaming_content) == png(60, 30)
    assert "private" in signature["Cache-Control"]


def test_a_ticked_fix_on_an_item_that_passes_is_dropped(homes):
    """The fix controls are hidden once the answer passes again: a tick left there is not a
    fix (the service would refuse it)."""
    answer = browser(homes.inspector).post(visit_url(homes.homes[0]), inspection_post(**{
        "answer-hose_type": "metal", "fixed-alarm": "on"}))
    assert answer.status_code == 302
    v = Visit.objects.get()
    assert (v.failed_count, v.fixed_count) == (1, 0)


@pytest.mark.parametrize("change,where", [
    ({"answer-leak_test": None}, ("item", "leak_test")),
    ({"answer-hose_length": "long"}, ("item", "hose_length")),
    ({"signature": None}, ("signature", None)),
    ({"signature": "data:image/png;base64,bm90IGFuIGltYWdl"}, ("signature", None)),
    ({"photo-indoor_pipe": None}, ("item", "indoor_pipe")),
    ({"photo-indoor_pipe": SimpleUploadedFile("x.png", b"GIF89a not a png", "image/png")},
     ("item", "indoor_pipe")),
    ({"photos": [SimpleUploadedFile("x.jpg", b"plain text", "image/jpeg")]},
     ("photos", None)),
    ({"length-hose_type": "long"}, ("item", "hose_type")),
    ({"outcome": None}, ("outcome", None)),
    ({"outcome": "maybe"}, ("outcome", None)),
    ({"notes": "x" * 1001}, ("notes", None)),
])
def test_errors_are_shown_where_they_belong_and_nothing_is_written(homes, change, where):
    client = browser(homes.inspector)
    posted = inspection_post(**change)
    if change.get("answer-leak_test", "") is None:
        posted.pop("answer-leak_test", None)
    answer = client.post(visit_url(homes.homes[0]), posted)
    assert answer.status_code == 200
    kind, code = where
    context = answer.context
    if kind == "item":
        entry = next(e for e in context["entries"] if e.code == code)
        assert entry.errors, [(e.code, e.errors) for e in context["entries"] if e.errors]
        assert f'data-field="{code}"' in answer.content.decode()
    elif kind in ("signature", "photos"):
        assert context["placed"][kind]
        assert f'data-field="{kind}"' in answer.content.decode()
    else:
        assert context["form"].errors.get(kind)
    assert not Visit.objects.exists() and not Answer.objects.exists()
    assert not Photo.objects.exists() and not Finding.objects.exists()
    assert not Device.objects.filter(customer=homes.homes[0]).exists()
    # What was entered comes back: the answers, the signature, the same client_id.
    assert context["form"]["client_id"].value() == posted["client_id"]
    hose = next(e for e in context["entries"] if e.code == "hose_type")
    assert hose.value == "rubber" and hose.fixed
    if "photo-indoor_pipe" in posted or "photos" in posted:
        assert context["files_lost"]


def test_a_double_submit_with_one_client_id_records_once(homes):
    client = browser(homes.inspector)
    posted = inspection_post()
    first = client.post(visit_url(homes.homes[0]), posted)
    posted["photo-indoor_pipe"], posted["photos"] = image("pipe.png"), [image("kitchen.png")]
    second = client.post(visit_url(homes.homes[0]), posted)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Visit.objects.count() == 1 and Photo.objects.count() == 2
    assert Device.objects.filter(customer=homes.homes[0], kind="hose").count() == 1


def test_the_same_client_id_for_another_household_is_refused(homes):
    client = browser(homes.inspector)
    posted = {"client_id": str(uuid.uuid4()), "outcome": "not_home", "kind": "periodic"}
    client.post(visit_url(homes.homes[0]), posted)
    again = client.post(visit_url(homes.homes[1]), posted)
    assert again.status_code == 200 and again.context["form"].non_field_errors()
    assert Visit.objects.count() == 1


def test_a_correction_is_a_new_visit_and_the_original_says_so(homes):
    client = browser(homes.inspector)
    wrong = visit(homes.inspector, homes.homes[0], Outcome.REFUSED, when=days_ago(1))
    form = client.get(visit_url(homes.homes[0]) + f"?corrects={wrong.pk}")
    assert form.status_code == 200 and form.context["form"]["outcome"].value() == "refused"
    answer = client.post(visit_url(homes.homes[0]), {
        "client_id": str(uuid.uuid4()), "outcome": "not_home", "kind": "periodic",
        "corrects": wrong.pk, "started_at": wrong.started_at.isoformat()})
    fixed = Visit.objects.get(corrects=wrong)
    assert answer.url == f"/inspections/visits/{fixed.pk}/"
    assert (fixed.started_at, fixed.ended_at) == (wrong.started_at, wrong.ended_at)
    original = client.get(f"/inspections/visits/{wrong.pk}/").content.decode()
    assert 'data-testid="corrected-by"' in original
    assert f'href="/inspections/visits/{fixed.pk}/"' in original
    assert 'data-testid="correct"' not in original  # correct the correction instead
    # A visit of another customer cannot be corrected through this customer's form.
    other = visit(homes.inspector, homes.homes[1], Outcome.NOT_HOME)
    assert client.get(visit_url(homes.homes[0]) + f"?corrects={other.pk}").status_code == 404


# --- The visit page and its images ------------------------------------------------------------


def test_photos_signature_and_the_visit_page_are_never_shown_to_another_area(homes):
    browser(homes.inspector).post(visit_url(homes.homes[0]), inspection_post())
    v = Visit.objects.get()
    photo = Photo.objects.filter(visit=v).first()
    urls = [f"/inspections/visits/{v.pk}/", f"/inspections/photos/{photo.pk}",
            f"/inspections/visits/{v.pk}/signature"]
    for account in (homes.courier_a1, homes.regulator_a, homes.station_manager):
        for url in urls:
            assert browser(account).get(url).status_code == 404, (account, url)
    for url in urls:
        assert browser(homes.auditor).get(url).status_code == 403
        assert browser(homes.regulator_b).get(url).status_code == 200
    assert Client().get(urls[1]).status_code == 302  # to the login page
    assert browser(homes.inspector).get("/inspections/photos/999999").status_code == 404


# --- The unreached list and its measures ------------------------------------------------------


def test_the_unreached_list_has_tabs_with_counts_and_filters_by_tier(homes):
    visit(homes.inspector, homes.homes[0], Outcome.REFUSED, when=days_ago(3))
    visit(homes.inspector, homes.homes[1], Outcome.NOT_HOME, when=days_ago(3))
    client = browser(homes.regulator_b)
    page = client.get("/inspections/unreached/?jurisdiction=990102001001")
    assert page.status_code == 200
    counts = {code: n for code, _label, n in page.context["tiers"]}
    assert counts == {Tier.REVISIT: 1, Tier.SHUT_OFF: 1, Tier.SHUT: 0, Tier.ENFORCEMENT: 0}
    assert [r["customer"].pk for r in page.context["rows"]] == [homes.homes[0].pk,
                                                                 homes.homes[1].pk]
    only = client.get("/inspections/unreached/?jurisdiction=990102001001&tier=revisit")
    assert [r["customer"].pk for r in only.context["rows"]] == [homes.homes[1].pk]
    # Without a code: the account's first area (district B for its regulator).
    default = browser(homes.regulator_b).get("/inspections/unreached/")
    assert default.context["node"] == homes.district_b and len(default.context["rows"]) == 2
    # Another district's code is unknown to this account.
    other = client.get("/inspections/unreached/?jurisdiction=990101")
    assert other.context["node"] is None and other.context["area_error"]
    assert not other.context["rows"]


def test_a_valve_shut_off_and_a_referral_are_recorded_from_the_unreached_list(homes):
    home = homes.homes[0]
    visit(homes.inspector, home, Outcome.REFUSED, when=days_ago(3))
    client = browser(homes.inspector)
    url = "/inspections/unreached/?jurisdiction=990102001001"
    html = client.get(url).content.decode()
    assert 'data-testid="shut-off-form"' in html
    answer = client.post(url, {"customer": home.pk, "kind": MeasureKind.SHUT_OFF,
                               "note": "拒绝入户，关阀", "photo": SimpleUploadedFile(
                                   "valve.png", png(), content_type="image/png")})
    assert answer.status_code == 302 and answer.url == url
    assert Customer.objects.get(pk=home.pk).status == CustomerStatus.SHUT_OFF
    rows = client.get(url).context["rows"]
    assert rows[0]["tier"] == Tier.SHUT
    # A referral needs the department: the error is shown on the row, nothing written.
    missing = client.post(url, {"customer": home.pk, "kind": MeasureKind.ENFORCEMENT,
                                "note": "拒不整改"})
    assert missing.status_code == 400 and missing.context["measure_for"] == home.pk
    assert missing.context["measure_form"].errors["organisation"]
    assert 'data-testid="measure-errors"' in missing.content.decode()
    assert not Measure.objects.filter(kind=MeasureKind.ENFORCEMENT).exists()
    client.post(url, {"customer": home.pk, "kind": MeasureKind.ENFORCEMENT,
                      "organisation": homes.regulator_b_org.pk, "note": "拒不整改"})
    referral = Measure.objects.get(kind=MeasureKind.ENFORCEMENT)
    assert (referral.organisation, referral.by_id) == (homes.regulator_b_org, homes.inspector.pk)
    assert referral.referral.state == "sent"
    assert client.get(url).context["rows"][0]["tier"] == Tier.ENFORCEMENT


def test_measures_are_refused_to_other_roles_and_areas(homes):
    home = homes.homes[0]
    visit(homes.inspector, home, Outcome.REFUSED, when=days_ago(3))
    posted = {"customer": home.pk, "kind": MeasureKind.SHUT_OFF}
    assert browser(homes.courier_a1).post("/inspections/unreached/", posted).status_code == 403
    assert browser(homes.regulator_a).post("/inspections/unreached/", posted).status_code == 404
    assert not Measure.objects.exists()


# --- Plans ------------------------------------------------------------------------------------


def test_a_plan_is_made_from_the_page_and_shows_its_progress(homes):
    visit(homes.inspector, homes.homes[0], Outcome.NOT_HOME, when=days_ago(0.1))
    client = browser(homes.gas_admin)
    form = client.get("/inspections/plans/")
    assert form.status_code == 200 and form.context["form"]["jurisdiction"].value() == "990102"
    answer = client.post("/inspections/plans/", {
        "jurisdiction": "990102001001", "title": "翠东 11 月入户安检",
        "start": (TODAY() - datetime.timedelta(days=1)).isoformat(),
        "end": (TODAY() + datetime.timedelta(days=30)).isoformat()})
    plan = Plan.objects.get()
    assert answer.status_code == 302 and answer.url == f"/inspections/plans/{plan.pk}/"
    assert plan.targets.count() == 5 and plan.created_by == homes.gas_admin
    page = client.get(answer.url)
    assert page.status_code == 200
    total = page.context["total"]
    assert (total["targets"], total["revisit"], total["not_visited"]) == (5, 1, 4)
    html = page.content.decode()
    assert 'data-testid="total"' in html and 'cell-alert" data-tier="revisit">1<' in html
    assert [p.pk for p in client.get("/inspections/plans/").context["rows"]] == [plan.pk]
    # The inspector of the community reads the plan, the other district does not.
    assert browser(homes.inspector).get(answer.url).status_code == 200
    assert browser(homes.regulator_a).get(answer.url).status_code == 404


@pytest.mark.parametrize("change,field", [
    ({"jurisdiction": "990101"}, "jurisdiction"),   # another district: unknown here
    ({"jurisdiction": "nonsense"}, "jurisdiction"),
    ({"title": ""}, "title"),
    ({"end": "2020-01-01"}, "end"),
    ({"start": "yesterday"}, "start"),
])
def test_bad_plan_input_names_the_field_and_makes_nothing(homes, change, field):
    posted = {"jurisdiction": "990102", "title": "计划", "start": TODAY().isoformat(),
              "end": (TODAY() + datetime.timedelta(days=30)).isoformat(), **change}
    answer = browser(homes.gas_admin).post("/inspections/plans/", posted)
    assert answer.status_code == 400
    assert answer.context["form"].errors.get(field), answer.context["form"].errors
    assert not Plan.objects.exists()


def test_only_planning_roles_make_plans(homes):
    posted = {"jurisdiction": "990102001001", "title": "计划", "start": TODAY().isoformat(),
              "end": TODAY().isoformat()}
    client = browser(homes.inspector)
    assert client.get("/inspections/plans/").context["form"] is None
    assert client.post("/inspections/plans/", posted).status_code == 403
    assert not Plan.objects.exists()


# --- The customer page ------------------------------------------------------------------------


def test_the_customer_page_lists_the_visits_newest_first(homes):
    home = homes.homes[0]
    older = visit(homes.inspector, home, Outcome.NOT_HOME, when=days_ago(10))
    newer = visit(homes.inspector, home, Outcome.INSPECTED, when=days_ago(1))
    page = browser(homes.inspector).get(f"/customers/{home.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="customer-visits"' in html
    assert html.index(f'data-visit="{newer.pk}"') < html.index(f'data-visit="{older.pk}"')
    assert f'href="/inspections/visit/{home.pk}/"' in html
    # A regulator sees the visits but gets no button to start one.
    html = browser(homes.regulator_b).get(f"/customers/{home.pk}/").content.decode()
    assert f'data-visit="{newer.pk}"' in html and 'data-testid="start-visit"' not in html


def test_the_inspector_opens_the_district_plan_that_assigns_them_households(homes, plan):
    """The plan is made for district B, above the inspector's community: it is theirs all
    the same, and a visit from their list counts for it."""
    client = browser(homes.inspector)
    assert [p.pk for p in client.get("/inspections/").context["running"]] == [plan.pk]
    page = client.get(f"/inspections/plans/{plan.pk}/")
    assert page.status_code == 200 and page.context["total"]["targets"] == 5
    assert browser(homes.courier_a1).get(f"/inspections/plans/{plan.pk}/").status_code == 404


def test_an_administrator_publishes_a_new_checklist_version(homes):
    from django.test import Client

    from ranan.inspections.models import Checklist

    current = services.current_checklist("pipeline_household")
    client = Client()
    client.force_login(homes.admin)
    page = client.get(f"/inspections/checklists/{current.pk}/edit/")
    formset = page.context["formset"]
    data = {"title": current.title, "form-TOTAL_FORMS": str(len(formset.forms)),
            "form-INITIAL_FORMS": str(len(formset.initial_forms)), "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000"}
    for index, form in enumerate(formset.forms):
        for name in form.fields:
            value = form.initial.get(name)
            if value is None or value is False:
                continue
            data[f"form-{index}-{name}"] = "on" if value is True else value
    data["form-0-DELETE"] = "on"  # drop the first item
    new_index = len(formset.initial_forms)
    data.update({f"form-{new_index}-position": "99", f"form-{new_index}-code": "co_alarm",
                 f"form-{new_index}-question": "安装一氧化碳报警器",
                 f"form-{new_index}-question_en": "A CO alarm is installed",
                 f"form-{new_index}-answer_type": "pass_fail",
                 f"form-{new_index}-required": "on",
                 f"form-{new_index}-hazard_category": "alarm",
                 f"form-{new_index}-default_grade": "minor"})
    answer = client.post(f"/inspections/checklists/{current.pk}/edit/", data)
    assert answer.status_code == 302, answer.context and [f.errors for f in
                                                           answer.context["formset"]]
    new = services.current_checklist("pipeline_household")
    assert new.version == current.version + 1
    codes = list(new.items.values_list("code", flat=True))
    assert "co_alarm" in codes and current.items.first().code not in codes
    assert Checklist.objects.get(pk=current.pk).items.count() == current.items.count()
    inspector = Client()
    inspector.force_login(homes.inspector)
    assert inspector.get("/inspections/checklists/").status_code == 403
