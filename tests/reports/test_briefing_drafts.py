"""The weekly briefing as the task force's document (issue 14, item 8): a draft whose title,
lead, per-area notes, recipients (抄报 / 抄送) and drafter (拟稿人) are edited, then issued under
the next number of its jurisdiction, which continues from a configured start (the Qinghai
task force is at issue 54); once issued, frozen. The two "closed" figures say what each
counts. Services, API and pages, with the bad input and the wrong role or area."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from ranan.core.models import AuditEntry, Jurisdiction
from ranan.reports import briefing
from ranan.reports.choices import BriefingState
from ranan.reports.models import Briefing, BriefingSetting
from ranan.reports.services import (
    briefing_create,
    briefing_issue,
    briefing_setting_save,
    briefing_update,
    next_number,
)
from tests.reports.test_briefing import MONDAY, _pdf_text, build_week

LAST_WEEK = MONDAY
WEEK_BEFORE = MONDAY - __import__("datetime").timedelta(days=7)
TEXT = {
    "title": "健全责任机制 深化宣传教育",
    "lead": "强化警示教育，持续深化燃气设施保护宣传培训。\n各地专班组织培训。",
    "reported_to": ["何录春副省长", "李宏绪副秘书长"],
    "copied_to": ["省纪委监委第四监督检查室", "各市（州）人民政府"],
    "drafter": "韩尚龙",
}


@pytest.fixture
def week(cast):
    return build_week(cast)


@pytest.fixture
def draft(week):
    return briefing_create(actor=week.task_force, node=week.township, week_start=LAST_WEEK)


def area(week, name: str) -> str:
    return str(getattr(week, name).pk)


# --- The service: edit, number, issue -------------------------------------------------------


def test_the_task_force_edits_a_draft_and_issues_it_as_issue_54(week, draft):
    assert draft.state == BriefingState.DRAFT and draft.number is None
    assert draft.drafter == "task_force"  # its author until said otherwise
    briefing_setting_save(actor=week.task_force, node=week.township, first_number=54,
                          issuer="甲乡城镇燃气安全专项整治工作专班")
    assert next_number(week.township) == 54
    edited = briefing_update(actor=week.task_force, briefing=draft,
                             notes={area(week, "village_a1"): "一村入户率偏低，专班督办。"},
                             **TEXT)
    assert edited.title == TEXT["title"] and edited.reported_to == TEXT["reported_to"]
    assert edited.notes == {area(week, "village_a1"): "一村入户率偏低，专班督办。"}
    issued = briefing_issue(actor=week.task_force, briefing=edited)
    assert (issued.state, issued.number, issued.issued_by) == ("issued", 54, week.task_force)
    assert issued.issuer == "甲乡城镇燃气安全专项整治工作专班"
    # The next one continues: 55, whatever the order the weeks are issued in.
    earlier = briefing_create(actor=week.task_force, node=week.township,
                              week_start=WEEK_BEFORE)
    assert briefing_issue(actor=week.task_force, briefing=earlier).number == 55
    actions = list(AuditEntry.objects.filter(model="reports.briefing", object_pk=str(draft.pk))
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["create", "update", "update"]
    assert AuditEntry.objects.filter(model="reports.briefingsetting").count() == 1

    s = briefing.sections(issued)
    assert s["title"] == TEXT["title"] and s["drafter"] == "韩尚龙"
    assert [c["note"] for c in s["children"] if c["note"]] == ["一村入户率偏低，专班督办。"]
    text = _pdf_text(briefing.pdf(issued)).replace("\n", "")
    for words in (TEXT["title"], "强化警示教育", "一村入户率偏低", "何录春副省长", "李宏绪副秘书长",
                  "省纪委监委第四监督检查室", "韩尚龙", "甲乡城镇燃气安全专项整治工作专班", "拟稿人",
                  "抄报", "抄送"):
        assert words in text, words


def test_an_issued_briefing_is_frozen_each_field_refused_by_name(week, draft):
    issued = briefing_issue(actor=week.task_force, briefing=draft)
    before = Briefing.objects.values().get(pk=issued.pk)
    for field, value in (("title", "新标题"), ("lead", "x"), ("drafter", "某人"),
                         ("reported_to", ["某领导"]), ("copied_to", []),
                         ("notes", {area(week, "village_a1"): "x"})):
        with pytest.raises(ValidationError) as exc:
            briefing_update(actor=week.task_force, briefing=issued, **{field: value})
        assert list(exc.value.message_dict) == [field]
        assert exc.value.error_dict[field][0].code == "frozen"
        assert "Issue 1 was issued on" in exc.value.message_dict[field][0]
    with pytest.raises(ValidationError) as exc:
        briefing_update(actor=week.task_force, briefing=issued, title="a", lead="b")
    assert set(exc.value.message_dict) == {"title", "lead"}
    assert Briefing.objects.values().get(pk=issued.pk) == before
    # Issuing again: refused, naming the state.
    with pytest.raises(ValidationError) as exc:
        briefing_issue(actor=week.task_force, briefing=issued)
    assert "already issued" in exc.value.message_dict["state"][0]
    assert Briefing.objects.values().get(pk=issued.pk) == before


@pytest.mark.parametrize("field, value, code", [
    ("title", "", "required"),
    ("title", "   ", "required"),
    ("title", "长" * 121, "max_length"),
    ("title", 5, "invalid"),
    ("lead", "x" * 5001, "max_length"),
    ("drafter", "", "required"),
    ("drafter", "名" * 61, "max_length"),
    ("notes", ["一村"], "invalid"),
    ("notes", {"999999": "别处"}, "not_in_briefing"),
    ("notes", {"一村": "按名字"}, "not_in_briefing"),
    ("notes", {"@village_a1": 3}, "invalid"),
    ("notes", {"@village_a1": "x" * 2001}, "max_length"),
    ("reported_to", "何录春副省长、李宏绪副秘书长", "invalid"),
    ("reported_to", ["何录春副省长", ""], "invalid"),
    ("reported_to", [7], "invalid"),
    ("copied_to", ["省级各成员单位", "省级各成员单位"], "duplicate"),
    ("copied_to", ["单" * 101], "max_length"),
    ("copied_to", [f"单位{n}" for n in range(31)], "max_length"),
    ("copied_to", {"a": "b"}, "invalid"),
])
def test_bad_text_is_refused_naming_the_field(week, draft, field, value, code):
    if isinstance(value, dict):
        value = {(area(week, k[1:]) if k.startswith("@") else k): v for k, v in value.items()}
    before = Briefing.objects.values().get(pk=draft.pk)
    with pytest.raises(ValidationError) as exc:
        briefing_update(actor=week.task_force, briefing=draft, **{field: value})
    assert list(exc.value.message_dict) == [field]
    assert exc.value.error_dict[field][0].code == code
    assert Briefing.objects.values().get(pk=draft.pk) == before


def test_an_empty_note_is_dropped_and_notes_are_replaced(week, draft):
    a1, a2 = area(week, "village_a1"), area(week, "village_a2")
    briefing_update(actor=week.task_force, briefing=draft, notes={a1: "一", a2: "二"})
    done = briefing_update(actor=week.task_force, briefing=draft, notes={int(a1): "  ", a2: "新"})
    assert done.notes == {a2: "新"}


@pytest.mark.parametrize("value, code", [
    (0, "out_of_range"), (-3, "out_of_range"), (100000, "out_of_range"), ("abc", "invalid"),
    (None, "invalid"), (True, "invalid"), (5.5, "invalid"), ("", "invalid"),
])
def test_a_bad_start_is_refused_naming_the_field(week, value, code):
    with pytest.raises(ValidationError) as exc:
        briefing_setting_save(actor=week.task_force, node=week.township, first_number=value)
    assert exc.value.error_dict["first_number"][0].code == code
    assert not BriefingSetting.objects.exists()


def test_the_start_cannot_go_back_to_a_number_already_issued(week, draft):
    briefing_setting_save(actor=week.task_force, node=week.township, first_number="54")
    briefing_issue(actor=week.task_force, briefing=draft)
    for value in (53, 10, 1):
        with pytest.raises(ValidationError) as exc:
            briefing_setting_save(actor=week.task_force, node=week.township, first_number=value)
        assert exc.value.error_dict["first_number"][0].code == "used"
        assert "from 55" in exc.value.message_dict["first_number"][0]
    # Unchanged, with a new issuing body: fine; forward: the next issue jumps.
    briefing_setting_save(actor=week.task_force, node=week.township, first_number=54,
                          issuer="甲乡专班")
    briefing_setting_save(actor=week.task_force, node=week.township, first_number=60)
    assert next_number(week.township) == 60
    with pytest.raises(ValidationError) as exc:  # back to the issued 54: no
        briefing_setting_save(actor=week.task_force, node=week.township, first_number=54)
    assert exc.value.error_dict["first_number"][0].code == "used"
    # Another jurisdiction has its own numbering.
    assert next_number(week.district_a) == 1


def test_a_jurisdiction_with_issues_but_no_setting_keeps_its_default_start(week, draft):
    briefing_issue(actor=week.task_force, briefing=draft)
    setting = briefing_setting_save(actor=week.task_force, node=week.township, first_number=1,
                                    issuer="甲乡专班")
    assert setting.first_number == 1 and next_number(week.township) == 2


def test_the_issuing_body_is_kept_as_issued(week, draft):
    briefing_setting_save(actor=week.task_force, node=week.township, first_number=1,
                          issuer="第一专班")
    assert briefing.sections(draft)["issuer"] == "第一专班"  # a draft reads the setting
    issued = briefing_issue(actor=week.task_force, briefing=draft)
    briefing_setting_save(actor=week.task_force, node=week.township, first_number=1,
                          issuer="改名后的专班")
    issued.refresh_from_db()
    assert briefing.sections(issued)["issuer"] == "第一专班"


def test_a_briefing_without_a_drafter_is_not_issued(week, draft):
    Briefing.objects.filter(pk=draft.pk).update(drafter="")
    with pytest.raises(ValidationError) as exc:
        briefing_issue(actor=week.task_force, briefing=draft)
    assert "drafter" in exc.value.message_dict
    assert Briefing.objects.get(pk=draft.pk).state == BriefingState.DRAFT


@pytest.mark.parametrize("who", ["courier_a1", "inspector", "station_manager", "gas_admin",
                                 "auditor"])
def test_other_roles_neither_edit_nor_issue_nor_number(week, draft, who):
    actor = getattr(week, who)
    with pytest.raises(PermissionDenied):
        briefing_update(actor=actor, briefing=draft, title="x")
    with pytest.raises(PermissionDenied):
        briefing_issue(actor=actor, briefing=draft)
    with pytest.raises(PermissionDenied):
        briefing_setting_save(actor=actor, node=week.township, first_number=54)
    assert Briefing.objects.get(pk=draft.pk).state == BriefingState.DRAFT


def test_another_area_does_not_find_the_briefing_nor_the_jurisdiction(week, draft):
    other = week.regulator_b
    with pytest.raises(Jurisdiction.DoesNotExist):
        briefing_update(actor=other, briefing=draft, title="x")
    with pytest.raises(Jurisdiction.DoesNotExist):
        briefing_issue(actor=other, briefing=draft)
    with pytest.raises(Jurisdiction.DoesNotExist):
        briefing_setting_save(actor=other, node=week.township, first_number=54)
    assert not BriefingSetting.objects.exists()


def test_one_closed_figure_and_the_overdue_of_the_area_each_say_what_they_count(week, draft):
    # Issue 15: "销号 8" beside "12" and "逾期 0" beside "53". One closed figure (of the
    # hazards found in the week); the overdue hazards are those of the area whenever found,
    # on the day the issue was generated, their day in the label.
    with translation.override("en"):
        s = briefing.sections(draft)
        text = briefing.texts(draft.snapshot)["hazards"]
    labels = {r["name"]: r["label"] for r in s["headline"]}
    assert labels["hazards_closed"] == "Hazards closed, of those found in the week"
    assert "hazards_overdue" not in labels
    day = briefing._date(draft.snapshot["as_of"])
    assert s["hazards"]["overdue_label"] == f"Of them, past their deadline on {day}"
    assert f"On {day}, 2 hazards of the area were still open" in text
    assert s["hazards"]["open"] == "2" and s["hazards"]["overdue"] == "1"
    with translation.override("zh-hans"):  # the labels are in the catalogue, not left English
        s_zh = briefing.sections(draft)
    assert {r["name"]: r["label"] for r in s_zh["headline"]}["hazards_closed"] == "本周发现隐患中已销号"


def test_an_issue_stored_before_issue_15_still_reads_with_its_own_figures(week, draft):
    old = dict(draft.snapshot, version=1, hazards={
        "found": 1, "closed": 0, "outstanding": 7, "overdue": 3, "overdue_list": [],
        "by_step": [{"step": s, "n": 1 if s < 3 else 0} for s in (4, 3, 2, 1, 0)]})
    del old["to_date"]
    old["children"] = [{k: v for k, v in c.items() if k != "to_date"}
                       for c in draft.snapshot["children"]]
    draft.snapshot = old
    s = briefing.sections(draft)
    assert (s["hazards"]["open"], s["hazards"]["overdue"]) == ("7", "3")
    assert [r["n"] for r in s["steps"]] == ["0", "0", "1", "1", "1"]
    assert all(c["cells"][-1] == "—" for c in s["children"])
    assert briefing.pdf(draft).startswith(b"%PDF") and briefing.xlsx(draft)[:2] == b"PK"


# --- Who sees drafts ------------------------------------------------------------------------


def test_drafts_are_seen_by_those_who_write_briefings_only(week, draft, client):
    client.force_login(week.station_manager)  # reads the district's briefings, writes none
    assert f'data-briefing="{draft.pk}"' not in client.get("/dashboard/briefings/").content.decode()
    assert client.get(f"/dashboard/briefings/{draft.pk}/").status_code == 404
    assert client.get(f"/dashboard/briefings/{draft.pk}.pdf").status_code == 404
    briefing_issue(actor=week.task_force, briefing=draft)
    assert client.get(f"/dashboard/briefings/{draft.pk}/").status_code == 200


# --- API ------------------------------------------------------------------------------------


def test_the_api_edits_issues_and_freezes(week, draft, api):
    client = api.as_(week.task_force)
    url = f"/api/v1/briefings/{draft.pk}/"
    a1 = area(week, "village_a1")
    got = client.get(url).json()
    assert got["state"] == "draft" and got["number"] is None
    assert {a["id"] for a in got["areas"]} == {week.village_a1.pk, week.village_a2.pk}
    assert client.post("/api/v1/briefing-settings/", {
        "jurisdiction": week.township.code, "first_number": 54}, format="json").json()[
        "next_number"] == 54
    changed = client.patch(url, {**TEXT, "notes": {a1: "一村：专班督办。"}}, format="json")
    assert changed.status_code == 200, changed.json()
    assert changed.json()["title"] == TEXT["title"]
    assert changed.json()["notes"] == {a1: "一村：专班督办。"}
    for body, field in (({"title": ""}, "title"), ({"notes": {"999999": "x"}}, "notes"),
                        ({"reported_to": "何录春副省长"}, "reported_to"),
                        ({"copied_to": [1, 2]}, "copied_to"), ({"number": 3}, "number"),
                        ({"state": "issued"}, "state"), ({"drafter": None}, "drafter")):
        answer = client.patch(url, body, format="json")
        assert answer.status_code == 400, (body, answer.json())
        assert [e["field"] for e in answer.json()["errors"]] == [field], answer.json()
    issued = client.post(f"{url}issue/")
    assert issued.status_code == 200, issued.json()
    assert (issued.json()["state"], issued.json()["number"]) == ("issued", 54)
    assert issued.json()["issued_by"] == "task_force"
    frozen = client.patch(url, {"title": "改", "lead": "改"}, format="json")
    assert frozen.status_code == 400
    assert {(e["field"], e["code"]) for e in frozen.json()["errors"]} == {
        ("title", "frozen"), ("lead", "frozen")}
    again = client.post(f"{url}issue/")
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "state"
    assert client.get(url).json()["title"] == TEXT["title"]
    pdf = client.get(f"/api/v1/briefings/{draft.pk}.pdf")
    assert pdf["Content-Disposition"].endswith('-054.pdf"')
    listed = client.get("/api/v1/briefing-settings/").json()["results"]
    assert [(r["first_number"], r["next_number"]) for r in listed] == [(54, 55)]


def test_the_api_refuses_the_wrong_role_area_and_start(week, draft, api):
    url = f"/api/v1/briefings/{draft.pk}/"
    courier = api.as_(week.courier_a1)
    assert courier.patch(url, {"title": "x"}, format="json").status_code == 403
    assert courier.post(f"{url}issue/").status_code == 403
    assert courier.post("/api/v1/briefing-settings/", {
        "jurisdiction": week.village_a1.code, "first_number": 2}, format="json").status_code == 403
    other = api.as_(week.regulator_b)
    assert other.get(url).status_code == 404
    assert other.patch(url, {"title": "x"}, format="json").status_code == 404
    assert other.post(f"{url}issue/").status_code == 404
    outside = other.post("/api/v1/briefing-settings/", {
        "jurisdiction": week.township.code, "first_number": 54}, format="json")
    assert outside.status_code == 400 and outside.json()["errors"][0]["field"] == "jurisdiction"
    assert other.get("/api/v1/briefing-settings/").json()["results"] == []
    client = api.as_(week.task_force)
    for value in (0, "x", None, -1):
        answer = client.post("/api/v1/briefing-settings/", {
            "jurisdiction": week.township.code, "first_number": value}, format="json")
        assert answer.status_code == 400, (value, answer.json())
        assert answer.json()["errors"][0]["field"] == "first_number"
    missing = client.post("/api/v1/briefing-settings/", {"jurisdiction": week.township.code},
                          format="json")
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "first_number"
    assert Briefing.objects.get(pk=draft.pk).state == BriefingState.DRAFT
    assert not BriefingSetting.objects.exists()


# --- Pages ----------------------------------------------------------------------------------


def test_the_page_edits_the_draft_and_issues_it_after_confirmation(week, draft, client):
    client.force_login(week.task_force)
    url = f"/dashboard/briefings/{draft.pk}/"
    a1 = area(week, "village_a1")
    page = client.get(url).content.decode()
    assert 'data-testid="briefing-edit"' in page and 'data-testid="issue-form"' in page
    assert f'name="note_{a1}"' in page and 'data-state="draft"' in page
    form = {"title": TEXT["title"], "lead": TEXT["lead"], "drafter": "韩尚龙",
            "reported_to": "何录春副省长、李宏绪副秘书长", "copied_to": "省级各成员单位\n各市（州）人民政府",
            f"note_{a1}": "一村入户率偏低。"}
    saved = client.post(url, form)
    assert saved.status_code == 302 and saved["Location"] == url
    draft.refresh_from_db()
    assert draft.reported_to == ["何录春副省长", "李宏绪副秘书长"]
    assert draft.copied_to == ["省级各成员单位", "各市（州）人民政府"]
    assert draft.notes == {a1: "一村入户率偏低。"}
    # Bad input: next to its field, nothing saved.
    bad = client.post(url, {**form, "title": ""})
    assert bad.status_code == 400 and 'data-field="title"' in bad.content.decode()
    forged = client.post(url, {**form, "note_999999": "别处"})
    assert forged.status_code == 400 and "不在本期简报中" in forged.content.decode()
    draft.refresh_from_db()
    assert draft.title == TEXT["title"] and draft.notes == {a1: "一村入户率偏低。"}
    # Issue: the box must be ticked.
    unconfirmed = client.post(f"{url}issue/")
    assert unconfirmed.status_code == 400 and 'data-testid="briefing-error"' in \
        unconfirmed.content.decode()
    assert Briefing.objects.get(pk=draft.pk).state == BriefingState.DRAFT
    issued = client.post(f"{url}issue/", {"confirm": "on"})
    assert issued.status_code == 302
    page = client.get(url).content.decode()
    assert 'data-state="issued"' in page and 'data-testid="briefing-edit"' not in page
    assert "何录春副省长、李宏绪副秘书长" in page and "一村入户率偏低。" in page
    # Editing the issued briefing: refused, the reason on the page.
    frozen = client.post(url, {**form, "title": "改"})
    assert frozen.status_code == 400 and "内容不能再修改" in frozen.content.decode()
    assert Briefing.objects.get(pk=draft.pk).title == TEXT["title"]
    twice = client.post(f"{url}issue/", {"confirm": "on"})
    assert twice.status_code == 400 and "印发。" in twice.content.decode()
    listing = client.get("/dashboard/briefings/").content.decode()
    assert 'data-testid="state-badge" data-state="issued"' in listing


def test_the_numbering_page(week, client):
    client.force_login(week.task_force)
    page = client.get("/dashboard/briefings/numbering/")
    assert page.status_code == 200 and 'data-testid="numbering-form"' in page.content.decode()
    assert 'data-testid="numbering-link"' in client.get("/dashboard/briefings/").content.decode()
    saved = client.post("/dashboard/briefings/numbering/", {
        "jurisdiction": week.township.pk, "first_number": "54", "issuer": "甲乡专班"})
    assert saved.status_code == 302
    page = client.get("/dashboard/briefings/numbering/").content.decode()
    assert 'data-testid="next-number">54<' in page and "甲乡专班" in page
    prefilled = client.get(f"/dashboard/briefings/numbering/?jurisdiction={week.township.pk}")
    assert 'value="54"' in prefilled.content.decode()
    for value in ("0", "abc", ""):
        bad = client.post("/dashboard/briefings/numbering/", {
            "jurisdiction": week.township.pk, "first_number": value})
        assert bad.status_code == 400 and 'data-field="first_number"' in bad.content.decode()
    client.force_login(week.regulator_b)
    assert client.get(f"/dashboard/briefings/numbering/?jurisdiction={week.township.pk}"
                      ).status_code == 404
    outside = client.post("/dashboard/briefings/numbering/", {
        "jurisdiction": week.township.pk, "first_number": "3"})
    assert outside.status_code == 400 and 'data-field="jurisdiction"' in outside.content.decode()
    assert BriefingSetting.objects.get().first_number == 54
    client.force_login(week.courier_a1)
    assert client.get("/dashboard/briefings/numbering/").status_code == 403
    assert 'data-testid="numbering-link"' not in client.get("/dashboard/briefings/").content.decode()
