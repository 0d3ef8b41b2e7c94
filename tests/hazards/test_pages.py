"""The hazard pages: my hazards (own first for those who find them, the area for those who
follow it; filters; overdue ones with their days late and step), a hazard's page (facts,
timeline, photos only to those who see it, the action forms its state allows: each allowed
and refused, evidence missing, the fixer not verifying, a double submit recorded once),
recording a hazard by hand, the supervision list after the ladder has climbed, hazards by
category × grade whose cells count what the list shows, the printable notice, the customer
page's panel and the visit page's link. Each with the right role, the wrong role (403) and
the wrong area (404)."""

import datetime
import re
import uuid

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from ranan.hazards import services, views
from ranan.hazards.choices import State, Step
from ranan.hazards.models import Hazard, HazardEvent, HazardPhoto
from tests.hazards.conftest import days, png


def browser(account, language="en"):
    """A logged-in client; pages in English (they default to Chinese) so that assertions
    read the same words as the services' messages."""
    client = Client()
    client.force_login(account)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def image(name="fix.png", content=None):
    return SimpleUploadedFile(name, content if content is not None else png(), "image/png")


def make(homes, actor=None, customer=None, **kw):
    kw.setdefault("category", "hose")
    kw.setdefault("description", "软管老化")
    kw.setdefault("source", "inspection")
    return services.hazard_create(actor=actor or homes.inspector,
                                  customer=customer or homes.homes[1], **kw)


def act(client, hazard, to, form=None, client_id=None, **data):
    """POST one action form of the hazard page (its field names carry the form's prefix)."""
    form = form or views.FORM_OF[to]
    body = {"to": to, f"{form}-client_id": str(client_id or uuid.uuid4())}
    for key, value in data.items():
        body[f"{form}-{key}"] = value
    return client.post(f"/hazards/{hazard.pk}/", body)


def put(hazard, state, fixer=None):
    closed_at = timezone.now() if state in (State.CLOSED, State.UNFIXABLE) else None
    Hazard.objects.filter(pk=hazard.pk).update(state=state, fixed_by=fixer, closed_at=closed_at)
    hazard.refresh_from_db()


def late(hazard, n):
    Hazard.objects.filter(pk=hazard.pk).update(deadline=days(-n))
    hazard.refresh_from_db()


def count_testid(html: str, name: str) -> list[str]:
    return re.findall(rf'data-testid="{name}"', html)


# --- My hazards -------------------------------------------------------------------------------


def test_the_inspector_sees_their_own_hazards_first_by_deadline(hazard):
    major = make(hazard, category="closed_room")  # major: one day
    someone_elses = make(hazard, actor=hazard.gas_admin, customer=hazard.homes[2])
    page = browser(hazard.inspector).get("/hazards/")
    assert page.status_code == 200 and page.context["mine"] is True
    assert [h.pk for h in page.context["rows"]] == [major.pk, hazard.hazard.pk]
    html = page.content.decode()
    # Phones get cards, wider screens the table: both in the page.
    assert len(count_testid(html, "hazard-card")) == 2 and 'data-testid="hazards"' in html
    assert f'href="/hazards/{major.pk}/"' in html
    # The toggle to the whole area.
    area = browser(hazard.inspector).get("/hazards/?mine=false")
    assert area.context["mine"] is False
    assert {h.pk for h in area.context["rows"]} == {major.pk, hazard.hazard.pk,
                                                    someone_elses.pk}
    assert "mine=false" in page.context["toggle_url"]


def test_those_who_follow_an_area_see_it_all_by_default(hazard):
    other = make(hazard, actor=hazard.gas_admin)
    page = browser(hazard.regulator_b).get("/hazards/")
    assert page.context["mine"] is False
    assert {h.pk for h in page.context["rows"]} == {hazard.hazard.pk, other.pk}
    # The other district's regulator sees none of them.
    assert list(browser(hazard.regulator_a).get("/hazards/").context["rows"]) == []


