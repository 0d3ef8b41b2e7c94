"""The printed rectification notice (issue 15 item 10): a deadline ahead of the day of issue,
the issuing unit named, Tibetan names written in the Tibetan font."""

import datetime
import shutil
import subprocess

import pytest
from django.test import Client
from django.utils import timezone

from ranan.hazards import notice
from ranan.hazards.models import Hazard
from ranan.hazards.services import deadline_for
from tests.hazards.conftest import days

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="pdftotext (poppler-utils) reads the PDF's text")


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_a_deadline_still_ahead_is_kept(hazard):
    h = hazard.hazard
    Hazard.objects.filter(pk=h.pk).update(deadline=days(2))
    h.refresh_from_db()
    assert notice.notice_deadline(h, timezone.localdate()) == days(2)


def test_a_missed_deadline_gives_the_grades_time_from_the_day_of_issue(hazard):
    h = hazard.hazard
    Hazard.objects.filter(pk=h.pk).update(deadline=days(-8))
    h.refresh_from_db()
    today = timezone.localdate()
    new = notice.notice_deadline(h, today)
    assert new == deadline_for(h.grade, today) and new > today


@needs_poppler
def test_the_pdf_orders_a_date_ahead_and_names_the_missed_one(hazard, tmp_path):
    h = hazard.hazard
    Hazard.objects.filter(pk=h.pk).update(deadline=days(-8))
    h.refresh_from_db()
    text = text_of(notice.rectification_notice(h, issuer="兴光燃气"), tmp_path).replace(" ", "")
    ahead = notice.notice_deadline(h, timezone.localdate())
    assert f"请于{ahead:%Y年%m月%d日}前完成整改" in text
    assert f"原定整改期限{days(-8):%Y年%m月%d日}已过" in text
    assert "发出单位：兴光燃气" in text


def test_the_issuing_unit_is_the_printing_accounts_organisation(hazard):
    h = hazard.hazard
    assert notice.issuing_unit(h, hazard.inspector) == hazard.inspector.organisation.name
    assert notice.issuing_unit(h) == h.customer.gas_company.name  # printed by the system


@needs_poppler
def test_the_page_and_the_api_print_the_unit(hazard, tmp_path):
    url = f"/hazards/{hazard.hazard.pk}/notice.pdf"
    client = Client()
    client.force_login(hazard.inspector)
    text = text_of(client.get(url).content, tmp_path).replace(" ", "")
    assert f"发出单位：{hazard.inspector.organisation.name}" in text
    client.force_login(hazard.regulator_b)
    api = client.get(f"/api/v1/hazards/{hazard.hazard.pk}/notice.pdf")
    assert api.status_code == 200
    assert f"发出单位：{hazard.regulator_b.organisation.name}" in text_of(api.content, tmp_path).replace(
        " ", "")


def test_out_of_area_and_wrong_role_cannot_print(hazard):
    url = f"/hazards/{hazard.hazard.pk}/notice.pdf"
    for account, status in ((hazard.regulator_a, 404), (hazard.auditor, 403)):
        client = Client()
        client.force_login(account)
        assert client.get(url).status_code == status


@needs_poppler
def test_a_tibetan_name_is_written_in_the_tibetan_font(hazard, tmp_path):
    h = hazard.hazard
    h.customer.name = "བཀྲ་ཤིས་སྒྲོལ་མ"
    h.customer.save(update_fields=["name"])
    h.description = "软管老化 རླངས་སྦུག"
    pdf = notice.rectification_notice(h, issuer="兴光燃气", today=datetime.date(2026, 12, 4))
    assert b"RananTibetan" in pdf or b"NotoSerifTibetan" in pdf
    text = text_of(pdf, tmp_path)
    assert "བཀྲ་ཤིས་སྒྲོལ་མ" in text and "རླངས་སྦུག" in text


@needs_poppler
def test_the_grade_is_written_in_chinese_whatever_the_page_language(hazard, tmp_path):
    # The autouse fixture has English active, like a user of the English interface.
    text = text_of(notice.rectification_notice(hazard.hazard), tmp_path).replace(" ", "")
    assert "隐患等级：一般" in text and "General" not in text
