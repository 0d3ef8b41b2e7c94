"""Benchmark: the daily recall job (`ranan.cylinders.tasks.mark_recalls`) over 10,000,000
cylinders on PostgreSQL. Goal (issue 4): under 30 s.

    python bench/cylinders_10m.py     # builds ranan_bench_cyl once (reused afterwards)
    python bench/recall_job.py        # [--rounds 3]

Each round first puts the database back as it was before any recall job ran (`recall_from`
set to NULL where set, today's recall messages deleted, then VACUUM ANALYZE of the table and
a CHECKPOINT so that neither lands inside the timing), then times the job twice: the first
run marks every cylinder in circulation due within 30 days or overdue (~4%, the worst day:
the job's first run on a newly loaded registry) and queues one message per station; the
second run, the same day, must mark nothing and queue nothing.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from _setup import machine


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def reset() -> None:
    from django.db import connection

    from ranan.core.models import Message

    with connection.cursor() as cur:
        cur.execute("UPDATE cylinders_cylinder SET recall_from = NULL "
                    "WHERE recall_from IS NOT NULL")
        Message.objects.filter(kind="cylinder_recall").delete()
        cur.execute("VACUUM ANALYZE cylinders_cylinder")
        cur.execute("CHECKPOINT")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    from cylinders_10m import ensure_database

    ensure_database()
    from ranan.core.models import Message
    from ranan.cylinders.models import Cylinder
    from ranan.cylinders.tasks import mark_recalls

    print(f"machine: {machine()}")
    print(f"cylinders: {Cylinder.objects.count():,}")
    best = None
    for round_no in range(1, args.rounds + 1):
        reset()
        print(f"round {round_no}, load average {loadavg()}")
        for run in (1, 2):
            started = time.perf_counter()
            counts = mark_recalls()
            seconds = time.perf_counter() - started
            marked = sum(counts.values())
            messages = Message.objects.filter(kind="cylinder_recall").count()
            print(f"  run {run}: {seconds:6.2f} s, {marked:,} cylinders marked at "
                  f"{sum(1 for n in counts.values() if n):,} stations; "
                  f"{messages:,} recall messages queued in all", flush=True)
            if run == 1:
                best = seconds if best is None else min(best, seconds)
            else:
                assert marked == 0, "the second run the same day marked cylinders again"
    print(f"best first run: {best:.2f} s (goal < 30 s: {'met' if best < 30 else 'NOT met'}); "
          f"load average after: {loadavg()}")


if __name__ == "__main__":
    main()
