"""Login storm (issue 16 item 10): 50 clients ask for a token at the same moment while one
client keeps reading a list; how long do the logins take, and the list requests beside them?

    python bench/login_storm.py            # [--clients 50] [--threads 4] [--workers 2]
                                           # [--modes unbounded,bounded,sync]

A PostgreSQL database of its own (BENCH_DATABASE_URL, default .../ranan_login_storm), 50
accounts with real PBKDF2 passwords (Django's default cost: the tests' fast hasher is not
used here), and a gunicorn server started here per mode:

- unbounded: gthread, --workers x --threads, no limit on password checks (the slots set
  wide open: LOGIN_CONCURRENCY=LOGIN_QUEUE=100), as before issue 16;
- bounded: the same server with the defaults (LOGIN_CONCURRENCY=1, LOGIN_QUEUE=1 per
  process; a login beyond them answers 503 with Retry-After and the client retries);
- sync: `ranan serve`'s sync workers (no threads), bounded: for comparison.

A login's time is from the storm's start to its token, retries included. The list client
reads /api/v1/jurisdictions/?parent=<county> with a token taken before the storm, one request
after another, until the last login is done. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, machine, setup_django  # noqa: E402

PASSWORD = "Storm-pass-2026"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ranan_login_storm"


def prepare(clients: int) -> dict:
    setup_django(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    from _setup import build_world
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from ranan.core import services
    from ranan.core.choices import Role

    world = build_world(townships=4, villages=5)
    hashed = make_password(PASSWORD)  # PBKDF2 at Django's default cost, hashed once
    for n in range(clients):
        services.account_create(actor=None, username=f"storm{n:02d}", password=PASSWORD,
                                hashed_password=hashed, check_password=False,
                                organisation=world["regulator"].organisation,
                                roles=[Role.REGULATOR], area=[world["county"]])
    world["admin"].set_password(PASSWORD)
    world["admin"].save()
    county = world["county"].pk
    connection.close()
    return {"county": county}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, mode: str, workers: int, threads: int,
                 limits: dict[str, str]) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
               DJANGO_SETTINGS_MODULE="ranan.settings",
               RANAN_VAR_DIR=os.environ.get("RANAN_VAR_DIR", str(ROOT / "var" / "bench")),
               # 50 accounts log in from one address: no lockout involved here.
               LOGIN_FAILURE_LIMIT="1000")
    if mode == "unbounded":
        env.update(LOGIN_CONCURRENCY="100", LOGIN_QUEUE="100")
    else:
        env.update(limits)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "ranan.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--timeout", "600"]
    if mode != "sync":
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/ping", timeout=2).ok:
                return server
        except requests.RequestException:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"server did not start: {server.stderr.read().decode()[-2000:]}")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, 15)
    server.wait(30)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def storm(port: int, clients: int, county: int) -> dict:
    base = f"http://127.0.0.1:{port}"
    token = requests.post(f"{base}/api/v1/auth/token", json={
        "username": "bench_admin", "password": PASSWORD}, timeout=60).json()["token"]
    list_url = f"{base}/api/v1/jurisdictions/?parent=%23{county}"
    headers = {"Authorization": f"Token {token}", "Connection": "close"}
    requests.get(list_url, headers=headers, timeout=60).raise_for_status()

    start = threading.Barrier(clients + 1)
    done = threading.Event()
    logins: list[float] = []
    busy = [0]
    failures: list[str] = []
    lists: list[float] = []
    lock = threading.Lock()

    def login(n: int) -> None:
        start.wait()
        began = time.monotonic()
        while True:
            answer = requests.post(f"{base}/api/v1/auth/token", json={
                "username": f"storm{n:02d}", "password": PASSWORD},
                headers={"Connection": "close"}, timeout=120)
            if answer.status_code == 503:
                with lock:
                    busy[0] += 1
                time.sleep(float(answer.headers.get("Retry-After", 1)) * random.uniform(0.5, 1.5))
                continue
            with lock:
                if answer.status_code == 200:
                    logins.append(time.monotonic() - began)
                else:
                    failures.append(f"{answer.status_code} {answer.text[:100]}")
            return

    def reader() -> None:
        start.wait()
        while not done.is_set():
            began = time.monotonic()
            answer = requests.get(list_url, headers=headers, timeout=120)
            answer.raise_for_status()
            lists.append(time.monotonic() - began)

    threads = [threading.Thread(target=login, args=(n,)) for n in range(clients)]
    reading = threading.Thread(target=reader)
    for t in [*threads, reading]:
        t.start()
    began = time.monotonic()
    for t in threads:
        t.join()
    wall = time.monotonic() - began
    done.set()
    reading.join()
    return {"logins": logins, "busy": busy[0], "failures": failures, "lists": lists,
            "wall": wall}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--modes", default="unbounded,bounded,sync")
    parser.add_argument("--concurrency", help="LOGIN_CONCURRENCY when bounded (default: settings)")
    parser.add_argument("--queue", help="LOGIN_QUEUE when bounded (default: settings)")
    args = parser.parse_args()
    limits = {k: v for k, v in (("LOGIN_CONCURRENCY", args.concurrency),
                                ("LOGIN_QUEUE", args.queue)) if v is not None}
    plan = prepare(args.clients)
    print(f"machine: {machine()}")
    print(f"{args.clients} concurrent token logins (PBKDF2, Django's default cost), one list "
          f"client; gunicorn {args.workers} workers x {args.threads} threads (gthread); "
          f"bounded: {limits or 'the settings defaults'}")
    print(f"{'mode':<10} {'logins p50':>10} {'p99':>7} {'503s':>5} {'lists':>5} "
          f"{'list p50':>9} {'p99':>7} {'max':>7} {'wall':>6}")
    for mode in args.modes.split(","):
        port = free_port()
        server = start_server(port, mode, args.workers, args.threads, limits)
        try:
            r = storm(port, args.clients, plan["county"])
        finally:
            stop(server)
        if r["failures"]:
            print(f"  {mode}: {len(r['failures'])} failed logins, e.g. {r['failures'][0]}")
        print(f"{mode:<10} {pct(r['logins'], .5):>9.2f}s {pct(r['logins'], .99):>6.2f}s "
              f"{r['busy']:>5} {len(r['lists']):>5} {pct(r['lists'], .5) * 1000:>7.0f}ms "
              f"{pct(r['lists'], .99) * 1000:>5.0f}ms {max(r['lists'] or [0]) * 1000:>5.0f}ms "
              f"{r['wall']:>5.1f}s")


if __name__ == "__main__":
    main()
