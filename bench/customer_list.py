"""Benchmark: the customer list (API, first page, with filters) over 1,000,000 customers on
PostgreSQL, server time measured in-process around the whole request (URL routing,
authentication, scoping, filters, count, serialisation). Goal (issue 3): p95 < 100 ms.

    python bench/import_customers.py var/bench/customers-1m.xlsx   # fills ranan_bench
    python bench/customer_list.py                                   # reuses it

Each scenario runs 5 warm-up requests, then 40 timed ones.
"""

import statistics
import time

from _setup import machine, setup_django

SCENARIOS = [
    ("regulator, whole county, no filter", "bench_reg", ""),
    ("regulator, one village", "bench_reg", "jurisdiction=980101105210"),
    ("regulator, one township, LPG, elderly alone", "bench_reg",
     "jurisdiction=980101107&supply=lpg&flag=elderly_alone"),
    ("regulator, missing alarm and self-closing valve", "bench_reg",
     "missing=no_alarm,no_self_closing_valve"),
    ("regulator, a rare gap (corroded pipe: no match)", "bench_reg", "missing=pipe_corroded"),
    ("regulator, search a name (Chinese)", "bench_reg", "q=张伟"),
    ("regulator, search phone tail", "bench_reg", "q=4321"),
    ("regulator, search pinyin initials", "bench_reg", "q=zwj"),
    ("regulator, search a meter number", "bench_reg", "q=BM000123456"),
    ("station manager (one station's customers)", "bench_station", ""),
    ("station manager, search a name", "bench_station", "q=李娜"),
]


def main() -> None:
    setup_django(reset=False)
    from django.test import Client

    from ranan.core import services
    from ranan.core.models import Account, Jurisdiction, Organisation
    from ranan.customers.models import Customer

    total = Customer.objects.count()
    if not Account.objects.filter(username="bench_station").exists():
        station = Organisation.objects.get(name="基准1站")
        services.account_create(actor=None, username="bench_station", password="x" * 12,
                                organisation=station, roles=["station_manager"],
                                area=[Jurisdiction.objects.get(code="980101")],
                                check_password=False)
    client = Client()
    print(f"machine: {machine()}")
    print(f"customers in database: {total:,}")
    print(f"{'scenario':<52} {'count':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label, username, query in SCENARIOS:
        client.force_login(Account.objects.get(username=username))
        url = f"/api/v1/customers/?{query}"
        for _ in range(5):
            response = client.get(url)
            assert response.status_code == 200, response.content[:300]
        times = []
        for _ in range(40):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        data = response.json()
        count = "?" if data["count"] is None else f"{data['count']:,}{'+' if data['count_capped'] else ''}"
        print(f"{label:<52} {count:>8} {statistics.median(times):8.1f} "
              f"{p95:8.1f} {times[-1]:8.1f}")


if __name__ == "__main__":
    main()
