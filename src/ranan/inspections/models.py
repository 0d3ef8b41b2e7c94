"""Household inspections: versioned checklists, visits (never edited: a correction is a new
visit pointing at the original), their answers, photos and findings, the measures taken for
households never reached (valve shut off, referral to law enforcement), inspection cycles
inherited down the jurisdiction tree, and plans with their targets."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ranan.core.models import Account, Jurisdiction, Organisation, ScopedQuerySet, ScopeSpec
from ranan.customers.choices import DeviceKind
from ranan.customers.models import Customer
from ranan.inspections.choices import (
    AnswerType,
    Audience,
    Grade,
    HazardCategory,
    KindGroup,
    MeasureKind,
    Outcome,
    ReferralOutcome,
    ReferralState,
    ReferralStep,
    VisitKind,
)
from ranan.lib.appendonly import AppendOnlyModel


class Checklist(models.Model):
    """One version of a checklist. A published version is never changed: editing makes the
    next version (`services.checklist_new_version`); visits keep the version they used."""

    key = models.SlugField(_("key"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=100)
    audience = models.CharField(_("for"), max_length=20, choices=Audience.choices)
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["key", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"],
                                               name="checklist_key_version")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.SlugField(_("code"), max_length=40)
    question = models.CharField(_("question (Chinese)"), max_length=200)
    question_en = models.CharField(_("question (English)"), max_length=200)
    answer_type = models.CharField(_("answer type"), max_length=10, choices=AnswerType.choices,
                                   default=AnswerType.PASS_FAIL)
    # A number fails above `fail_above` (hose longer than 2 m) or below `fail_below`.
    fail_above = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    fail_below = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    # A choice: [{"value", "label", "label_en", "fails": bool}]
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)
    photo_on_fail = models.BooleanField(_("photo required on fail"), default=False)
    hazard_category = models.CharField(_("hazard category"), max_length=30,
                                       choices=HazardCategory.choices, blank=True)
    default_grade = models.CharField(_("default grade"), max_length=10, choices=Grade.choices,
                                     blank=True)
    # The part a fix on the spot installs (a metal hose, a regulator with cut-off …).
    fix_part = models.CharField(_("part a fix installs"), max_length=20,
                                choices=DeviceKind.choices, blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["checklist", "position"]
        constraints = [models.UniqueConstraint(fields=["checklist", "code"],
                                               name="checklist_item_code")]

    def __str__(self) -> str:
        return self.question

    def finding_text(self, value: str) -> str:
        """What a failed answer says in a finding's description (Chinese, as the notice):
        "连接软管类型：橡胶软管", not the stored value "rubber"."""
        if self.answer_type == "pass_fail":
            shown = "不合格" if value == "fail" else value
        elif self.answer_type == "choice":
            shown = next((c.get("label") or value for c in self.choices
                          if c.get("value") == value), value)
        else:
            shown = f"{value}{self.unit}"
        return f"{self.question}：{shown}"[:300]


class Visit(AppendOnlyModel):
    """One visit to a customer. `jpath` copies the customer's path (scoping and area lists are
    one range scan); `corrects` points at the visit this one corrects (that one then no longer
    counts)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="visits")
    jpath = models.CharField(max_length=64, editable=False)
    inspector = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="visits")
    kind = models.CharField(_("kind"), max_length=10, choices=VisitKind.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    checklist = models.ForeignKey(Checklist, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="visits")
    signature = models.FileField(upload_to="signatures/%Y/%m/", blank=True)
    notes = models.CharField(_("notes"), max_length=1000, blank=True)
    client_id = models.UUIDField(unique=True)
    corrects = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="correction")
    plan = models.ForeignKey("Plan", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="visits")
    failed_count = models.PositiveSmallIntegerField(default=0)
    fixed_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(path="jpath", enterprise=("customer__gas_company", "customer__lpg_station"))

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["jpath", "started_at"], name="visit_area_time"),
            models.Index(fields=["customer", "started_at"], name="visit_customer_time"),
            models.Index(fields=["inspector", "started_at"], name="visit_inspector_time"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.started_at:%Y-%m-%d} {self.outcome}"


