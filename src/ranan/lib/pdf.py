"""PDF documents (labels, notices, briefings): the font that writes Chinese.

A CJK TrueType font found on the machine is embedded (subset), so the PDF reads the same
everywhere; without one, the PDF viewer's own STSong-Light (reportlab's built-in CID font).
"""

from __future__ import annotations

import functools
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

FONT_FILES = [
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
]


@functools.cache
def cjk_font() -> str:
    for path, index in FONT_FILES:
        if Path(path).exists():
            try:
                pdfmetrics.registerFont(TTFont("RananCJK", path, subfontIndex=index))
                return "RananCJK"
            except Exception:  # noqa: BLE001 - a broken font file: try the next one
                continue
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


# Tibetan (issue 15 item 9): the bundled Noto Serif Tibetan (SIL OFL 1.1, docs/decisions/
# 0004-tibetan-font.md). CJK fonts have no Tibetan glyphs, so a name, address or description
# written in Tibetan is drawn run by run in this font instead of as empty boxes.
TIBETAN_TTF = Path(__file__).resolve().parent.parent / "static" / "ranan" / "fonts" / (
    "NotoSerifTibetan-Regular.ttf")
TIBETAN_FONT = "RananTibetan"


def is_tibetan(ch: str) -> bool:
    return "\u0f00" <= ch <= "\u0fff"


@functools.cache
def tibetan_font() -> str:
    pdfmetrics.registerFont(TTFont(TIBETAN_FONT, str(TIBETAN_TTF)))
    return TIBETAN_FONT


def runs(text: str, font: str) -> list[tuple[str, str]]:
    """`text` cut into (piece, font) runs: Tibetan letters in the Tibetan font, the rest
    (Chinese, digits, Latin, and the spaces between) in `font`."""
    out: list[tuple[str, str]] = []
    for ch in text:
        face = tibetan_font() if is_tibetan(ch) else font
        if out and out[-1][1] == face:
            out[-1] = (out[-1][0] + ch, face)
        else:
            out.append((ch, face))
    return out


def _has_tibetan(text: str) -> bool:
    return any("\u0f00" <= ch <= "\u0fff" for ch in text)


def text_width(text: str, font: str, size: float) -> float:
    if not _has_tibetan(text):  # the usual case: one font, no cutting
        return pdfmetrics.stringWidth(text, font, size)
    return sum(pdfmetrics.stringWidth(piece, face, size) for piece, face in runs(text, font))


def draw(pdf, x: float, y: float, text: str, font: str, size: float, align: str = "left") -> None:
    """drawString for mixed Chinese/Tibetan text; `align` left, right (x is the right edge)
    or centre (x is the middle)."""
    if not _has_tibetan(text):
        pdf.setFont(font, size)
        {"right": pdf.drawRightString, "centre": pdf.drawCentredString}.get(
            align, pdf.drawString)(x, y, text)
        return
    if align == "right":
        x -= text_width(text, font, size)
    elif align == "centre":
        x -= text_width(text, font, size) / 2
    for piece, face in runs(text, font):
        pdf.setFont(face, size)
        pdf.drawString(x, y, piece)
        x += pdfmetrics.stringWidth(piece, face, size)
    pdf.setFont(font, size)
