"""Core data: the jurisdiction tree, organisations, accounts with roles, the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ranan.core.choices import (
    ENTERPRISE_KINDS,
    AuditAction,
    Level,
    OrgKind,
    RegulatorType,
)

PATH_SEGMENT = 8  # digits per node in a materialised path: up to 10^8 nodes nationally


@dataclass(frozen=True)
class ScopeSpec:
    """How a model is placed in the world, for `core.scoping.visible`.

    path: lookup to a materialised jurisdiction path ("jurisdiction__path").
    enterprise: lookups to the organisation that owns the record, for enterprise staff.
    multi: the path lookup crosses a many-to-many relation (needs distinct()).
    """

    path: str
    enterprise: tuple[str, ...] = ()
    multi: bool = False


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        from ranan.core.scoping import visible

        return visible(self, user)


class Jurisdiction(models.Model):
    """A node of the administrative tree: province → city → district → township → village → grid.

    `path` is the materialised path of zero-padded ids from the root, so "everything under
    this district" is one range scan on an ordinary B-tree index (see `subtree_q`), on SQLite
    and PostgreSQL alike, with no recursion. Digits only, so collation never reorders it.
    """

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("division code"), max_length=12, unique=True, null=True, blank=True,
        validators=[RegexValidator(r"^[0-9]{2,12}$", _("A division code is 2 to 12 digits."))],
        help_text=_("National administrative division code, where one exists."),
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="children",
    )
    path = models.CharField(max_length=PATH_SEGMENT * 8, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(path="path")

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{2,12}$") | models.Q(code__isnull=True),
                name="jurisdiction_code_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestors(self):
        """Ancestors, root first, from the path alone (one query)."""
        ids = [int(self.path[i : i + PATH_SEGMENT]) for i in range(0, len(self.path), PATH_SEGMENT)]
        return Jurisdiction.objects.filter(pk__in=ids[:-1]).order_by("depth")

    def descendants(self, include_self: bool = False):
        qs = Jurisdiction.objects.filter(subtree_q("path", self.path))
        return qs if include_self else qs.exclude(pk=self.pk)

    @property
    def full_name(self) -> str:
        return " / ".join([a.name for a in self.ancestors()] + [self.name])


def path_upper_bound(path: str) -> str:
    """The smallest path greater than every path that starts with `path` (same width)."""
    return str(int(path) + 1).zfill(len(path))


def subtree_q(lookup: str, path: str) -> models.Q:
    """Q for rows whose `lookup` path lies in the subtree rooted at `path` (inclusive)."""
    return models.Q(**{f"{lookup}__gte": path, f"{lookup}__lt": path_upper_bound(path)})


class Organisation(models.Model):
    """A gas company, station, regulator department, local office or task force."""

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    regulator_type = models.CharField(
        _("regulator type"), max_length=20, choices=RegulatorType.choices, blank=True
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent company"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="branches",
        help_text=_("For an LPG station: the LPG company it belongs to."),
    )
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    jurisdictions = models.ManyToManyField(
        Jurisdiction, verbose_name=_("jurisdictions covered"), related_name="organisations"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(path="jurisdictions__path", enterprise=("pk", "parent"), multi=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "kind"], name="organisation_name_kind_unique"),
            models.CheckConstraint(
                condition=~models.Q(kind=OrgKind.REGULATOR) | ~models.Q(regulator_type=""),
                name="organisation_regulator_has_type",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_enterprise(self) -> bool:
        return self.kind in ENTERPRISE_KINDS

    def enterprise_ids(self) -> set[int]:
        """This enterprise and, for a company, its stations (only an LPG station has a parent
        company, so no other kind needs the query)."""
        if self.kind != OrgKind.LPG_COMPANY:
            return {self.pk}
        return {self.pk, *self.branches.values_list("pk", flat=True)}


class AccountManager(UserManager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


class Account(AbstractUser):
    """A person's login. Belongs to one organisation, holds roles, sees its area's subtree."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="accounts",
    )
    area = models.ManyToManyField(
        Jurisdiction, verbose_name=_("area"), related_name="accounts", blank=True
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    # Credentials (issue 16): a password change, reset, deactivation or re-enabling moves the
    # epoch, which is part of the session hash, so every older session ends (core.credentials).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True,
                                               editable=False)

    objects = AccountManager()  # type: ignore[misc]
    scope = ScopeSpec(
        path="area__path", enterprise=("organisation", "organisation__parent"), multi=True
    )

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def _get_session_auth_hash(self, secret=None) -> str:
        """Django's hash of the password, plus the epoch: a session made before the
        credentials changed (or before the account was disabled) no longer matches. (Django's
        get_session_auth_hash and its SECRET_KEY_FALLBACKS variant both call this.)"""
        from django.utils.crypto import salted_hmac

        return salted_hmac("ranan.core.Account.session", f"{self.password}:{self.session_epoch}",
                           secret=secret, algorithm="sha256").hexdigest()

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(self.role_rows.values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        from ranan.core.contract import role_label

        return [role_label(r) for r in sorted(self.roles)]

    @cached_property
    def area_paths(self) -> list[str]:
        return list(self.area.values_list("path", flat=True))


def role_choices():
    from ranan.core.contract import role_choices

    return role_choices()


class AccountRole(models.Model):
    """One role held by an account (an account may hold several)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="role_rows")
    # Every installed app's roles (the app contract); core's own are choices.Role.
    role = models.CharField(_("role"), max_length=20, choices=role_choices)

    class Meta:
        verbose_name = _("account role")
        verbose_name_plural = _("account roles")
        constraints = [
            models.UniqueConstraint(fields=["account", "role"], name="account_role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.account} – {self.get_role_display()}"

    def save(self, *args, **kwargs):
        # Separation of duties (三员分立) below the services too: a role row that would make
        # its account hold two of admin / security admin / auditor is refused (the services'
        # bulk writes check the same rule first, services.check_account_change).
        from ranan.core.choices import duties_conflict

        others = set(AccountRole.objects.filter(account_id=self.account_id)
                     .exclude(pk=self.pk).values_list("role", flat=True))
        if duties_conflict(others | {self.role}):
            raise ValidationError({"role": _("This role cannot be held with the account's "
                                             "other roles (separation of duties).")})
        super().save(*args, **kwargs)


class AuditQuerySet(models.QuerySet):
    # Append-only: the ORM refuses bulk changes; the database refuses UPDATE (both engines)
    # and DELETE (PostgreSQL) with triggers, see migration 0002.
    def update(self, **kwargs):
        raise PermissionDenied("The audit log is append-only.")

    def delete(self):
        raise PermissionDenied("The audit log is append-only.")


class AuditEntry(models.Model):
    """One line of the append-only audit log: a change, a login, an export of personal data."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.DO_NOTHING, db_constraint=False,
        null=True, blank=True, related_name="+",
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    model = models.CharField(_("record type"), max_length=100, blank=True, db_index=True)
    object_pk = models.CharField(_("record id"), max_length=64, blank=True)
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
            models.Index(fields=["model", "object_pk"], name="audit_model_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.model}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionDenied("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The audit log is append-only.")


class Message(models.Model):
    """The outbox: every notification Ranan sends, kept whatever the channel. `notify()`
    writes it in the caller's transaction; the worker delivers it after commit. It goes to
    an account, an organisation's accounts, or a phone number (`to_phone`)."""

    to_account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="messages")
    to_organisation = models.ForeignKey(Organisation, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="messages")
    # A person without an account (a resident told of an appointment): sent by SMS.
    to_phone = models.CharField(_("phone"), max_length=20, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    kind = models.CharField(_("kind"), max_length=50, db_index=True)
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=20, default="console")
    # Delivery: pending until sent; a failure is retried with a growing pause, then failed.
    status = models.CharField(_("delivery"), max_length=10, default="pending", db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="message_due")]

    def __str__(self) -> str:
        return self.subject


