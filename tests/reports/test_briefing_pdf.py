"""The weekly briefing agrees with itself and with the KPI API (issue 15, item 6).

Every number printed in the PDF is read back (pdftotext -layout) and compared with
/api/v1/kpis/ (and /kpis/breakdown) for the same area and period: the week, the previous
week, and the hazards whenever found up to the day the issue was generated. A number the
API does not account for (nor a date, a step of the ladder or a row of the overdue list)
fails the test."""

import datetime
import re
import shutil
import subprocess

import pytest
from django.utils import timezone, translation

from ranan.hazards import services as hazard_services
from ranan.hazards.choices import State
from ranan.hazards.models import Hazard
from ranan.reports import briefing
from ranan.reports.services import briefing_create, briefing_issue
from tests.reports.test_briefing import MONDAY, at, build_week

NUMBER = re.compile(r"[+-]?\d+(?:,\d{3})*(?:\.\d+)?%?")
DATE = re.compile(r"(\d{4})(?:-|年)(\d{2})(?:-|月)(\d{2})日?")


@pytest.fixture
def week(cast):
    """build_week, and a hazard found in the previous week; the week's own hazard closed, so
    that found, closed and the rate all differ between the two weeks."""
    cast = build_week(cast)
    hazard_services.hazard_create(actor=cast.courier_a1, customer=cast.homes[2],
                                  category="hose", description="软管老化", source="inspection",
                                  found_at=at(MONDAY - datetime.timedelta(days=4)))
    found = Hazard.objects.get(found_at__gte=at(MONDAY, 0),
                               found_at__lt=at(MONDAY + datetime.timedelta(days=7), 0))
    Hazard.objects.filter(pk=found.pk).update(state=State.CLOSED, fixed_at=timezone.now(),
                                              closed_at=timezone.now())
    return cast


def pdf_text(data: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (poppler-utils) is not installed: the briefing's figures "
                    "cannot be read back")
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def fmt(row: dict) -> str:
    """A figure as printed, written again here from the API's row (not with the code under
    test): a ratio as a percentage with one decimal, a count as an integer, no data as —."""
    if row["value"] is None:
        return "—"
    if row["unit"] == "ratio":
        return f"{row['value'] * 100:.1f}%"
    return f"{int(row['value']):,}"


def change(now: dict, before: dict) -> str:
    if now["value"] is None or before["value"] is None:
        return ""
    if now["unit"] == "ratio":
        points = round(now["value"] * 100, 1) - round(before["value"] * 100, 1)
        return f"{points:+.1f} pp" if abs(points) >= 0.05 else "±0"
    diff = int(now["value"] - before["value"])
    return f"{diff:+,}" if diff else "±0"


def kpis(client, code: str, start, end, names: list[str]) -> dict[str, dict]:
    answer = client.get("/api/v1/kpis/", {"jurisdiction": code, "from": str(start),
                                          "to": str(end), "kpi": names})
    assert answer.status_code == 200, answer.content
    rows = {r["name"]: r for r in answer.json()["kpis"]}
    assert set(rows) == set(names)
    return rows