class Answer(AppendOnlyModel):
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(max_length=40)
    failed = models.BooleanField(default=False)
    fixed = models.BooleanField(default=False)
    part = models.CharField(max_length=20, choices=DeviceKind.choices, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["visit", "item__position"]
        constraints = [models.UniqueConstraint(fields=["visit", "item"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.item_id}={self.value}"


class Photo(AppendOnlyModel):
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="photos")
    item = models.ForeignKey(ChecklistItem, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    image = models.FileField(upload_to="visits/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.sha256[:12]


class Finding(AppendOnlyModel):
    """A failed item not fixed on the spot: the plain record the hazards issue takes over."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="findings")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="findings")
    jpath = models.CharField(max_length=64, editable=False)
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=30, choices=HazardCategory.choices)
    grade = models.CharField(max_length=10, choices=Grade.choices)
    description = models.CharField(max_length=300)
    found_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(path="jpath", enterprise=("customer__gas_company", "customer__lpg_station"))

    class Meta:
        ordering = ["-found_at", "-id"]
        indexes = [models.Index(fields=["jpath", "found_at"], name="finding_area_time")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.category} {self.grade}"


class Measure(AppendOnlyModel):
    """A valve shut off (or removed and sealed) for a household never reached, a referral to
    law enforcement of one that refuses to fix a hazard (to an organisation), or supply
    restored (resting on the completed visit since the shut-off): who, when, to whom, why
    (the note) and, for a shut-off or a seal, the photo of the sealed valve."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="measures")
    jpath = models.CharField(max_length=64, editable=False)
    kind = models.CharField(_("measure"), max_length=20, choices=MeasureKind.choices)
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    department = models.CharField(_("referred to"), max_length=100, blank=True)
    organisation = models.ForeignKey(Organisation, verbose_name=_("referred to"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    # A restore rests on the completed inspection since the shut-off.
    visit = models.ForeignKey("Visit", verbose_name=_("visit"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    # The photo of the valve shut off or sealed (required for those two), stored like a
    # visit's photos (under its content hash, served only to accounts that see the measure).
    photo = models.FileField(_("photo"), upload_to="measures/%Y/%m/", blank=True)
    photo_sha256 = models.CharField(max_length=64, blank=True)
    # What the customer's status was before this measure stopped the supply: put back when
    # the measure is voided.
    prior_status = models.CharField(max_length=20, blank=True)
    prior_status_date = models.DateField(null=True, blank=True)
    # A measure recorded by mistake is voided by its author within a short time
    # (`services.measure_void`, MEASURE_VOID_MINUTES) with a reason: the only change a
    # measure ever takes, set once; a voided measure no longer counts anywhere.
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    voided_by = models.ForeignKey(Account, verbose_name=_("voided by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    void_reason = models.CharField(_("why voided"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(path="jpath", enterprise=("customer__gas_company", "customer__lpg_station"))

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["jpath", "kind"], name="measure_area_kind")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind} {self.at:%Y-%m-%d}"


class Cycle(models.Model):
    """How often a kind of customer is inspected in a jurisdiction and below (the nearest
    jurisdiction up the tree that sets one wins; a customer kind beats its group)."""

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE,
                                     related_name="inspection_cycles")
    applies_to = models.CharField(_("applies to"), max_length=20)
    months = models.PositiveSmallIntegerField(
        _("every (months)"), validators=[MinValueValidator(1), MaxValueValidator(120)])

    class Meta:
        verbose_name = _("inspection cycle")
        verbose_name_plural = _("inspection cycles")
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "applies_to"],
                                               name="cycle_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.applies_to} {self.months}"


DEFAULT_CYCLE_MONTHS = {KindGroup.RESIDENTIAL: 24, KindGroup.NON_RESIDENTIAL: 12}


class Plan(models.Model):
    """An inspection plan for a jurisdiction and a period; its targets are the customers due."""

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    jpath = models.CharField(max_length=64, editable=False)
    title = models.CharField(_("title"), max_length=100)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    created_by = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(path="jpath")

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["-start", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(end__gte=models.F("start")),
                                              name="plan_period_order")]

    def __str__(self) -> str:
        return self.title


class Target(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    jpath = models.CharField(max_length=64)
    assignee = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="targets")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "customer"], name="target_once")]
        indexes = [models.Index(fields=["assignee", "plan"], name="target_assignee"),
                   models.Index(fields=["plan", "jpath"], name="target_plan_area")]


    def __str__(self) -> str:
        return f"{self.plan_id}:{self.customer_id}"


class Referral(models.Model):
    """A referral for enforcement (执法移交) to a department: the department's accounts accept
    it, record the outcome and close it; left unanswered it climbs its ladder (`step`, see
    choices.REFERRAL_STEP_DAYS) like an overdue hazard. The referral's measure is the
    append-only record of the referral itself; state changes are audited."""

    measure = models.OneToOneField(Measure, on_delete=models.PROTECT, related_name="referral")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="referrals")
    jpath = models.CharField(max_length=64, editable=False)
    organisation = models.ForeignKey(Organisation, verbose_name=_("department"),
                                     on_delete=models.PROTECT, related_name="referrals")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"))
    state = models.CharField(_("state"), max_length=10, choices=ReferralState.choices,
                             default=ReferralState.SENT)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    outcome = models.CharField(_("outcome"), max_length=10, choices=ReferralOutcome.choices,
                               blank=True)
    outcome_note = models.CharField(_("what was done"), max_length=500, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    step = models.PositiveSmallIntegerField(_("escalation"), choices=ReferralStep.choices,
                                            default=ReferralStep.NONE)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(path="jpath", enterprise=("customer__gas_company", "customer__lpg_station"))

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["organisation", "state"], name="referral_org_state"),
                   models.Index(fields=["state", "sent_at"], name="referral_open")]

    def __str__(self) -> str:
        return f"{self.customer} → {self.organisation}"
