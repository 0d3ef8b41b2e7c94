"""The `ranan` command: demo, serve, worker, and every Django management command.

    ranan demo [--port 8000] [--reset] [--no-serve]
    ranan serve [--bind 127.0.0.1:8000] [--workers 2] [--threads 4]
    ranan worker [--once]
    ranan backup [--output FILE]
    ranan restore FILE [--force] [--check]
    ranan manage <django command> ...
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ranan.settings")
    import django

    django.setup()


def demo(args) -> int:
    _setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from ranan.core import demo as demo_world

    if args.reset:
        if connection.vendor == "sqlite":
            connection.close()
            db_file = settings.DATABASES["default"]["NAME"]
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(f"{db_file}{suffix}"):
                    os.remove(f"{db_file}{suffix}")
        else:
            call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", interactive=False, verbosity=0)
    accounts_file = settings.VAR_DIR / "demo-accounts.json"
    if demo_world.is_loaded():
        print("Demo data already present (use --reset to start over).")
        accounts = demo_world.accounts_from_file(accounts_file)
    else:
        print("Loading the demo world…")
        demo_world.write_accounts(demo_world.load(), accounts_file)
        accounts = demo_world.accounts_from_file(accounts_file)
    print(f"\nDemo accounts (also in {accounts_file}):")
    print(f"{'username':<14} {'password':<18} {'role':<18} organisation / area")
    for a in accounts:
        print(f"{a['username']:<14} {a['password']:<18} {a['role']:<18} {a['organisation']} / {a['area']}")
    if args.no_serve:
        return 0
    print(f"\nRanan demo at http://127.0.0.1:{args.port}/  (Ctrl+C to stop)\n", flush=True)
    call_command("runserver", f"127.0.0.1:{args.port}", use_reloader=False, use_threading=True)
    return 0


# gunicorn's access log without the query string (%(U)s is the path alone), issue 16.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'


def serve(args) -> int:
    """Production server: gunicorn on the WSGI application (put nginx in front)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ranan.settings")
    from gunicorn.app.wsgiapp import run

    # --timeout: a million-row customer import runs inside its request (~80 s measured).
    sys.argv = ["gunicorn", "ranan.wsgi:application", "--bind", args.bind,
                "--workers", str(args.workers), "--timeout", "600", "--access-logfile", "-",
                # Threads beside the logins: the login limit (core.login_limit) keeps the
                # password checks from taking every thread (bench/login_storm.py, issue 16).
                "--worker-class", "gthread", "--threads", str(args.threads),
                # The path without its query string: searched phone numbers stay out of the log.
                "--access-logformat", ACCESS_LOG_FORMAT]
    run()
    return 0


def worker(args) -> int:
    """Run background tasks and enqueue the periodic jobs when they fall due."""
    _setup()
    from django.core.management import call_command

    from ranan.core.tasks import periodic_jobs

    last_run: dict[str, float] = {}
    while True:
        now = time.monotonic()
        for job, interval in periodic_jobs():
            name = job.module_path
            if now - last_run.get(name, -1e12) >= interval.total_seconds():
                job.enqueue()
                last_run[name] = now
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0,
                     queue_name="*")
        if args.once:
            return 0
        time.sleep(args.interval)


def backup(args) -> int:
    """One archive: the database (pg_dump / SQLite's backup API), the media tree, a manifest."""
    _setup()
    from datetime import datetime

    from django.conf import settings

    from ranan.core import backup as backups

    output = args.output or (settings.VAR_DIR / "backups"
                             / f"ranan-{datetime.now():%Y%m%d-%H%M%S}.tar")
    try:
        manifest = backups.create(output)
    except backups.BackupError as error:
        print(f"ranan backup: {error}", file=sys.stderr)
        return 1
    print(f"{output}: {manifest['vendor']}, {len(manifest['tables'])} tables, "
          f"{sum(manifest['tables'].values())} rows, {manifest['media']['files']} media files, "
          f"{os.path.getsize(output)} bytes")
    return 0


def restore(args) -> int:
    """Check the archive's checksums, then restore it into the configured database and media
    directory (refusing a database that holds data unless --force), then verify the counts."""
    _setup()
    from ranan.core import backup as backups

    try:
        if args.check:
            manifest = backups.check(args.archive)
            print(f"{args.archive}: intact ({len(manifest['members'])} members, "
                  f"{sum(manifest['tables'].values())} rows, Ranan {manifest['ranan_version']}, "
                  f"{manifest['created_at']})")
            return 0
        done = backups.restore(args.archive, force=args.force)
    except backups.BackupError as error:
        print(f"ranan restore: {error}", file=sys.stderr)
        return 1
    print(f"Restored {done['tables']} tables, {done['rows']} rows and {done['media_files']} media "
          "files; counts, migrations and triggers match the manifest.")
    if done["pending_migrations"]:
        print(f"{len(done['pending_migrations'])} migrations are newer than the backup: "
              "run `ranan manage migrate`.")
    return 0


def manage(args) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ranan.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ranan manage", *args.rest])
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ranan", description="Ranan (燃安) gas safety platform")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="migrate, load the demo world if empty, and serve it")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--reset", action="store_true", help="start over from an empty database")
    p.add_argument("--no-serve", action="store_true", help="only prepare the database")
    p.set_defaults(func=demo)

    p = sub.add_parser("serve", help="run the production server (gunicorn)")
    p.add_argument("--bind", default="127.0.0.1:8000")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.set_defaults(func=serve)

    p = sub.add_parser("worker", help="run background tasks and periodic jobs")
    p.add_argument("--once", action="store_true", help="one pass, then exit")
    p.add_argument("--interval", type=float, default=5.0)
    p.set_defaults(func=worker)

    p = sub.add_parser("backup", help="back up the database and the media files into one archive")
    p.add_argument("--output", help="archive path (.tar, or .tar.gz to compress); "
                   "default var/backups/ranan-<time>.tar")
    p.set_defaults(func=backup)

    p = sub.add_parser("restore", help="restore an archive made by `ranan backup`")
    p.add_argument("archive")
    p.add_argument("--force", action="store_true", help="overwrite a database that holds data")
    p.add_argument("--check", action="store_true", help="only verify the archive's checksums")
    p.set_defaults(func=restore)

    p = sub.add_parser("manage", help="any Django management command")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=manage)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