def breakdown(client, code: str, start, end, names: list[str]) -> dict[str, dict]:
    answer = client.get("/api/v1/kpis/breakdown", {"jurisdiction": code, "from": str(start),
                                                   "to": str(end), "kpi": names})
    assert answer.status_code == 200, answer.content
    return {c["name"]: {r["name"]: r for r in c["kpis"]} for c in answer.json()["children"]}


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def test_every_number_of_the_pdf_is_the_kpi_apis(week, api):
    issue = briefing_create(actor=week.regulator_a, node=week.township, week_start=MONDAY)
    issue = briefing_issue(actor=week.regulator_a, briefing=issue)
    snap = issue.snapshot
    as_of = datetime.date.fromisoformat(snap["as_of"])
    end = MONDAY + datetime.timedelta(days=6)
    before = MONDAY - datetime.timedelta(days=7)
    client = api.as_(week.regulator_a)
    code = week.township.code or f"#{week.township.pk}"
    now = kpis(client, code, MONDAY, end, briefing.HEADLINE)
    previous = kpis(client, code, before, before + datetime.timedelta(days=6),
                    briefing.HEADLINE)
    to_date = kpis(client, code, briefing.SINCE, as_of, briefing.TO_DATE)
    children = breakdown(client, code, MONDAY, end, briefing.CHILD)
    children_now = breakdown(client, code, briefing.SINCE, as_of, briefing.CHILD_TO_DATE)
    # The world is such that the figures are not all zero and the weeks differ.
    assert now["hazards_closed"]["value"] == 1 and previous["hazards_found"]["value"] == 1
    assert to_date["hazards_overdue"]["value"] == 2 and to_date["hazards_open"]["value"] == 2

    with translation.override("zh-hans"):
        text = pdf_text(briefing.pdf(issue))
        rows = lines(text)
        expected = set()  # every number the API (or the records) accounts for

        # 1. Each headline figure once, beside the previous week's and the change.
        for name in briefing.HEADLINE:
            value, last = fmt(now[name]), fmt(previous[name])
            delta = change(now[name], previous[name])
            row = " ".join(filter(None, [briefing.label(name), value, last, delta]))
            assert rows.count(row) == 1, f"{name}: no line {row!r} in the PDF"
            assert last != "—" or previous[name]["denominator"] == 0, name
            expected |= {value, last, *NUMBER.findall(delta)}
            expected |= {n.lstrip("+-") for n in NUMBER.findall(delta)}  # "down 0.1 points"

        # 2. Each child's row: the week's figures and its overdue hazards now.
        for child, figures in children.items():
            cells = [fmt(figures[n]) for n in briefing.CHILD]
            cells += [fmt(children_now[child][n]) for n in briefing.CHILD_TO_DATE]
            row = " ".join([child, *cells])
            assert row in rows, f"{child}: no line {row!r} in the PDF"
            expected |= set(cells)
        top = briefing.axis_top(max(round((c["inspection_coverage"]["value"] or 0) * 100, 1)
                                    for c in children.values()))
        expected |= {f"{top * k / 5:g}" for k in range(6)}  # the chart's value axis

        # 3. The hazards whenever found, on the day of generation, and by step.
        for name in ("hazards_open", "hazards_overdue"):
            row = f"{briefing.to_date_label(name, as_of)} {fmt(to_date[name])}"
            assert rows.count(row) == 1, f"no line {row!r} in the PDF"
        for name in briefing.STEPS:
            step = int(name.rsplit("_", 1)[1])
            row = f"{step} {briefing.step_label(step)} {fmt(to_date[name])}"
            assert row in rows, f"no line {row!r} in the PDF"
            expected |= {str(step), fmt(to_date[name])}
        expected |= {fmt(r) for r in to_date.values()}
        listed = snap["hazards"]["overdue_list"]
        for r in listed:
            h = Hazard.objects.get(pk=r["id"])
            assert r["days_late"] == (as_of - h.deadline).days
            expected |= {str(h.escalation), str(r["days_late"]), h.deadline.isoformat()}
        expected |= {str(len(listed))}

        # Dates: the week, the day of generation and issue, the deadlines listed.
        dates = {MONDAY, end, as_of, timezone.localtime(issue.issued_at).date(),
                 *(datetime.date.fromisoformat(r["deadline"]) for r in listed)}
        printed = {datetime.date(*map(int, m)) for m in DATE.findall(text)}
        assert printed <= dates, printed - dates
        rest = DATE.sub(" ", text)
        expected |= {str(issue.number)} | {str(n) for n in range(1, 6)}  # issue, sections
        unexplained = sorted(set(NUMBER.findall(rest)) - expected)
        assert not unexplained, f"numbers in the PDF the KPI API does not give: {unexplained}"


def test_the_headline_text_and_the_table_agree(week):
    issue = briefing_create(actor=week.regulator_a, node=week.township, week_start=MONDAY)
    with translation.override("en"):
        s = briefing.sections(issue)
    table = {r["name"]: r for r in s["headline"]}
    coverage = table["inspection_coverage"]
    assert coverage["value"] == "40.0%" and coverage["previous"] == "20.0%"
    assert coverage["change"] == "+20.0 pp"
    assert (f"an inspection coverage of {coverage['value']}, up 20.0 percentage points"
            in s["texts"]["headline"])
    # No "last week" cell is left blank: every headline figure has its previous week.
    assert all(r["previous"] for r in s["headline"])
    assert table["hazards_found"]["change"] == "±0"  # one found in each week


def test_the_chart_axis_scales_to_the_values():
    assert briefing.axis_top(0) == 1
    assert briefing.axis_top(0.6) == 1
    assert briefing.axis_top(3.2) == 5
    assert briefing.axis_top(12) == 20
    assert briefing.axis_top(48) == 100
    assert briefing.axis_top(96) == 100
