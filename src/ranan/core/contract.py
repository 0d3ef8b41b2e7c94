"""The app contract: how an app plugs into the platform.

An app declares, on its own `AppConfig` (a `RananApp`), everything it adds to the shared
pages and jobs; core collects the declarations of the installed apps when it needs them and
nothing registers itself at start-up. Adding an app touches only its own folder,
`INSTALLED_APPS` and one URL include.

    class HazardsConfig(contract.RananApp):
        name = "ranan.hazards"
        navigation = [Nav("hazard-list", _("Hazards"), order=60, capability="hazards.read")]
        customer_panels = [Panel("hazards/_customer_hazards.html",
                                 "ranan.hazards.views.customer_panel", order=40)]
        kpis = "ranan.hazards.kpis"
        demo = Demo("ranan.hazards.demo.extend", after=("inspections",))
        jobs = [Job("ranan.hazards.tasks.escalate_task", timedelta(days=1))]
        hooks = {"inspections.findings": ["ranan.hazards.services.take_over_findings"]}
        capabilities = {"hazards.work": {Role.INSPECTOR, ...}}

Callables are named by dotted path (imported when first used, after the apps are loaded), so
an app config never imports its models or views.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.apps import AppConfig, apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Nav:
    """A main-menu entry. `order` places it (core's own entries: home 0, areas 900 and the
    administration after); the entry shows to accounts holding `capability` (any signed-in
    account when None) whose organisation is of one of `org_kinds` (None: the app's
    `RananApp.org_kinds`, every kind when that is None too). A menu never offers a page
    that answers 403, nor one about a business the organisation is not in (a pipeline gas
    company's people see no cylinders)."""

    url_name: str
    label: Any
    order: int
    capability: str | None = None
    org_kinds: frozenset[str] | None = None

    def shows_to(self, user) -> bool:
        """Whether `user`'s menu holds this entry."""
        from ranan.core.permissions import can

        if self.capability is not None and not can(user, self.capability):
            return False
        return concerns(user, self.org_kinds)


def concerns(user, org_kinds: Iterable[str] | None) -> bool:
    """Whether something declared for `org_kinds` (None: every kind) concerns `user`: its
    organisation is of one of them. A superuser, or an account without an organisation,
    is concerned by everything."""
    if org_kinds is None or getattr(user, "is_superuser", False):
        return True
    organisation = getattr(user, "organisation", None)
    return organisation is None or organisation.kind in org_kinds


@dataclass(frozen=True)
class Panel:
    """A card on a shared page (the home page, the customer page). `context` names a
    function `(request, obj) -> dict | None` (obj: the customer, or None on the home page):
    the context the template is rendered with, or None to leave the panel out."""

    template: str
    context: str
    order: int


@dataclass(frozen=True)
class Demo:
    """The app's demo data: `load` names a function `(world: dict) -> None` that adds to the
    shared demo world; `after` lists the app labels whose demo data it needs."""

    load: str
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoleDef:
    """A role an app adds (core declares the platform's own): its code, label, the kinds of
    organisation it may be given in, whether it sees domain data of its area (the auditor
    does not), and where it ranks for the home page of an account with several roles
    (lower first). A `narrow` role sees its area's data (scoping) but holds only the
    capabilities granted to it by name, none of those granted to every data role
    (DATA_ROLES): a property manager sees its estates' hazards, not the customer register,
    the cylinders or the dashboard, and no app's new DATA_ROLES row reaches it unasked."""

    code: str
    label: Any
    org_kinds: frozenset[str]
    data: bool = True
    rank: int = 100
    narrow: bool = False


# In a capability's roles: every role that sees domain data, whichever app declared it
# (but the narrow ones, see RoleDef).
DATA_ROLES = "every-data-role"


@dataclass(frozen=True)
class Grant:
    """A row of the permission table where superusers are not granted the capability by
    being superusers (separation of duties: reading the audit log, seeing personal data)."""

    roles: frozenset[str]
    superuser: bool = False


@dataclass(frozen=True)
class Job:
    """A periodic job: `task` names a django-tasks task (idempotent), run every `every`."""

    task: str
    every: timedelta


class RananApp(AppConfig):
    """The base of every Ranan app's config: the declarations below are its contract.
    Subclass it as `contract.RananApp` (imported by name into an apps.py, it would be a second
    candidate config there)."""

    navigation: Sequence[Nav] = ()
    # The organisation kinds the app's menu entries and KPIs concern (None: every kind):
    # an LPG app's are shown to no pipeline gas company. An entry (Nav.org_kinds) or a KPI
    # (core.kpis.Kpi.org_kinds) may say otherwise for itself.
    org_kinds: frozenset[str] | None = None
    home_panels: Sequence[Panel] = ()
    customer_panels: Sequence[Panel] = ()
    # A module defining KPIS: a list of reports' `Kpi` (the records each figure counts).
    kpis: str | None = None
    demo: Demo | None = None
    jobs: Sequence[Job] = ()
    # Named extension points of lower apps: {"inspections.findings": ["dotted.callable"]}.
    # Today: "inspections.findings" (a visit's findings, in its transaction),
    # "inspections.work_list" ((user, day) -> rows of visits booked for the inspector that
    # day), "core.kpi_counts" (the stored figures).
    hooks: Mapping[str, Sequence[str]] = {}
    # The roles this app adds to the platform's.
    roles: Sequence[RoleDef] = ()
    # The permission table's rows this app adds: capability -> the roles holding it (a set of
    # role codes, DATA_ROLES for every role that sees data, or a Grant).
    capabilities: Mapping[str, Iterable[str] | str | Grant] = {}


def ranan_apps() -> list[RananApp]:
    return [c for c in apps.get_app_configs() if isinstance(c, RananApp)]


@functools.cache
def navigation() -> tuple[Nav, ...]:
    entries = [n if n.org_kinds is not None or app.org_kinds is None
               else dataclasses.replace(n, org_kinds=frozenset(app.org_kinds))
               for app in ranan_apps() for n in app.navigation]
    names = [n.url_name for n in entries]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"navigation entries declared twice: {sorted(duplicates)}")
    return tuple(sorted(entries, key=lambda n: (n.order, n.url_name)))


