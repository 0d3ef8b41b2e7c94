"""Benchmark: export every customer of the county to .xlsx (as the page/API export does),
reusing the database filled by import_customers.py. Prints time, rows/s, file size and the
process's peak memory (the goal of issue 3: a million rows never all in memory).

    python bench/export_customers.py
"""

import os
import time

from _setup import machine, peak_rss_mib, setup_django


def main() -> None:
    setup_django(reset=False)
    from ranan.core.models import Account
    from ranan.customers import exporter, selectors

    regulator = Account.objects.get(username="bench_reg")
    before = peak_rss_mib()
    started = time.perf_counter()
    qs, cleaned = selectors.filter_customers(regulator, {})
    handle, rows = exporter.export_customers(actor=regulator, queryset=qs, filters=cleaned)
    elapsed = time.perf_counter() - started
    size = os.fstat(handle.fileno()).st_size
    print(f"machine: {machine()}")
    print(f"rows exported: {rows:,} in {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s, "
          f"file {size / 1024 / 1024:.0f} MiB")
    print(f"peak memory (RSS): {peak_rss_mib():,.0f} MiB (before export: {before:,.0f} MiB)")


if __name__ == "__main__":
    main()
