"""Benchmark: the scan interlock over HTTP against the production server, on PostgreSQL with
10,000,000 cylinders. Goal (issue 4): scan throughput >= 60% of the same server's throughput
on a no-database JSON view (`GET /api/v1/ping`) measured in the same run, and p99 < 20 ms.

    python bench/cylinders_10m.py        # builds ranan_bench_cyl once (reused afterwards)
    python bench/scan_throughput.py      # [--seconds 10] [--levels 1,2,3,4,6] [--rounds 1]

The server is `ranan serve` (gunicorn, 2 sync workers, its access log on) started here as a
subprocess on the bench database. The load comes from a second process on loopback
(`--client`, started here too): asyncio on raw sockets, one connection per request (a
gunicorn sync worker closes the connection after each answer, as it would behind nginx),
kept light because it shares the 2 cores with the server and PostgreSQL. Each concurrency
level runs 2 s of warm-up, then `--seconds` measured, the ping view and then the scans at
that level, so that both see the same background load (`--rounds` repeats the levels).

The scans are what stations send: for 20 stations (spread over the 2,000), each station's
manager and courier with their own API token; a pool of each station's cylinders in every
state, each scan the next step of its cylinder's round (the manager fills an empty one,
dispatches a full one to the station's courier; the courier delivers it to one of the
station's customers and collects an empty one), each with a fresh client_id. Mixed in:
4% fills of overdue or scrap-dated cylinders (refused), 2% wrong steps (collect on a full
cylinder: refused), 2% repeats of an earlier request with its client_id (the field app's
retry: answered with the first verdict), 1% mistyped codes (check character), 1% unknown
codes. A cylinder is never in two requests at once.

Printed per level: requests/s, p50/p95/p99 latency (connect to last byte, as the client
sees it), and CPU per request of the client, the gunicorn workers and the PostgreSQL
backends serving them; then the best-throughput point of each, the ratio and the p99 there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MIX = {"refuse_overdue": 0.04, "wrong_step": 0.02, "retry": 0.02, "typo": 0.01,
       "unknown": 0.01}
NEXT = {"empty": ("fill", "full"), "full": ("dispatch", "with_courier"),
        "with_courier": ("deliver", "at_customer"), "at_customer": ("collect", "empty")}
APP_NAME = "ranan-scan-bench"
WHO = {"fill": "manager", "dispatch": "manager", "deliver": "courier", "collect": "courier"}


# --- the server side: database, accounts, tokens, workload, server process -----------------

def prepare(n_stations: int, per_state: int) -> dict:
    """Accounts and tokens for `n_stations` stations and the pool of their cylinders."""
    from cylinders_10m import ensure_database

    ensure_database()
    from django.db import connection
    from django.utils import timezone
    from knox.models import get_token_model

    from ranan.core import services
    from ranan.core.choices import Role
    from ranan.core.models import Account, Organisation
    from ranan.customers.models import Customer
    from ranan.cylinders.models import Cylinder

    today = timezone.localdate()
    horizon = today + __import__("datetime").timedelta(days=60)
    stations = list(Organisation.objects.filter(kind="lpg_station").order_by("id"))
    step = max(1, len(stations) // n_stations)
    chosen = stations[step // 2::step][:n_stations]
    admin = Account.objects.get(username="bench_admin")
    Token = get_token_model()
    plan = {"stations": []}
    for station in chosen:
        manager = Account.objects.filter(username=f"bench_mgr_{station.pk}").first()
        if manager is None:
            manager = services.account_create(
                actor=admin, username=f"bench_mgr_{station.pk}", password="x" * 12,
                organisation=station, roles=[Role.STATION_MANAGER],
                area=list(station.jurisdictions.all()), check_password=False)
        courier = Account.objects.get(username=f"courier_{station.pk}")
        tokens = {}
        for who, account in (("manager", manager), ("courier", courier)):
            Token.objects.filter(user=account).delete()  # one device each, as in the field
            tokens[who] = Token.objects.create(account)[1]
        healthy = Cylinder.objects.filter(station=station, next_inspection_due__gt=horizon,
                                          scrap_on__gt=horizon)
        pool = []
        for state in NEXT:
            pool += [[code, state] for code in healthy.filter(state=state).order_by("?")
                     .values_list("code", flat=True)[:per_state]]
        overdue = list(Cylinder.objects.filter(station=station, state="empty",
                                               next_inspection_due__lt=today)
                       .values_list("code", flat=True)[:50])
        customers = list(Customer.objects.filter(lpg_station=station)
                         .values_list("pk", flat=True))
        plan["stations"].append({"id": station.pk, "tokens": tokens, "courier": courier.pk,
                                 "customers": customers, "pool": pool, "overdue": overdue})
    connection.close()
    return plan


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    from cylinders_10m import database_url

    # PGAPPNAME names the server's connections, so that the PostgreSQL CPU counted is
    # theirs (other work may use the same database).
    env = dict(os.environ, DATABASE_URL=database_url(), PGAPPNAME=APP_NAME,
               RANAN_VAR_DIR=os.environ.get("RANAN_VAR_DIR", str(ROOT / "var" / "bench")))
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("ranan")), "serve", "--bind", f"127.0.0.1:{port}",
         "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /api/v1/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Connection: close\r\n\r\n")
                if b" 200 " in s.recv(200):
                    return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"server did not start: {server.stderr.read().decode()[-2000:]}")


def worker_pids(server: subprocess.Popen) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def backend_pids() -> list[int]:
    import psycopg
    from cylinders_10m import database_url

    url = database_url()
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                            [APP_NAME]).fetchall()
    return [r[0] for r in rows]


def cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return total


def run_level(port, plan_file, kind, concurrency, seconds, server) -> dict:
    """One measured level: the client process's answer plus the server-side CPU."""
    workers = worker_pids(server)
    # Warm-up run first (it also makes the workers open their pooled connections).
    subprocess.run([sys.executable, __file__, "--client", plan_file, "--port", str(port),
                    "--kind", kind, "--concurrency", str(concurrency), "--seconds", "2"],
                   check=True, capture_output=True)
    backends = backend_pids()
    before = cpu_seconds(workers), cpu_seconds(backends)
    out = subprocess.run([sys.executable, __file__, "--client", plan_file, "--port", str(port),
                          "--kind", kind, "--concurrency", str(concurrency), "--seconds",
                          str(seconds)], check=True, capture_output=True, text=True)
    after = cpu_seconds(workers), cpu_seconds(backends)
    result = json.loads(out.stdout)
    n = max(result["requests"], 1)
    result["server_us"] = (after[0] - before[0]) / n * 1e6
    result["postgres_us"] = (after[1] - before[1]) / n * 1e6
    return result


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--levels", default="1,2,3,4,6")
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat every level; the best of each view counts")
    parser.add_argument("--stations", type=int, default=20)
    parser.add_argument("--per-state", type=int, default=250)
    parser.add_argument("--client")
    parser.add_argument("--port", type=int)
    parser.add_argument("--kind")
    parser.add_argument("--concurrency", type=int)
    args = parser.parse_args()
    if args.client:
        print(json.dumps(asyncio.run(client(args.client, args.port, args.kind,
                                            args.concurrency, args.seconds))))
        return
    sys.path.insert(0, str(HERE))
    from _setup import machine

    plan = prepare(args.stations, args.per_state)
    port = free_port()
    levels = [int(x) for x in args.levels.split(",")]
    print(f"machine: {machine()}")
    print(f"load average before: {loadavg()}")
    from ranan.cylinders.models import Cylinder

    print(f"cylinders: {Cylinder.objects.count():,}; {len(plan['stations'])} stations scanning, "
          f"{sum(len(s['pool']) for s in plan['stations']):,} cylinders in their pools")
    from django.db import connection

    connection.close()
    server = start_server(port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the server on the way out
    best = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            plan_file = str(Path(tmp) / "plan.json")
            Path(plan_file).write_text(json.dumps(plan))
            print(f"{'view':<6} {'conc':>4} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
                  f"{'p99 ms':>7} {'max ms':>7}  {'CPU µs/request: client server postgres':>40}"
                  "  load   answers")
            for _round in range(args.rounds):
                for level in levels:
                    for kind in ("ping", "scan"):
                        r = run_level(port, plan_file, kind, level, args.seconds, server)
                        print(f"{kind:<6} {level:>4} {r['rps']:8.0f} {r['p50']:7.2f} "
                              f"{r['p95']:7.2f} {r['p99']:7.2f} {r['max']:7.2f}  "
                              f"{r['client_us']:>20.0f} {r['server_us']:>6.0f} "
                              f"{r['postgres_us']:>8.0f}  {loadavg().split()[0]:>5}  "
                              f"{json.dumps(r['answers'], sort_keys=True)}", flush=True)
                        if kind not in best or r["rps"] > best[kind]["rps"]:
                            best[kind] = {**r, "level": level}
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
    ping, scan = best["ping"], best["scan"]
    print(f"load average after: {loadavg()}")
    print(f"best ping: {ping['rps']:,.0f} req/s at concurrency {ping['level']}")
    print(f"best scan: {scan['rps']:,.0f} req/s at concurrency {scan['level']}, "
          f"p50 {scan['p50']:.2f} ms, p95 {scan['p95']:.2f} ms, p99 {scan['p99']:.2f} ms")
    ratio = scan["rps"] / ping["rps"]
    print(f"scan / ping: {100 * ratio:.1f}% (goal >= 60%: {'met' if ratio >= 0.6 else 'NOT met'}); "
          f"p99 {'<' if scan['p99'] < 20 else '>='} 20 ms "
          f"({'met' if scan['p99'] < 20 else 'NOT met'})")


# --- the client process ------------------------------------------------------------------

class Workload:
    """Builds scan requests from the plan and follows each cylinder's state."""

    def __init__(self, plan: dict, seed: int):
        self.rng = random.Random(seed)
        self.stations = plan["stations"]
        self.free = {s["id"]: list(s["pool"]) for s in self.stations}
        self.sent: list[bytes] = []
        self.answers: dict[str, int] = {}

    def _body(self, station, who, body) -> bytes:
        data = json.dumps(body).encode()
        return (f"POST /api/v1/cylinders/scan HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Token {station['tokens'][who]}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                f"Connection: close\r\n\r\n").encode() + data

    def next(self):
        """(request bytes, cylinder to give back or None, state when allowed or None)."""
        rng = self.rng
        station = rng.choice(self.stations)
        roll = rng.random()
        cid = str(uuid.uuid4())
        kind = "step"
        for name, share in MIX.items():
            if roll < share:
                kind = name
                break
            roll -= share
        if kind == "retry" and self.sent:
            return rng.choice(self.sent), None, None
        if kind == "refuse_overdue" and station["overdue"]:
            body = {"code": rng.choice(station["overdue"]), "action": "fill", "client_id": cid}
            return self._body(station, "manager", body), None, None
        if kind in ("typo", "unknown"):
            from ranan.cylinders import codes

            code = codes.new_code()
            if kind == "typo":
                code = code[:-1] + ("0" if code[-1] != "0" else "1")
            body = {"code": code, "action": "fill", "client_id": cid}
            return self._body(station, "manager", body), None, None
        free = self.free[station["id"]]
        if not free:
            return None
        cylinder = free.pop(rng.randrange(len(free)))
        code, state = cylinder
        if kind == "wrong_step":
            action = "collect" if state != "at_customer" else "fill"
            body = {"code": code, "action": action, "client_id": cid}
            who = WHO[action]
            return self._body(station, who, body), (station["id"], cylinder), None
        action, after = NEXT[state]
        body = {"code": code, "action": action, "client_id": cid}
        if action == "fill":
            body.update(net_weight_kg="14.90", filling_line="L1")
        elif action == "dispatch":
            body["courier"] = station["courier"]
        elif action == "deliver":
            body["customer"] = rng.choice(station["customers"])
        request = self._body(station, WHO[action], body)
        if len(self.sent) < 5000 and rng.random() < 0.05:
            self.sent.append(request)
        return request, (station["id"], cylinder), after

    def done(self, back, after, status, verdict):
        key = f"{status} {verdict}"
        self.answers[key] = self.answers.get(key, 0) + 1
        if back is not None:
            station_id, cylinder = back
            if after is not None and verdict == "allow":
                cylinder[1] = after
            self.free[station_id].append(cylinder)


PING = (b"GET /api/v1/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")


async def one(port: int, request: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    data = await reader.read()  # Connection: close: the server ends the answer
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head[9:12]), body


async def client(plan_file: str, port: int, kind: str, concurrency: int, seconds: float) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    plan = json.loads(Path(plan_file).read_text())
    work = Workload(plan, seed=time.time_ns())
    latencies: list[float] = []
    cpu0 = time.process_time()
    started = time.perf_counter()
    deadline = started + seconds

    async def loop():
        while time.perf_counter() < deadline:
            if kind == "ping":
                request, back, after = PING, None, None
            else:
                picked = work.next()
                if picked is None:
                    await asyncio.sleep(0.001)
                    continue
                request, back, after = picked
            t0 = time.perf_counter()
            status, body = await one(port, request)
            latencies.append(time.perf_counter() - t0)
            if kind == "ping":
                work.answers[str(status)] = work.answers.get(str(status), 0) + 1
            else:
                verdict = json.loads(body).get("verdict") if status == 200 else body[:80].decode()
                work.done(back, after, status, verdict)

    await asyncio.gather(*(loop() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    if kind == "scan":  # the next run (level, round) starts from the states reached here
        for station in plan["stations"]:
            station["pool"] = work.free[station["id"]]
        Path(plan_file).write_text(json.dumps(plan))
    latencies.sort()
    n = len(latencies)

    def pct(p):
        return latencies[min(n - 1, int(n * p))] * 1000

    return {"requests": n, "rps": n / elapsed, "p50": pct(0.50), "p95": pct(0.95),
            "p99": pct(0.99), "max": latencies[-1] * 1000,
            "client_us": (time.process_time() - cpu0) / n * 1e6, "answers": work.answers}


if __name__ == "__main__":
    main()