def _panels(kind: str) -> tuple[tuple[Panel, Callable], ...]:
    panels = [p for app in ranan_apps() for p in getattr(app, kind)]
    return tuple((p, import_string(p.context)) for p in sorted(panels, key=lambda p: p.order))


@functools.cache
def home_panels() -> tuple[tuple[Panel, Callable], ...]:
    return _panels("home_panels")


@functools.cache
def customer_panels() -> tuple[tuple[Panel, Callable], ...]:
    return _panels("customer_panels")


@functools.cache
def kpi_modules() -> tuple[str, ...]:
    return tuple(app.kpis for app in ranan_apps() if app.kpis)


@functools.cache
def kpi_org_kinds() -> Mapping[str, frozenset[str] | None]:
    """The organisation kinds each KPI module's app concerns (RananApp.org_kinds)."""
    return {app.kpis: (frozenset(app.org_kinds) if app.org_kinds is not None else None)
            for app in ranan_apps() if app.kpis}


@functools.cache
def jobs() -> tuple[tuple[Any, timedelta], ...]:
    return tuple((import_string(j.task), j.every) for app in ranan_apps() for j in app.jobs)


@functools.cache
def hooks(point: str) -> tuple[Callable, ...]:
    return tuple(import_string(path) for app in ranan_apps()
                 for path in app.hooks.get(point, ()))


@functools.cache
def demo_loaders() -> tuple[Callable, ...]:
    """The apps' demo loaders, each after the apps it names in `after` (a topological order;
    among apps free to go, the order of INSTALLED_APPS)."""
    pending = {app.label: app.demo for app in ranan_apps() if app.demo is not None}
    for label, demo in pending.items():
        unknown = [a for a in demo.after if a not in pending]
        if unknown:
            raise ValueError(f"{label}'s demo data needs {unknown}, which have none")
    done: list[str] = []
    while pending:
        ready = [label for label, demo in pending.items() if set(demo.after) <= set(done)]
        if not ready:
            raise ValueError(f"demo data dependencies form a cycle: {sorted(pending)}")
        done.append(ready[0])
        del pending[ready[0]]
    by_label = {app.label: app.demo for app in ranan_apps() if app.demo is not None}
    return tuple(import_string(by_label[label].load) for label in done)


@functools.cache
def roles() -> Mapping[str, RoleDef]:
    """Every role of the installed apps, by code."""
    table: dict[str, RoleDef] = {}
    for app in ranan_apps():
        for role in app.roles:
            if role.code in table:
                raise ValueError(f"role {role.code!r} declared twice")
            table[role.code] = role
    return table


def role_choices() -> list[tuple[str, Any]]:
    """(code, label) of every role, for forms, the API and the model field."""
    return [(r.code, r.label) for r in sorted(roles().values(), key=lambda r: r.rank)]


def role_label(code: str) -> str:
    role = roles().get(code)
    return str(role.label) if role else code


@functools.cache
def data_roles() -> frozenset[str]:
    """The roles that see domain data in their area (all but the auditor's kind)."""
    return frozenset(code for code, role in roles().items() if role.data)


def _grant(roles_: Iterable[str] | str | Grant) -> Grant:
    if isinstance(roles_, Grant):
        return roles_
    if roles_ == DATA_ROLES:
        # Narrow roles hold only what is granted to them by name (RoleDef.narrow).
        return Grant(frozenset(code for code in data_roles() if not roles()[code].narrow), True)
    return Grant(frozenset(roles_), True)


@functools.cache
def capabilities() -> Mapping[str, Grant]:
    """The permission table: capability -> the roles holding it, from every app's
    declaration. Superusers hold every capability unless its Grant says otherwise."""
    table: dict[str, Grant] = {}
    known = set(roles())
    for app in ranan_apps():
        for name, holders in app.capabilities.items():
            if name in table:
                raise ValueError(f"capability {name!r} declared twice")
            if not name.startswith(f"{app.label}."):
                raise ValueError(f"capability {name!r} of {app.label} must start with "
                                 f"'{app.label}.'")
            grant = _grant(holders)
            if grant.roles - known:
                raise ValueError(f"capability {name!r} names unknown roles "
                                 f"{sorted(grant.roles - known)}")
            table[name] = grant
    return table


def clear() -> None:
    """Forget what was collected (tests that change the installed apps)."""
    for fn in (navigation, home_panels, customer_panels, kpi_modules, kpi_org_kinds, jobs, hooks,
               demo_loaders, capabilities, roles, data_roles):
        fn.cache_clear()