def test_closed_hazards_show_only_when_asked_for(hazard):
    closed = make(hazard, actor=hazard.gas_admin)
    put(closed, State.CLOSED)
    client = browser(hazard.regulator_b)
    assert [h.pk for h in client.get("/hazards/").context["rows"]] == [hazard.hazard.pk]
    every = client.get("/hazards/?state=")  # "all states" in the filter
    assert {h.pk for h in every.context["rows"]} == {hazard.hazard.pk, closed.pk}
    only = client.get("/hazards/?state=closed")
    assert [h.pk for h in only.context["rows"]] == [closed.pk]


def test_overdue_hazards_show_their_days_late_and_step(hazard):
    h = hazard.hazard
    late(h, 4)
    services.escalate()
    h.refresh_from_db()
    assert h.escalation == Step.NOTICE
    page = browser(hazard.inspector).get("/hazards/")
    row = page.context["rows"][0]
    assert row.days_late == 4
    html = page.content.decode()
    assert 'data-late="4"' in html and 'data-step="2"' in html
    assert "4 days late" in html and "is-late" in html


@pytest.mark.parametrize(("query", "expected"), [
    ("state=open", {"open"}), ("state=rectifying", {"rectifying"}),
    ("grade=major", {"major"}), ("category=closed_room", {"major"}), ("overdue=true", {"late"}),
    ("escalation=2", {"late"}), ("q=煤气味", {"major"}), ("jurisdiction=990102001001", None),
])
def test_the_filters(hazard, query, expected):
    major = make(hazard, category="closed_room", description="厨房有煤气味")
    rectifying = make(hazard, customer=hazard.homes[2])
    services.hazard_transition(actor=hazard.inspector, hazard=rectifying, to=State.RECTIFYING)
    overdue = make(hazard, customer=hazard.homes[3])
    late(overdue, 3)
    services.escalate()
    names = {major.pk: "major", rectifying.pk: "rectifying", overdue.pk: "late",
             hazard.hazard.pk: "open"}
    page = browser(hazard.regulator_b).get(f"/hazards/?{query}")
    assert page.status_code == 200
    found = {names[h.pk] for h in page.context["rows"]}
    if expected is None:
        assert found == set(names.values())
    elif query == "state=open":
        assert found == {"open", "major", "late"}
    else:
        assert found == expected


@pytest.mark.parametrize("query", ["state=lost", "grade=huge", "category=nope",
                                   "escalation=9", "overdue=maybe", "jurisdiction=123"])
def test_a_bad_filter_is_named(hazard, query):
    page = browser(hazard.regulator_b).get(f"/hazards/?{query}")
    assert page.status_code == 400
    field = query.split("=")[0]
    assert field in page.context["errors"]
    assert f'data-field="{field}"' in page.content.decode()


def test_the_navigation_has_hazards_for_data_roles_only(hazard):
    assert 'href="/hazards/"' in browser(hazard.inspector).get("/").content.decode()
    assert 'href="/hazards/"' not in browser(hazard.auditor).get("/").content.decode()


@pytest.mark.parametrize("url", ["/hazards/", "/hazards/new/", "/hazards/supervision/",
                                 "/hazards/summary/"])
def test_the_auditor_is_refused_every_page(hazard, url):
    assert browser(hazard.auditor).get(url).status_code == 403


def test_pages_need_a_login(hazard):
    answer = Client().get("/hazards/")
    assert answer.status_code == 302 and "/login/" in answer.url


# --- One hazard -------------------------------------------------------------------------------


