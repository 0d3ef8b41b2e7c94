"""Every write of the core app: `<entity>_<verb>(*, actor, ...)`, atomic, audited.

Pages, the API, the demo loader and management commands all call these; they validate
with `full_clean()` and raise `ValidationError` naming the field, and write nothing on error.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ranan.core import audit, contract
from ranan.core.choices import (
    LEVEL_ORDER,
    PRIVILEGED_ROLES,
    AuditAction,
    Level,
    OrgKind,
    Role,
    duties_conflict,
)
from ranan.core.models import (
    PATH_SEGMENT,
    Account,
    AccountRole,
    Jurisdiction,
    Organisation,
)
from ranan.core.permissions import require


def _require_admin(actor) -> None:
    """Only system administrators (or the superuser, or the system itself) manage core data."""
    if actor is None:  # the system: demo loader, migrations of data
        return
    require(actor, "core.admin", _("Only a system administrator may do this."))


def _require_in_area(actor, nodes: Iterable[Jurisdiction], field: str) -> None:
    """An administrator may only touch jurisdictions inside its own area."""
    if actor is None or actor.is_superuser:
        return
    from ranan.core.selectors import manageable

    visible = set(
        manageable(Jurisdiction.objects.all(), actor)
        .filter(pk__in=[n.pk for n in nodes]).values_list("pk", flat=True)
    )
    outside = [n for n in nodes if n.pk not in visible]
    if outside:
        raise ValidationError(
            {field: _("Outside your area: %(names)s") % {"names": ", ".join(map(str, outside))}}
        )


# --- Jurisdictions ------------------------------------------------------------------------


@transaction.atomic
def jurisdiction_create(
    *, actor, name: str, level: str, parent: Jurisdiction | None = None, code: str | None = None
) -> Jurisdiction:
    _require_admin(actor)
    if parent is None:
        if actor is not None and not actor.is_superuser:
            raise ValidationError({"parent": _("Only the superuser may create a top-level node.")})
    else:
        _require_in_area(actor, [parent], "parent")
        if level in LEVEL_ORDER and LEVEL_ORDER[level] <= LEVEL_ORDER[parent.level]:
            raise ValidationError(
                {"level": _("A %(child)s cannot be placed under a %(parent)s.") % {
                    "child": Level(level).label, "parent": Level(parent.level).label}}
            )
    node = Jurisdiction(name=name, level=level, parent=parent, code=code or None)
    node.depth = parent.depth + 1 if parent else 0
    node.path = "0" * PATH_SEGMENT  # placeholder: the real path needs the id
    node.full_clean()
    node.save()
    node.path = (parent.path if parent else "") + str(node.pk).zfill(PATH_SEGMENT)
    Jurisdiction.objects.filter(pk=node.pk).update(path=node.path)
    audit.record_create(actor=actor, instance=node)
    return node


@transaction.atomic
def jurisdiction_update(*, actor, jurisdiction: Jurisdiction, name: str | None = None,
                        code: str | None = None) -> Jurisdiction:
    """Rename or recode a node. Its place in the tree never changes (paths stay valid)."""
    _require_admin(actor)
    _require_in_area(actor, [jurisdiction], "jurisdiction")
    before = audit.snapshot(jurisdiction)
    if name is not None:
        jurisdiction.name = name
    if code is not None:
        jurisdiction.code = code or None
    jurisdiction.full_clean()
    jurisdiction.save(update_fields=["name", "code"])
    audit.record_update(actor=actor, instance=jurisdiction, before=before)
    return jurisdiction


def jurisdiction_by_code(code: str, *, field: str = "code", queryset=None) -> Jurisdiction:
    """Resolve a division code (or a materialised id written '#123'); a clear error otherwise."""
    qs = queryset if queryset is not None else Jurisdiction.objects.all()
    code = (code or "").strip()
    if not code:
        raise ValidationError({field: _("A jurisdiction code is required.")})
    if code.startswith("#") and code[1:].isdigit():
        found = list(qs.filter(pk=int(code[1:]))[:2])
    elif not code.isdigit():
        raise ValidationError({field: _("“%(code)s” is not a division code (digits only).") % {
            "code": code}})
    else:
        found = list(qs.filter(code=code)[:2])
    if not found:
        raise ValidationError({field: _("Unknown jurisdiction code “%(code)s”.") % {"code": code}})
    return found[0]


# --- Organisations ------------------------------------------------------------------------

ORG_M2M = ("jurisdictions",)


def _check_organisation(org: Organisation, jurisdictions: list[Jurisdiction]) -> None:
    errors = {}
    if org.kind == OrgKind.REGULATOR and not org.regulator_type:
        errors["regulator_type"] = _("A regulator department needs its type.")
    if org.kind != OrgKind.REGULATOR and org.regulator_type:
        errors["regulator_type"] = _("Only a regulator department has a regulator type.")
    if org.kind == OrgKind.LPG_STATION:
        if org.parent is None:
            errors["parent"] = _("An LPG station belongs to an LPG company.")
        elif org.parent.kind != OrgKind.LPG_COMPANY:
            errors["parent"] = _("The parent of an LPG station must be an LPG company.")
    elif org.parent is not None:
        errors["parent"] = _("Only an LPG station has a parent company.")
    if not jurisdictions:
        errors["jurisdictions"] = _("An organisation covers at least one jurisdiction.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def organisation_create(*, actor, name: str, kind: str, jurisdictions: list[Jurisdiction],
                        regulator_type: str = "", parent: Organisation | None = None,
                        credit_code: str = "", is_active: bool = True) -> Organisation:
    _require_admin(actor)
    org = Organisation(name=name, kind=kind, regulator_type=regulator_type or "",
                       parent=parent, credit_code=credit_code or "", is_active=is_active)
    _check_organisation(org, jurisdictions)
    org.full_clean()
    _require_in_area(actor, jurisdictions, "jurisdictions")
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError:
        raise ValidationError({"name": _("An organisation of this kind with this name exists.")}) from None
    org.jurisdictions.set(jurisdictions)
    audit.record_create(actor=actor, instance=org, m2m=ORG_M2M)
    return org


@transaction.atomic
def organisation_update(*, actor, organisation: Organisation, **fields) -> Organisation:
    _require_admin(actor)
    before = audit.snapshot(organisation, ORG_M2M)
    jurisdictions = fields.pop("jurisdictions", None)
    for key, value in fields.items():
        if key not in {"name", "kind", "regulator_type", "parent", "credit_code", "is_active"}:
            raise ValidationError({key: _("This field cannot be changed.")})
        setattr(organisation, key, value)
    if jurisdictions is None:
        jurisdictions = list(organisation.jurisdictions.all())
    else:
        _require_in_area(actor, jurisdictions, "jurisdictions")
    if "kind" in fields and organisation.accounts.exists():
        for account in organisation.accounts.prefetch_related("role_rows"):
            _check_roles(organisation, account.roles)
    _check_organisation(organisation, jurisdictions)
    organisation.full_clean()
    organisation.save()
    organisation.jurisdictions.set(jurisdictions)
    audit.record_update(actor=actor, instance=organisation, before=before, m2m=ORG_M2M)
    return organisation


# --- Accounts -------------------------------------------------------------------------------

ACCOUNT_M2M = ("area", "roles")


def _check_roles(organisation: Organisation | None, roles: Iterable[str]) -> None:
    roles = list(roles)
    if not roles:
        raise ValidationError({"roles": _("Give the account at least one role.")})
    defined = contract.roles()
    unknown = [r for r in roles if r not in defined]
    if unknown:
        raise ValidationError({"roles": _("Unknown role: %(roles)s") % {"roles": ", ".join(unknown)}})
    if organisation is None:
        raise ValidationError({"organisation": _("An account belongs to an organisation.")})
    wrong = [r for r in roles if organisation.kind not in defined[r].org_kinds]
    if wrong:
        raise ValidationError({"roles": _(
            "%(roles)s cannot be given in a %(kind)s."
        ) % {"roles": "、".join(contract.role_label(r) for r in wrong),
             "kind": OrgKind(organisation.kind).label}})


def _require_accounts(actor) -> None:
    """The system administrator manages ordinary accounts, the security administrator every
    account (check_account_change says which)."""
    if actor is None:
        return
    require(actor, "core.accounts", _("Only a system or security administrator may do this."))


def check_account_change(*, actor, account: Account | None,
                         roles: Iterable[str] | None = None) -> None:
    """Separation of duties (三员分立), the one rule of the account pages, the API and the
    Django admin, for creating (`account` None) or changing an account, its roles (`roles`,
    None: unchanged), credentials or state:

    * no account holds two of system administrator, security administrator and auditor, and
      the security administrator and the auditor hold no other role (ValidationError, roles);
    * no account changes its own roles (ValidationError, roles);
    * an account that holds or is given one of those three roles is created and changed by a
      security administrator alone (PermissionDenied): a system administrator cannot make
      itself or anyone an auditor, nor reset the auditor's password or deactivate it. Being a
      superuser does not bypass this: the role is needed.
    """
    current = set(account.roles) if account is not None else set()
    new = set(roles) if roles is not None else current
    conflict = duties_conflict(new)
    if conflict:
        raise ValidationError({"roles": _(
            "These roles cannot be held by one account (separation of duties): %(roles)s"
        ) % {"roles": "、".join(str(contract.role_label(r)) for r in conflict)}})
    if actor is None:  # the system: the demo loader, data migrations
        return
    if account is not None and account.pk == actor.pk:
        if new != current:
            raise ValidationError({"roles": _("You cannot change your own roles.")})
        return
    if (current | new) & PRIVILEGED_ROLES and Role.SECURITY_ADMIN not in actor.roles:
        raise PermissionDenied(_(
            "Only a security administrator may manage an account holding the system "
            "administrator, security administrator or auditor role."))


def may_manage_account(actor, account: Account) -> bool:
    """Whether `actor` may change `account` at all (the pages offer its edit form)."""
    try:
        check_account_change(actor=actor, account=account)
    except (PermissionDenied, ValidationError):
        return False
    return True


def mark_manageable(actor, accounts: Iterable[Account]) -> None:
    """Set `manageable` on each of `accounts` (role rows prefetched): whether `actor` may
    open its edit form, so a list links only where it leads (never to a 403)."""
    for account in accounts:
        account.__dict__["roles"] = frozenset(row.role for row in account.role_rows.all())
        account.manageable = may_manage_account(actor, account)  # type: ignore[attr-defined]


def record_role_change(*, actor, account: Account, before: set[str], after: set[str]) -> None:
    """Every role given or taken: an audit row and a message to every active auditor. The
    system's own loading (actor None, a new account) is in the creation's audit row."""
    if before == after or (actor is None and not before):
        return
    from ranan.core.notify import notify

    given, taken = sorted(after - before), sorted(before - after)
    audit.record(actor=actor, action=AuditAction.ROLE_CHANGE, instance=account,
                 changes={"roles": [sorted(before), sorted(after)]},
                 details={"given": given, "taken": taken})
    labels = {code: str(contract.role_label(code)) for code in given + taken}
    subject = _("Roles of %(account)s changed") % {"account": account.username}
    body = _("%(actor)s changed the roles of %(account)s. Given: %(given)s. Taken: %(taken)s.") % {
        "actor": actor.username if actor is not None else "system", "account": account.username,
        "given": "、".join(labels[c] for c in given) or "—",
        "taken": "、".join(labels[c] for c in taken) or "—"}
    auditors = Account.objects.filter(is_active=True, role_rows__role=Role.AUDITOR).distinct()
    for auditor in auditors.order_by("pk"):
        notify(kind="role_change", subject=subject, body=body, to_account=auditor)


def _account_snapshot(account: Account) -> dict:
    data = audit.snapshot(account, ("area",))
    data["roles"] = sorted(account.role_rows.values_list("role", flat=True))
    data.pop("last_login", None)
    return data


def _set_roles(account: Account, roles: Iterable[str]) -> None:
    roles = set(roles)
    account.role_rows.exclude(role__in=roles).delete()
    existing = set(account.role_rows.values_list("role", flat=True))
    AccountRole.objects.bulk_create(
        [AccountRole(account=account, role=r) for r in sorted(roles - existing)]
    )
    account.__dict__.pop("roles", None)
    account.__dict__.pop("area_paths", None)


@transaction.atomic
def account_create(*, actor, username: str, password: str, organisation: Organisation | None,
                   roles: Iterable[str], area: list[Jurisdiction], full_name: str = "",
                   phone: str = "", email: str = "", check_password: bool = True,
                   hashed_password: str | None = None, is_active: bool = True,
                   language: str = "") -> Account:
    """Create an account. `hashed_password` (from make_password) lets a bulk loader hash one
    shared password once instead of once per account."""
    _require_accounts(actor)
    roles = list(roles)
    _check_roles(organisation, roles)
    check_account_change(actor=actor, account=None, roles=roles)
    if not area:
        raise ValidationError({"area": _("Give the account an area (at least one jurisdiction).")})
    _require_in_area(actor, area, "area")
    if Account.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    account = Account(username=username, organisation=organisation, full_name=full_name,
                      phone=phone, email=email, is_active=is_active, language=language or "")
    if check_password:
        try:
            validate_password(password, account)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
    if hashed_password:
        account.password = hashed_password
    else:
        account.set_password(password)
    account.full_clean()
    try:
        # A concurrent request may have taken the name since the check above: the unique
        # index decides, and the loser gets the same clear answer.
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise ValidationError({"username": _("This username is taken.")}) from None
    account.area.set(area)
    _set_roles(account, roles)
    changes = audit.diff({}, _account_snapshot(account))
    audit.record(actor=actor, action="create", instance=account, changes=changes)
    record_role_change(actor=actor, account=account, before=set(), after=set(roles))
    return account


@transaction.atomic
def account_update(*, actor, account: Account, **fields) -> Account:
    _require_accounts(actor)
    check_account_change(actor=actor, account=account, roles=fields.get("roles"))
    if actor is not None and actor.pk == account.pk and fields.get("is_active") is False:
        raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
    before = _account_snapshot(account)
    roles = fields.pop("roles", None)
    area = fields.pop("area", None)
    password = fields.pop("password", None)
    for key, value in fields.items():
        if key not in {"full_name", "phone", "email", "organisation", "is_active", "language"}:
            raise ValidationError({key: _("This field cannot be changed.")})
        setattr(account, key, value)
    _check_roles(account.organisation, roles if roles is not None else account.roles)
    if area is not None:
        if not area:
            raise ValidationError({"area": _("Give the account an area (at least one jurisdiction).")})
        _require_in_area(actor, area, "area")
    if password:
        try:
            validate_password(password, account)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
        account.set_password(password)
    account.full_clean()
    account.save()
    if area is not None:
        account.area.set(area)
    if roles is not None:
        _set_roles(account, roles)
    changes = audit.diff(before, _account_snapshot(account))
    if changes:
        audit.record(actor=actor, action="update", instance=account, changes=changes)
    record_role_change(actor=actor, account=account, before=set(before["roles"]),
                        after=set(account.roles))
    return account


@transaction.atomic
def account_set_language(*, actor, language: str) -> None:
    """A user's own language choice (no admin right needed; audited like every write)."""
    before = audit.snapshot(actor)
    Account.objects.filter(pk=actor.pk).update(language=language)
    actor.language = language
    audit.record_update(actor=actor, instance=actor, before=before)
