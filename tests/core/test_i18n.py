"""Chinese first, English complete: every UI string has its Chinese translation compiled."""

import re
from pathlib import Path

from django.utils import translation

import ranan

PO = Path(ranan.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries(text: str):
    for block in text.split("\n\n"):
        if "msgid" not in block:
            continue
        msgid = "".join(re.findall(r'^(?:msgid|msgid_plural)?\s*"(.*)"$', block.split("msgstr")[0],
                                   re.M))
        msgstrs = re.findall(r'^msgstr(?:\[\d+\])?\s+"(.*)"((?:\n".*")*)', block, re.M)
        values = [first + "".join(re.findall(r'"(.*)"', rest)) for first, rest in msgstrs]
        yield msgid, values, "#, fuzzy" in block


def test_every_string_is_translated_and_none_is_fuzzy():
    missing = [msgid for msgid, values, fuzzy in _entries(PO.read_text())
               if msgid and (fuzzy or not all(values))]
    assert not missing, f"untranslated or fuzzy in {PO.name}: {missing[:20]}"


def test_the_compiled_catalogue_is_current():
    mo = PO.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_size > 1000
    with translation.override("zh-hans"):
        assert translation.gettext("Audit log") == "审计日志"
        assert translation.gettext("Courier") == "配送员"
    with translation.override("en"):
        assert translation.gettext("Audit log") == "Audit log"