def test_the_hazard_page_shows_facts_timeline_and_the_open_actions(hazard):
    h = hazard.hazard
    page = browser(hazard.inspector).get(f"/hazards/{h.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("Hose", "橡胶软管老化龟裂", "住户1", h.deadline.isoformat(), "inspector"):
        assert text in html
    # Not "unfixable": the finder does not declare its own finding not fixable (issue 16).
    assert set(page.context["forms"]) == {"rectify"}
    assert 'data-testid="form-rectify"' in html and 'data-testid="form-fix"' not in html
    assert f'href="/hazards/{h.pk}/notice.pdf"' in html or \
        f'action="/hazards/{h.pk}/notice.pdf"' in html
    assert len(count_testid(html, "event")) == 1
    # Each form its own client_id, made when the page is shown.
    forms = browser(hazard.gas_admin).get(f"/hazards/{h.pk}/").context["forms"]
    assert set(forms) == {"rectify", "unfixable"}
    assert len({f["client_id"].value() for f in forms.values()}) == 2


def test_the_pages_speak_chinese_by_default(hazard):
    h = hazard.hazard
    put(h, State.FIXED, fixer=hazard.inspector)
    client = browser(hazard.inspector, language="zh-hans")
    answer = act(client, h, State.VERIFIED)
    html = answer.content.decode()
    assert answer.status_code == 400 and 'lang="zh-CN"' in html
    assert "Someone other than the fixer" not in html
    assert 'data-testid="action-error"' in html
    assert "隐患" in client.get("/hazards/").content.decode()


def test_the_hazard_page_is_404_in_another_area_and_403_for_the_auditor(hazard):
    url = f"/hazards/{hazard.hazard.pk}/"
    assert browser(hazard.regulator_a).get(url).status_code == 404
    assert browser(hazard.courier_a1).get(url).status_code == 404
    assert browser(hazard.auditor).get(url).status_code == 403
    assert browser(hazard.regulator_b).get(url).status_code == 200
    assert browser(hazard.inspector).get("/hazards/999999/").status_code == 404


def test_start_rectifying(hazard):
    h = hazard.hazard
    client = browser(hazard.inspector)
    answer = act(client, h, State.RECTIFYING, note="已告知用户")
    assert answer.status_code == 302 and answer.url == f"/hazards/{h.pk}/"
    h.refresh_from_db()
    assert h.state == State.RECTIFYING
    event = h.events.last()
    assert (event.from_state, event.to_state, event.by, event.note) == (
        "open", "rectifying", hazard.inspector, "已告知用户")
    page = client.get(answer.url)
    assert set(page.context["forms"]) == {"fix"}  # the finder: no "unfixable" (issue 16)
    assert 'capture="environment"' in page.content.decode()


def test_a_fix_needs_a_note_and_a_photo(hazard):
    h = hazard.hazard
    put(h, State.RECTIFYING)
    client = browser(hazard.inspector)
    no_photo = act(client, h, State.FIXED, note="已更换金属波纹管")
    assert no_photo.status_code == 400
    html = no_photo.content.decode()
    assert 'data-field="photos"' in html and "A fix needs a photo as evidence." in html
    # What was typed stays.
    assert "已更换金属波纹管" in html
    no_note = client.post(f"/hazards/{h.pk}/", {
        "to": "fixed", "fix-client_id": str(uuid.uuid4()), "fix-note": "",
        "fix-photos": image()})
    assert no_note.status_code == 400
    assert 'data-field="note"' in no_note.content.decode()
    assert 'data-testid="files-lost"' in no_note.content.decode()
    not_an_image = client.post(f"/hazards/{h.pk}/", {
        "to": "fixed", "fix-client_id": str(uuid.uuid4()), "fix-note": "换了",
        "fix-photos": image("x.png", b"not an image")})
    assert not_an_image.status_code == 400
    assert 'data-field="photos"' in not_an_image.content.decode()
    h.refresh_from_db()
    assert h.state == State.RECTIFYING and not HazardPhoto.objects.exists()
    assert h.events.count() == 1


def test_the_fix_with_its_photos_is_recorded_and_shown(hazard):
    h = hazard.hazard
    put(h, State.RECTIFYING)
    client = browser(hazard.inspector)
    answer = client.post(f"/hazards/{h.pk}/", {
        "to": "fixed", "fix-client_id": str(uuid.uuid4()), "fix-note": "已更换金属波纹管",
        "fix-photos": [image("a.png"), image("b.png", png(8, 8))]})
    assert answer.status_code == 302
    h.refresh_from_db()
    assert (h.state, h.fixed_by) == (State.FIXED, hazard.inspector)
    photos = list(HazardPhoto.objects.filter(event__hazard=h))
    assert len(photos) == 2
    page = client.get(f"/hazards/{h.pk}/")
    html = page.content.decode()
    assert len(count_testid(html, "event-photo")) == 2
    assert f'src="/hazards/photos/{photos[0].pk}"' in html
    # The fixer is told why there is no verify button.
    assert "verify" not in page.context["forms"]
    assert 'data-testid="verify-not-yours"' in html and 'data-testid="do-verified"' not in html
    image_answer = client.get(f"/hazards/photos/{photos[0].pk}")
    assert image_answer.status_code == 200 and image_answer["Content-Type"] == "image/png"
    assert b"".join(image_answer.streaming_content) == png()


def test_photos_are_served_only_to_those_who_see_the_hazard(hazard):
    h = hazard.hazard
    put(h, State.RECTIFYING)
    services.hazard_transition(actor=hazard.inspector, hazard=h, to=State.FIXED,
                               photos=[png()], note="已更换")
    url = f"/hazards/photos/{HazardPhoto.objects.get().pk}"
    assert browser(hazard.gas_admin).get(url).status_code == 200
    assert browser(hazard.regulator_a).get(url).status_code == 404
    assert browser(hazard.auditor).get(url).status_code == 403
    assert browser(hazard.inspector).post(url).status_code == 405


def test_the_fixer_cannot_verify_even_by_posting(hazard):
    h = hazard.hazard
    put(h, State.FIXED, fixer=hazard.inspector)
    answer = act(browser(hazard.inspector), h, State.VERIFIED)
    assert answer.status_code == 400
    assert "Someone other than the fixer verifies the fix." in answer.content.decode()
    assert 'data-testid="action-error"' in answer.content.decode()
    h.refresh_from_db()
    assert h.state == State.FIXED


def test_another_person_verifies_and_closes(hazard):
    h = hazard.hazard
    put(h, State.FIXED, fixer=hazard.inspector)
    client = browser(hazard.gas_admin)
    page = client.get(f"/hazards/{h.pk}/")
    assert set(page.context["forms"]) == {"verify"}
    assert 'data-testid="do-verified"' in page.content.decode()
    assert act(client, h, State.VERIFIED, note="现场复核合格").status_code == 302
    assert set(client.get(f"/hazards/{h.pk}/").context["forms"]) == {"close"}
    assert act(client, h, State.CLOSED).status_code == 302
    h.refresh_from_db()
    assert h.state == State.CLOSED and h.closed_at
    page = client.get(f"/hazards/{h.pk}/")
    assert page.context["forms"] == {} and 'data-testid="no-action"' in page.content.decode()


def test_a_rejection_needs_a_note_and_sends_it_back(hazard):
    h = hazard.hazard
    put(h, State.FIXED, fixer=hazard.inspector)
    client = browser(hazard.gas_admin)
    no_note = act(client, h, State.REJECTED)
    assert no_note.status_code == 400
    assert 'data-field="note"' in no_note.content.decode()
    h.refresh_from_db()
    assert h.state == State.FIXED
    assert act(client, h, State.REJECTED, note="仍为橡胶管").status_code == 302
    h.refresh_from_db()
    assert h.state == State.REJECTED
    page = client.get(f"/hazards/{h.pk}/")
    assert set(page.context["forms"]) == {"rectify", "unfixable"}
    assert "Rectify again" in page.content.decode()


def test_not_fixable_needs_a_note(hazard):
    h = hazard.hazard
    client = browser(hazard.gas_admin)  # not the finder (issue 16)
    assert act(client, h, State.UNFIXABLE).status_code == 400
    assert act(client, h, State.UNFIXABLE, note="已关阀停气，改用电").status_code == 302
    h.refresh_from_db()
    assert h.state == State.UNFIXABLE and h.closed_at


@pytest.mark.parametrize(("start", "to"), [
    (State.OPEN, State.CLOSED), (State.OPEN, State.FIXED), (State.OPEN, State.VERIFIED),
    (State.RECTIFYING, State.VERIFIED), (State.CLOSED, State.RECTIFYING),
    (State.VERIFIED, State.UNFIXABLE),
])
def test_a_step_the_state_does_not_allow_is_refused_and_said(hazard, start, to):
    h = hazard.hazard
    put(h, start, fixer=hazard.inspector)
    answer = act(browser(hazard.gas_admin), h, to, note="x", photos=image())
    assert answer.status_code == 400
    assert 'data-testid="action-error"' in answer.content.decode()
    h.refresh_from_db()
    assert h.state == start and h.events.count() == 1


def test_an_unknown_step_is_404(hazard):
    answer = browser(hazard.inspector).post(f"/hazards/{hazard.hazard.pk}/", {"to": "gone"})
    assert answer.status_code == 404


def test_a_double_submit_records_once(hazard):
    h = hazard.hazard
    client = browser(hazard.inspector)
    same = uuid.uuid4()
    first = act(client, h, State.RECTIFYING, client_id=same, note="一次")
    second = act(client, h, State.RECTIFYING, client_id=same, note="一次")
    assert first.status_code == second.status_code == 302
    assert HazardEvent.objects.filter(hazard=h, to_state=State.RECTIFYING).count() == 1
    # The same client_id for another step is refused, and nothing is written.
    other = act(client, h, State.FIXED, client_id=same, note="换了", photos=image())
    assert other.status_code == 400
    assert "already sent for another step" in other.content.decode()
    assert h.events.count() == 2


def test_actions_are_refused_to_the_auditor_and_out_of_area(hazard):
    h = hazard.hazard
    assert act(browser(hazard.auditor), h, State.RECTIFYING).status_code == 403
    assert act(browser(hazard.regulator_a), h, State.RECTIFYING).status_code == 404
    h.refresh_from_db()
    assert h.state == State.OPEN and h.events.count() == 1


# --- The notice -------------------------------------------------------------------------------


def test_the_printable_notice(hazard, monkeypatch):
    from ranan.hazards import notice

    given = {}
    real = notice.rectification_notice

    def spy(h, **kw):
        given.update(kw)
        return real(h, **kw)

    monkeypatch.setattr(notice, "rectification_notice", spy)
    url = f"/hazards/{hazard.hazard.pk}/notice.pdf"
    answer = browser(hazard.inspector).get(url, {"basis": "《浙江省燃气管理条例》第三十条"})
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    assert given["basis"] == "《浙江省燃气管理条例》第三十条"
    assert browser(hazard.regulator_a).get(url).status_code == 404
    assert browser(hazard.auditor).get(url).status_code == 403


# --- Recording a hazard -----------------------------------------------------------------------


def new_hazard(**changes):
    data = {"category": "hose", "grade": "", "source": "inspection",
            "description": "软管穿墙", "responsible": "customer", "responsible_name": "",
            "deadline": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_form_at_a_customer_offers_active_categories_with_their_grades(hazard):
    page = browser(hazard.inspector).get(f"/hazards/new/?customer={hazard.homes[0].pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="closed_room" data-grade="major"' in html
    assert 'capture="environment"' in html and 'name="jurisdiction"' not in html
    assert f'min="{timezone.localdate().isoformat()}"' in html
    assert days(7).isoformat() in html  # the general grade's deadline, for the script


def test_a_hazard_is_recorded_at_a_customer_with_the_grades_deadline(hazard):
    client = browser(hazard.inspector)
    answer = client.post("/hazards/new/", {"customer": hazard.homes[3].pk,
                                           "photos": image(),
                                           **new_hazard(category="closed_room")})
    h = Hazard.objects.exclude(pk=hazard.hazard.pk).get()
    assert answer.status_code == 302 and answer.url == f"/hazards/{h.pk}/"
    assert (h.customer, h.grade, h.deadline, h.found_by, h.state) == (
        hazard.homes[3], "major", days(1), hazard.inspector, State.OPEN)
    assert HazardPhoto.objects.filter(event__hazard=h).count() == 1


def test_a_chosen_grade_and_deadline_are_kept(hazard):
    browser(hazard.inspector).post("/hazards/new/", {
        "customer": hazard.homes[3].pk,
        **new_hazard(grade="minor", deadline=days(20).isoformat(), responsible="property",
                     responsible_name="物业")})
    h = Hazard.objects.exclude(pk=hazard.hazard.pk).get()
    assert (h.grade, h.deadline, h.responsible, h.responsible_name) == (
        "minor", days(20), "property", "物业")


@pytest.mark.parametrize(("changes", "field"), [
    ({"deadline": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()}, "deadline"),
    ({"category": "unicorn"}, "category"),
    ({"category": ""}, "category"),
    ({"description": ""}, "description"),
    ({"deadline": "yesterday"}, "deadline"),
    ({"source": "rumour"}, "source"),
])
def test_bad_input_is_named_and_nothing_is_written(hazard, changes, field):
    answer = browser(hazard.inspector).post("/hazards/new/", {
        "customer": hazard.homes[3].pk, **new_hazard(**changes)})
    assert answer.status_code == 400
    assert f'data-field="{field}"' in answer.content.decode()
    assert Hazard.objects.count() == 1


def test_a_bad_photo_is_named(hazard):
    answer = browser(hazard.inspector).post("/hazards/new/", {
        "customer": hazard.homes[3].pk, "photos": image("x.png", b"GIF89a..."),
        **new_hazard()})
    assert answer.status_code == 400
    assert 'data-field="photos"' in answer.content.decode()
    assert Hazard.objects.count() == 1


def test_a_hazard_at_premises_in_an_area(hazard):
    client = browser(hazard.regulator_b)
    page = client.get("/hazards/new/")
    assert page.status_code == 200 and 'name="jurisdiction"' in page.content.decode()
    answer = client.post("/hazards/new/", new_hazard(
        jurisdiction="990102001001", premises="翠东路与人民路路口", category="third_party",
        source="hotline", responsible="department", description="挖掘机挖断中压管"))
    h = Hazard.objects.get(premises="翠东路与人民路路口")
    assert answer.status_code == 302
    assert (h.customer, h.jurisdiction, h.grade, h.deadline) == (
        None, hazard.community_b1, "major", days(1))


@pytest.mark.parametrize(("changes", "field"), [
    ({"jurisdiction": "990101", "premises": "路口"}, "jurisdiction"),  # the other district
    ({"jurisdiction": "", "premises": "路口"}, "jurisdiction"),
    ({"jurisdiction": "990102001001", "premises": ""}, "premises"),
])
def test_premises_need_an_area_of_ones_own_and_a_description(hazard, changes, field):
    answer = browser(hazard.regulator_b).post("/hazards/new/", new_hazard(**changes))
    assert answer.status_code == 400
    assert f'data-field="{field}"' in answer.content.decode()
    assert Hazard.objects.count() == 1


def test_recording_is_404_for_a_customer_out_of_area(hazard):
    client = browser(hazard.inspector)
    assert client.get(f"/hazards/new/?customer={hazard.lpg_home.pk}").status_code == 404
    assert client.post("/hazards/new/", {"customer": hazard.lpg_home.pk,
                                         **new_hazard()}).status_code == 404
    assert client.get("/hazards/new/?customer=abc").status_code == 404
    assert browser(hazard.auditor).post("/hazards/new/", {
        "customer": hazard.homes[0].pk, **new_hazard()}).status_code == 403
    assert Hazard.objects.count() == 1


# --- The customer page and the visit page -----------------------------------------------------


def test_the_customer_page_lists_its_hazards_and_links_to_record_one(hazard):
    page = browser(hazard.inspector).get(f"/customers/{hazard.homes[0].pk}/")
    html = page.content.decode()
    assert 'data-testid="customer-hazards"' in html
    assert f'href="/hazards/{hazard.hazard.pk}/"' in html
    assert f'href="/hazards/new/?customer={hazard.homes[0].pk}"' in html
    # Those who only read do not get the button.
    other = browser(hazard.auditor).get(f"/customers/{hazard.homes[0].pk}/")
    assert 'data-testid="record-hazard"' not in other.content.decode()


def test_a_visit_finding_links_to_its_hazard(homes):
    from ranan.inspections import services as inspection_services
    from ranan.inspections.choices import Outcome
    from tests.inspections.conftest import all_pass, visit

    answers = all_pass(inspection_services.current_checklist("pipeline_household"))
    answers["alarm"] = "fail"
    v = visit(homes.inspector, homes.homes[0], Outcome.INSPECTED, answers=answers)
    h = Hazard.objects.get(finding__visit=v)
    html = browser(homes.inspector).get(f"/inspections/visits/{v.pk}/").content.decode()
    assert f'href="/hazards/{h.pk}/" data-testid="finding-hazard"' in html


# --- The supervision list ---------------------------------------------------------------------


def test_the_supervision_list_after_the_ladder_climbs(hazard):
    h = hazard.hazard
    fixed = make(hazard, customer=hazard.homes[2])
    put(fixed, State.FIXED, fixer=hazard.inspector)  # fixed: it stops climbing
    client = browser(hazard.regulator_b)
    assert list(client.get("/hazards/supervision/").context["rows"]) == []
    services.escalate(days(7 + 3))  # three days after the deadline, the notice step
    assert list(client.get("/hazards/supervision/").context["rows"]) == []
    services.escalate(days(7 + 7))  # a week late: listed for supervision
    page = client.get("/hazards/supervision/")
    assert page.status_code == 200
    assert [r.pk for r in page.context["rows"]] == [h.pk]
    html = page.content.decode()
    assert f'data-hazard="{h.pk}" data-step="3"' in html
    assert f'href="/hazards/{h.pk}/notice.pdf"' in html
    services.escalate(days(7 + 15))
    page = client.get("/hazards/supervision/")
    assert page.context["rows"][0].escalation == Step.ENFORCEMENT
    # Once fixed it leaves the list.
    put(h, State.FIXED, fixer=hazard.inspector)
    assert list(client.get("/hazards/supervision/").context["rows"]) == []


def test_the_supervision_list_shows_days_late_and_pages(hazard, monkeypatch):
    monkeypatch.setattr(views, "SUPERVISION_PAGE", 2)
    rows = [hazard.hazard, *[make(hazard, customer=hazard.homes[n]) for n in (1, 2)]]
    for n, h in enumerate(rows):
        late(h, 10 + n)
    services.escalate()
    client = browser(hazard.regulator_b)
    first = client.get("/hazards/supervision/")
    assert [r.days_late for r in first.context["rows"]] == [12, 11]
    assert first.context["page"].paginator.count == 3
    second = client.get("/hazards/supervision/?page=2")
    assert [r.pk for r in second.context["rows"]] == [rows[0].pk]


def test_the_supervision_page_reads_a_page_in_a_few_queries(hazard, django_assert_max_num_queries):
    for n in range(1, 5):
        late(make(hazard, customer=hazard.homes[n]), 8)
    services.escalate()
    client = browser(hazard.regulator_b)
    with django_assert_max_num_queries(13):  # 12, and one for the area picker's tree
        page = client.get("/hazards/supervision/")
    assert len(page.context["rows"]) == 4


def test_the_supervision_list_is_for_regulators_and_their_own_district(hazard):
    late(hazard.hazard, 8)
    services.escalate()
    assert browser(hazard.inspector).get("/hazards/supervision/").status_code == 403
    assert browser(hazard.gas_admin).get("/hazards/supervision/").status_code == 403
    assert list(browser(hazard.regulator_a).get("/hazards/supervision/")
                .context["rows"]) == []
    other = browser(hazard.regulator_a).get("/hazards/supervision/?jurisdiction=990102")
    assert other.context["area_error"] and other.context["rows"] == []
    assert len(browser(hazard.admin).get("/hazards/supervision/").context["rows"]) == 1


# --- Hazards by category and grade ------------------------------------------------------------


def test_each_cell_counts_what_the_list_shows(hazard):
    make(hazard, category="closed_room")
    make(hazard, category="closed_room", grade="general", customer=hazard.homes[2])
    make(hazard, category="alarm", customer=hazard.homes[3])
    closed = make(hazard, category="alarm", customer=hazard.homes[4])
    put(closed, State.CLOSED)  # closed: not counted
    street = services.hazard_create(actor=hazard.regulator_b, jurisdiction=hazard.district_b,
                                    premises="路口", category="third_party",
                                    description="挖断", source="hotline")
    # The inspector's list is their own by default: the cells' links must say otherwise.
    client = browser(hazard.inspector)
    page = client.get("/hazards/summary/?jurisdiction=990102001001")
    assert page.status_code == 200
    table = page.context["table"]
    total = table[-1]["cells"][-1]
    assert total["n"] == 4
    links = 0
    for row in table:
        for cell in row["cells"]:
            listed = client.get(cell["url"])
            assert listed.context["page"].paginator.count == cell["n"], cell["url"]
            links += 1
    assert links == len(table) * 5
    by_label = {row["code"]: [c["n"] for c in row["cells"]] for row in table}
    assert by_label["closed_room"] == [1, 0, 1, 0, 2]
    assert by_label["alarm"] == [0, 0, 0, 1, 1]
    # The district above also holds the street hazard.
    regulator = browser(hazard.regulator_b)
    district = regulator.get("/hazards/summary/?jurisdiction=990102")
    total = district.context["table"][-1]["cells"][-1]
    assert total["n"] == 5
    assert regulator.get(total["url"]).context["page"].paginator.count == 5
    assert street.pk in {h.pk for h in regulator.get(total["url"]).context["rows"]}


def test_the_summary_shows_the_kpis_of_the_last_year(hazard):
    h = hazard.hazard
    put(h, State.FIXED, fixer=hazard.inspector)
    services.hazard_transition(actor=hazard.gas_admin, hazard=h, to=State.VERIFIED)
    services.hazard_transition(actor=hazard.gas_admin, hazard=h, to=State.CLOSED)
    late(make(hazard), 2)
    services.escalate()
    page = browser(hazard.regulator_b).get("/hazards/summary/")
    assert page.context["node"] == hazard.district_b
    figures = page.context["kpis"]
    assert figures["hazards_found"]["value"] == 2 and figures["hazards_closed"]["value"] == 1
    html = page.content.decode()
    assert 'data-kpi="rectification_rate">50%' in html
    assert dict((s, n) for s, _label, n in page.context["steps"])[1] == 1


def test_the_summary_refuses_an_area_out_of_reach(hazard):
    page = browser(hazard.regulator_a).get("/hazards/summary/?jurisdiction=990102")
    assert page.status_code == 200 and page.context["area_error"]
    assert "table" not in page.context


# --- The escalation command -------------------------------------------------------------------


def test_the_escalate_command_moves_the_clock_forward(hazard):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("escalate", "--days-ahead", "14", stdout=out)
    hazard.hazard.refresh_from_db()
    assert hazard.hazard.escalation == Step.SUPERVISION
    assert days(14).isoformat() in out.getvalue()
    assert "step 3: 1 " in out.getvalue() and "step 4: 0 " in out.getvalue()
    again = StringIO()
    call_command("escalate", "--days-ahead", "14", stdout=again)  # idempotent
    assert "step 3: 0 " in again.getvalue()
    assert HazardEvent.objects.filter(kind="escalation").count() == 3


def test_the_escalate_command_refuses_a_silly_number_of_days(hazard):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("escalate", "--days-ahead", "-1")
    assert not HazardEvent.objects.filter(kind="escalation").exists()
