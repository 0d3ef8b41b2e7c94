"""Issue 8's weekly briefing for a province (goal: the PDF in under 10 s), and the dashboard's
weekly chart (12 weeks of one figure), on the province built by bench/province.py.

    /work/venv/bin/python bench/briefing.py [--db ranan_bench_prov] [--repeats 3]

Times, for last week: gathering the figures cold (no stored figures for that week yet), the
whole briefing (figures + PDF + .xlsx) warm, and the 12-week series of coverage cold and warm.
Read-only apart from the stored figures (no briefing is saved).
"""

from __future__ import annotations

import argparse
import statistics
import time

from _setup import machine, setup_django

BASE_URL = "postgres://postgres@127.0.0.1:5432/"


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t) * 1000, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="ranan_bench_prov")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    setup_django(BASE_URL + args.db, reset=False)
    from django.utils import timezone

    from ranan.core import kpis
    from ranan.core.models import Account
    from ranan.reports import briefing
    from ranan.reports.models import Briefing

    print(machine())
    user = Account.objects.get(username="bench_prov_reg")
    node = user.area.get()
    week = briefing.last_week()
    print(f"province {node.name}, week of {week}")
    cold, snap = timed(lambda: briefing.gather(user, node, week))
    doc = Briefing(jurisdiction=node, week_start=week, number=1, snapshot=snap)
    runs = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        snap = briefing.gather(user, node, week)
        doc.snapshot = snap
        pdf = briefing.pdf(doc)
        briefing.xlsx(doc)
        runs.append((time.perf_counter() - t) * 1000)
    pdf_ms, _ = timed(lambda: briefing.pdf(doc))
    print(f"briefing: figures cold {cold:.0f} ms; figures + PDF + xlsx warm median "
          f"{statistics.median(runs):.0f} ms (goal < 10,000 ms); PDF alone {pdf_ms:.0f} ms, "
          f"{len(pdf):,} bytes")
    today = timezone.localdate()
    for label in ("cold", "warm"):
        ms, series = timed(lambda: kpis.timeseries(user, node.path, today, 12,
                                                    ["inspection_coverage"]))
        print(f"12-week series of inspection coverage, {label}: {ms:.0f} ms ({len(series)} weeks)")


if __name__ == "__main__":
    main()
