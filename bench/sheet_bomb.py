"""Benchmark: malformed and hostile spreadsheets against the reader (issue 16 item 1).

    python bench/sheet_bomb.py            # [--old]: the reader before issue 16 too (slow)

1. One row of N unclosed `<c r="A1"><x/>` cells (the issue's 2 KB file has 20,000 cells; a
   4 KB file ~120,000): the time to refuse it, and a series of N to show the time grows
   linearly (before issue 16 it grew with N²: 126 s for the 2 KB file).
2. The shared-strings bomb: a file of a few MB whose sharedStrings.xml holds 400 MB of
   strings, compressed ~100x (under the zip-bomb ratio check, like the issue's 3.7 MB file):
   time to refuse it and peak memory (tracemalloc peak of Python allocations, and the
   process's maximum resident size before and after).

No database: the reader only. `--old` loads the reader of the commit before issue 16 from git
and runs it on smaller N (and the bomb), for comparison.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ranan.settings")

import django  # noqa: E402

django.setup()

from ranan.lib import spreadsheet  # noqa: E402
from tests.lib.test_spreadsheet import CONTENT_TYPES, RELS, WORKBOOK, fake_xlsx  # noqa: E402

OLD_COMMIT = "0d3cd99"  # the last commit before the reader of issue 16


def unclosed(n: int) -> io.BytesIO:
    return fake_xlsx(b'<worksheet><sheetData><row r="1">' + b'<c r="A1"><x/>' * n
                     + b"</row></sheetData></worksheet>")


def strings_bomb(path: str, megabytes: int = 400, filler: int = 500) -> tuple[int, int]:
    """(file size, sharedStrings.xml size): distinct strings, each a counter and `filler` As."""
    sheet = b'<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    written = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
            out.write(b"<sst>")
            i = 0
            tail = b"A" * filler + b"</t></si>"
            while written < megabytes * 10**6:
                block = b"".join(b"<si><t>%08d" % (i + k) + tail for k in range(2000))
                out.write(block)
                written += len(block)
                i += 2000
            out.write(b"</sst>")
    return os.path.getsize(path), written


def read(module, fileobj) -> str:
    try:
        rows = sum(1 for _ in module.open_sheet(fileobj).rows)
        return f"read, {rows} rows"
    except module.SpreadsheetError as exc:
        return f"refused ({getattr(exc, 'code', '')}): {exc}"


def timed(module, fileobj, memory=False):
    if memory:
        tracemalloc.start()
    start = time.perf_counter()
    outcome = read(module, fileobj)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if memory else None
    if memory:
        tracemalloc.stop()
    return outcome, seconds, peak


def old_module():
    source = subprocess.run(["git", "show", f"{OLD_COMMIT}:src/ranan/lib/spreadsheet.py"],
                            cwd=ROOT, capture_output=True, check=True).stdout
    path = Path(tempfile.mkdtemp()) / "old_spreadsheet.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location("old_spreadsheet", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_spreadsheet"] = module
    spec.loader.exec_module(module)
    return module


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--old", action="store_true")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print("\n1. One row of N unclosed cells")
    for n in (20_000, 60_000, 120_000, 200_000, 600_000):
        sheet = unclosed(n)
        size = len(sheet.getvalue())
        outcome, seconds, _ = min((timed(spreadsheet, unclosed(n)) for _ in range(3)),
                                  key=lambda t: t[1])
        print(f"   N={n:>9,}  file {size / 1024:6.1f} KB  {seconds * 1000:8.1f} ms  {outcome}")
    if args.old:
        old = old_module()
        for n in (2_000, 4_000, 8_000, 16_000):
            outcome, seconds, _ = timed(old, unclosed(n))
            print(f"   before issue 16: N={n:>7,}  {seconds:7.2f} s  {outcome}")

    print("\n2. Shared-strings bomb")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bomb.xlsx")
        size, member = strings_bomb(path)
        print(f"   file {size / 2**20:.1f} MiB, sharedStrings.xml {member / 10**6:.0f} MB "
              f"(ratio {member / size:.0f})")
        before = maxrss_mib()
        with open(path, "rb") as handle:
            outcome, seconds, _ = timed(spreadsheet, handle)
        after = maxrss_mib()
        print(f"   {seconds:.2f} s, max resident {before:.0f} -> {after:.0f} MiB; {outcome}")
        with open(path, "rb") as handle:
            outcome, seconds, peak = timed(spreadsheet, handle, memory=True)
        print(f"   tracemalloc peak {peak:.0f} MiB (the limit on kept text: "
              f"{spreadsheet.MAX_SHARED_TEXT_BYTES // 2**20} MiB)")
        if args.old:
            before = maxrss_mib()
            with open(path, "rb") as handle:
                outcome, seconds, _ = timed(old_module(), handle)
            print(f"   before issue 16: {seconds:.2f} s, max resident {before:.0f} -> "
                  f"{maxrss_mib():.0f} MiB; {outcome[:60]}")


if __name__ == "__main__":
    main()
