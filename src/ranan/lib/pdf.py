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
