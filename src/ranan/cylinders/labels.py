"""QR label sheets: A4 PDF, one label per issued code, in a choice of common label grids.

Each label has the QR code (its content is the URL of the cylinder's public page), the code
in text (grouped for reading aloud) and the station's name and phone. The QR modules are drawn
as vector rectangles (one per run of dark modules), so labels print sharp at any size. Chinese
text uses a CJK TrueType font found on the machine (embedded, subset) and falls back to the
PDF viewer's STSong-Light when there is none; a station named in Tibetan is written in the
bundled Tibetan font (ranan.lib.pdf.draw).
"""

from __future__ import annotations

import io

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from ranan.cylinders.services import LABEL_GRIDS
from ranan.lib.pdf import cjk_font, draw, text_width


def grouped(code: str) -> str:
    return f"{code[:4]} {code[4:8]} {code[8:]}"


def qr_content(base_url: str, code: str) -> str:
    """The URL in the QR code. Upper case when the base is only scheme and host (both case-
    insensitive; /C/ is routed like /c/): a QR code in alphanumeric mode is a size smaller, so
    a small label still scans on a cheap phone."""
    url = f"{base_url}/c/{code}"
    if base_url.count("/") == 2:
        url = url.upper()
    return url


def _draw_qr(pdf: canvas.Canvas, content: str, x: float, y: float, size: float) -> None:
    # A fixed mask: choosing the best of eight costs 7 ms a code and any mask scans.
    qr = segno.make_qr(content, error="m", mask=0)
    matrix = list(qr.matrix)
    n = len(matrix)
    quiet = 2
    module = size / (n + 2 * quiet)
    ops = []
    for r, row in enumerate(matrix):
        top = y + size - (r + quiet + 1) * module
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                ops.append(f"{x + (start + quiet) * module:.2f} {top:.2f} "
                           f"{(c - start) * module:.2f} {module:.2f} re")
            else:
                c += 1
    # One raw path per code: reportlab's rect() formats every number slowly (1 s / 500 codes).
    pdf._code.append("\n".join(ops) + "\nf")


def _fit(pdf: canvas.Canvas, text: str, font: str, size: float, width: float) -> float:
    while size > 4 and text_width(text, font, size) > width:
        size -= 0.5
    return size


def label_sheet(codes: list[str], *, grid: str, base_url: str, station: str,
                phone: str) -> bytes:
    columns, rows, width, height, left, top, gap_x, gap_y = LABEL_GRIDS[grid]
    width, height, left, top, gap_x, gap_y = (v * mm for v in (width, height, left, top,
                                                               gap_x, gap_y))
    font = cjk_font()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"{station} labels")
    pdf.setCreator("Ranan")
    per_page = columns * rows
    page_height = A4[1]
    pad = 1.5 * mm
    for index, code in enumerate(codes):
        if index and index % per_page == 0:
            pdf.showPage()
        slot = index % per_page
        col, row = slot % columns, slot // columns
        x = left + col * (width + gap_x)
        y = page_height - top - (row + 1) * height - row * gap_y
        qr_size = min(height - 2 * pad, width * 0.5)
        _draw_qr(pdf, qr_content(base_url, code), x + pad, y + (height - qr_size) / 2, qr_size)
        text_x = x + pad + qr_size + pad
        text_width = width - (text_x - x) - pad
        lines = [(grouped(code), "Courier-Bold", 11), (station, font, 8),
                 (phone, font, 8), ("扫码查钢瓶", font, 7)]
        line_y = y + height / 2 + 3 * mm
        for text, face, size in lines:
            if not text:
                continue
            size = _fit(pdf, text, face, size, text_width)
            draw(pdf, text_x, line_y, text, face, size)
            line_y -= size + 1.5
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def public_base_url(request) -> str:
    """Where the public cylinder pages are (the QR codes' URLs): PUBLIC_URL, else this site."""
    from django.conf import settings

    return settings.PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")


def batch_pdf_response(request, batch):
    """A printed batch's sheet as an inline PDF (the labels page and the API answer it)."""
    from django.http import HttpResponse

    from ranan.cylinders.selectors import station_phone

    pdf = label_sheet(list(batch.codes.values_list("code", flat=True)), grid=batch.grid,
                      base_url=public_base_url(request), station=batch.station.name,
                      phone=station_phone(batch.station))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="labels-{batch.pk}.pdf"'
    return response
