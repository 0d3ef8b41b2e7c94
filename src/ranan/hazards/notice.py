"""The written rectification notice (整改通知书), step 2 of the ladder: an A4 PDF in Chinese
with the hazard, the deadline and the legal basis, signed by the issuing unit.

The notice is printed when a hazard is already past its deadline (three days, by default):
repeating that date would order the household to act in the past. It gives a new time limit,
the grade's days counted from the day of issue, and names the missed deadline. The issuing
unit is the printing account's organisation, else the customer's gas company or station.
Names, addresses and descriptions written in Tibetan are drawn in the bundled Tibetan font."""

from __future__ import annotations

import datetime
import io

from django.conf import settings
from django.utils import timezone, translation
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from ranan.lib.pdf import cjk_font, draw, text_width

# The default wording; set HAZARD_LEGAL_BASIS (or give it when printing) for the articles
# of the province's own regulation.
LEGAL_BASIS = "《城镇燃气管理条例》及本省（自治区、直辖市）燃气管理条例的有关规定"


def notice_deadline(hazard, today: datetime.date) -> datetime.date:
    """The date the notice orders the fix by: the hazard's deadline while it is ahead, else
    the grade's time limit from the day of issue."""
    from ranan.hazards.services import deadline_for

    if hazard.deadline >= today:
        return hazard.deadline
    return deadline_for(hazard.grade, today)


def issuing_unit(hazard, account=None) -> str:
    """Who issues the notice: the printing account's organisation, else the customer's
    gas company or LPG station; empty when none is known (a line to stamp is left)."""
    organisation = getattr(account, "organisation", None)
    if organisation is not None:
        return organisation.name
    customer = hazard.customer if hazard.customer_id else None
    for org in (getattr(customer, "gas_company", None), getattr(customer, "lpg_station", None)):
        if org is not None:
            return org.name
    return ""


def _wrap(pdf, text: str, font: str, size: float, width: float) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if text_width(line + ch, font, size) > width:
            lines.append(line)
            line = ch
        else:
            line += ch
    if line:
        lines.append(line)
    return lines


def rectification_notice(hazard, issuer: str = "", basis: str = "",
                         today: datetime.date | None = None) -> bytes:
    font = cjk_font()
    today = today or timezone.localdate()
    deadline = notice_deadline(hazard, today)
    missed = (f"原定整改期限 {hazard.deadline:%Y年%m月%d日} 已过，"
              if hazard.deadline < today else "")
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    pdf.setTitle(f"燃气安全隐患整改通知书 {hazard.pk}")
    width, height = A4
    left, right = 25 * mm, width - 25 * mm
    y = height - 30 * mm
    pdf.setFont(font, 20)
    pdf.drawCentredString(width / 2, y, "燃气安全隐患整改通知书")
    y -= 10 * mm
    pdf.setFont(font, 11)
    pdf.drawRightString(right, y, f"编号：RA-{hazard.found_at:%Y}-{hazard.pk:06d}")
    y -= 12 * mm
    with translation.override(settings.LANGUAGE_CODE):  # a Chinese document in any UI language
        grade = str(hazard.get_grade_display())
    who = (hazard.customer.name if hazard.customer_id else hazard.responsible_name) or "用户"
    where = hazard.where
    basis = basis or getattr(settings, "HAZARD_LEGAL_BASIS", "") or LEGAL_BASIS
    paragraphs = [
        f"{who}：",
        f"经检查，你处（{where}）存在以下燃气安全隐患：",
        f"隐患类别：{hazard.category.name}；隐患等级：{grade}；"
        f"发现时间：{timezone.localtime(hazard.found_at):%Y年%m月%d日}。",
        f"隐患描述：{hazard.description}",
        f"{missed}请于 {deadline:%Y年%m月%d日} 前完成整改，并将整改情况（含照片）反馈至燃气企业或"
        f"所在社区（村）。逾期未整改的，将列入挂牌督办，并依法采取停气等措施。",
        f"依据：{basis}",
    ]
    pdf.setFont(font, 12)
    for paragraph in paragraphs:
        for line in _wrap(pdf, paragraph, font, 12, right - left):
            draw(pdf, left, y, line, font, 12)
            y -= 7.5 * mm
        y -= 3 * mm
    y -= 15 * mm
    draw(pdf, right, y, f"发出单位：{issuer}（盖章）" if issuer else "发出单位（盖章）：__________",
         font, 12, align="right")
    y -= 8 * mm
    pdf.drawRightString(right, y, f"{today:%Y年%m月%d日}")
    y -= 25 * mm
    pdf.setFont(font, 11)
    pdf.drawString(left, y, "被通知人签收：____________________    签收日期：______年____月____日")
    pdf.showPage()
    pdf.save()
    return out.getvalue()
