"""Shared set-up for the benchmarks: a PostgreSQL database of their own, migrated, with a
world (one county: 20 townships x 25 villages), an LPG company with 5 stations and a pipeline
company, and an admin account. Not part of the test suite."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ranan_bench"


def setup_django(url: str | None = None, reset: bool = True):
    os.environ["DATABASE_URL"] = url or os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("RANAN_VAR_DIR", str(ROOT / "var" / "bench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ranan.settings")
    if reset and os.environ["DATABASE_URL"].startswith("postgres"):
        import psycopg

        name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_world(townships: int = 20, villages: int = 25):
    from ranan.core import services
    from ranan.core.choices import Level, OrgKind, Role

    node = services.jurisdiction_create
    province = node(actor=None, name="基准省", level=Level.PROVINCE, code="980000")
    city = node(actor=None, name="基准市", level=Level.CITY, parent=province, code="980100")
    county = node(actor=None, name="基准县", level=Level.DISTRICT, parent=city, code="980101")
    all_villages = []
    for t in range(townships):
        town = node(actor=None, name=f"第{t + 1}乡", level=Level.TOWNSHIP, parent=county,
                    code=f"980101{100 + t:03d}")
        for v in range(villages):
            all_villages.append(node(actor=None, name=f"{t + 1}乡{v + 1}村", level=Level.VILLAGE,
                                     parent=town, code=f"980101{100 + t:03d}{200 + v:03d}"))
    company = services.organisation_create(actor=None, name="基准液化气公司",
                                           kind=OrgKind.LPG_COMPANY, jurisdictions=[county])
    stations = [services.organisation_create(actor=None, name=f"基准{n + 1}站",
                                             kind=OrgKind.LPG_STATION, parent=company,
                                             jurisdictions=[county]) for n in range(5)]
    pipeline = services.organisation_create(actor=None, name="基准管道燃气公司",
                                            kind=OrgKind.PIPELINE_GAS, jurisdictions=[county])
    platform_org = services.organisation_create(actor=None, name="基准平台", kind=OrgKind.TASK_FORCE,
                                                jurisdictions=[province])
    admin = services.account_create(actor=None, username="bench_admin", password="x" * 12,
                                    organisation=platform_org, roles=[Role.ADMIN], area=[province],
                                    check_password=False)
    regulator_org = services.organisation_create(actor=None, name="基准县市场监管局",
                                                 kind=OrgKind.REGULATOR,
                                                 regulator_type="market_supervision",
                                                 jurisdictions=[county])
    regulator = services.account_create(actor=None, username="bench_reg", password="x" * 12,
                                        organisation=regulator_org, roles=[Role.REGULATOR],
                                        area=[county], check_password=False)
    return {"villages": all_villages, "stations": stations, "pipeline": pipeline, "admin": admin,
            "regulator": regulator, "county": county}


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()}: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_children_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
