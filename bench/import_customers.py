"""Benchmark: import a customer file end to end (parse, validate, dedupe, write) into
PostgreSQL, as the importer runs for a page or API upload.

    python bench/import_customers.py var/bench/customers-1m.xlsx

Prints rows/s and the process's peak memory. Goal (issue 3): ≥ 20,000 rows/s for 1,000,000
rows, peak memory under 1 GiB. Uses its own database (ranan_bench, recreated each run).
"""

import sys
import time

from _setup import build_world, machine, peak_rss_children_mib, peak_rss_mib, setup_django


def main(path: str, profile: bool = False) -> None:
    setup_django()
    world = build_world()
    from ranan.customers.importer import import_customers
    from ranan.customers.models import Customer

    before = peak_rss_mib()
    started = time.perf_counter()
    with open(path, "rb") as handle:
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = profiler.runcall(import_customers, actor=world["admin"], fileobj=handle,
                                      filename=path)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        else:
            result = import_customers(actor=world["admin"], fileobj=handle, filename=path)
    elapsed = time.perf_counter() - started
    if result.errors:
        print("ERRORS:", result.errors[:5])
        sys.exit(1)
    stored = Customer.objects.count()
    print(f"machine: {machine()}")
    print(f"rows imported: {result.created:,} (in database: {stored:,})")
    print(f"time: {elapsed:.1f} s  ->  {result.created / elapsed:,.0f} rows/s")
    print(f"peak memory (RSS): importer process {peak_rss_mib():,.0f} MiB (before import: "
          f"{before:,.0f} MiB); reader child process {peak_rss_children_mib():,.0f} MiB")


if __name__ == "__main__":
    main(sys.argv[1], profile="--profile" in sys.argv)