class KpiChange(models.Model):
    """A change under a jurisdiction, for the stored KPI figures: database triggers on the
    tables the KPIs count (each app installs its own with `core.kpi_triggers`) insert one row
    for the node of every written record and for each of its ancestors, in the writing
    transaction, whatever wrote it (a service, a bulk update, a COPY import). A node's version
    is the sum of its rows' weights: it moves when such a transaction commits, and only then.
    Inserting (never updating a shared row) keeps writers from queueing on the province's row;
    the hourly job folds the rows of each node into one (`reports.figures.compact`)."""

    path = models.CharField(max_length=64)
    weight = models.BigIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["path", "weight"], name="kpichange_path_weight")]

    def __str__(self) -> str:
        return f"{self.path}+{self.weight}"


class PersonalDataExport(models.Model):
    """A request for an export with full phone and ID numbers (PIPL, issue 16): a reason and
    the list's filters; a second account approves or refuses it; its requester downloads the
    file once, within 24 hours of the approval (core.privacy)."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        DOWNLOADED = "downloaded", _("Downloaded")

    requested_by = models.ForeignKey(Account, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    reason = models.CharField(_("reason"), max_length=200)
    scope = models.JSONField(_("filters"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices,
                             default=State.REQUESTED)
    decided_by = models.ForeignKey(Account, verbose_name=_("approved or refused by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("approved or refused at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("download until"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("downloaded at"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal data export")
        verbose_name_plural = _("personal data exports")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.requested_by}"
