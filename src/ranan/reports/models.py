"""Stored reports: the numbered weekly briefing (工作简报) of a jurisdiction."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from ranan.core.models import Account, Jurisdiction, ScopedQuerySet, ScopeSpec
from ranan.reports.choices import BriefingState

# Lengths of the briefing's text (the services name the field when one is exceeded).
TITLE_MAX = 120
DRAFTER_MAX = 60
ISSUER_MAX = 120


class Briefing(models.Model):
    """One issue ("第 N 期") of a jurisdiction's weekly briefing (the Qinghai seed is the model).

    A briefing is first a draft: generating it computes the figures once and keeps them in
    `snapshot` (a document that was sent must show the same numbers next month, whatever
    late records changed the live KPIs). The task force then writes its own text on the
    draft: the title, the lead (导语), a note per child area of the briefing, the recipients
    (抄报 reported up to, 抄送 copied to) and the drafter (拟稿人). Issuing it freezes the
    whole document.

    The issue number is taken when the draft is issued, not when it is generated: a draft is
    not an issue yet, so drafts can be generated (one per week), left and edited in any order
    while the issued numbers stay consecutive, without gaps, in the order they were sent. The
    number continues from the highest issued one, or from the jurisdiction's configured start
    (`BriefingSetting.first_number`: the Qinghai task force is at 54) when that is higher.
    Drafts have no number; an issued briefing always has one (a constraint says so), unique
    per jurisdiction.
    """

    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("jurisdiction"),
                                     on_delete=models.PROTECT, related_name="briefings")
    week_start = models.DateField(_("week (Monday)"))
    state = models.CharField(_("state"), max_length=8, choices=BriefingState.choices,
                             default=BriefingState.DRAFT)
    number = models.PositiveIntegerField(_("issue number"), null=True, blank=True)
    created_by = models.ForeignKey(Account, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    snapshot = models.JSONField(_("figures"), default=dict)
    # The task force's text. An empty title reads as the default one (in the reader's
    # language); `notes` maps a child area's id (as a string) to its note.
    title = models.CharField(_("title"), max_length=TITLE_MAX, blank=True)
    lead = models.TextField(_("lead"), blank=True)
    notes = models.JSONField(_("notes by area"), default=dict, blank=True)
    reported_to = models.JSONField(_("reported to (抄报)"), default=list, blank=True)
    copied_to = models.JSONField(_("copied to (抄送)"), default=list, blank=True)
    drafter = models.CharField(_("drafter (拟稿人)"), max_length=DRAFTER_MAX, blank=True)
    # The issuing body as printed, copied from the jurisdiction's setting when issued (blank:
    # "<area> gas safety task force"), so a later change of the setting leaves it as sent.
    issuer = models.CharField(_("issuing body"), max_length=ISSUER_MAX, blank=True)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    issued_by = models.ForeignKey(Account, verbose_name=_("issued by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(path="jurisdiction__path")

    class Meta:
        verbose_name = _("weekly briefing")
        verbose_name_plural = _("weekly briefings")
        ordering = ["-week_start", "-number"]
        constraints = [
            # The last line against two issues with one number (concurrent generation) and
            # two issues of one week.
            models.UniqueConstraint(fields=["jurisdiction", "number"],
                                    name="briefing_jurisdiction_number"),
            models.UniqueConstraint(fields=["jurisdiction", "week_start"],
                                    name="briefing_jurisdiction_week"),
            models.CheckConstraint(condition=models.Q(number__gte=1),
                                   name="briefing_number_positive"),
            # An issued briefing has its number and its date; a draft has neither.
            models.CheckConstraint(
                condition=(models.Q(state=BriefingState.ISSUED, number__isnull=False,
                                    issued_at__isnull=False)
                           | models.Q(state=BriefingState.DRAFT, number__isnull=True,
                                      issued_at__isnull=True)),
                name="briefing_issued_numbered"),
        ]

    def __str__(self) -> str:
        if self.number is None:
            return f"{self.jurisdiction} 工作简报（草稿）{self.week_start:%Y-%m-%d}"
        return f"{self.jurisdiction} 工作简报 第{self.number}期"

    @property
    def week_end(self) -> datetime.date:
        return self.week_start + datetime.timedelta(days=6)

    @property
    def is_draft(self) -> bool:
        return self.state == BriefingState.DRAFT

    def area_ids(self) -> list[str]:
        """The ids (strings) of the child areas shown in the briefing: those a note may name."""
        return [str(c["id"]) for c in (self.snapshot or {}).get("children", [])]


class BriefingSetting(models.Model):
    """How one jurisdiction's briefing is numbered and signed, kept by its task force: the
    number its next issue starts from when none higher was issued (a task force that used
    paper until issue 53 starts Ranan at 54) and the issuing body printed under the masthead
    (blank: "<area> gas safety task force")."""

    jurisdiction = models.OneToOneField(Jurisdiction, verbose_name=_("jurisdiction"),
                                        on_delete=models.PROTECT,
                                        related_name="briefing_setting")
    first_number = models.PositiveIntegerField(_("first issue number"), default=1)
    issuer = models.CharField(_("issuing body"), max_length=ISSUER_MAX, blank=True)
    updated_by = models.ForeignKey(Account, verbose_name=_("updated by"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(path="jurisdiction__path")

    class Meta:
        verbose_name = _("briefing setting")
        verbose_name_plural = _("briefing settings")
        constraints = [models.CheckConstraint(condition=models.Q(first_number__gte=1),
                                              name="briefing_setting_first_number")]

    def __str__(self) -> str:
        return f"{self.jurisdiction} 工作简报 起始第{self.first_number}期"


class Figure(models.Model):
    """The KPI counts of one jurisdiction's subtree for one period, as of one day (issue 8's
    summary table). `direct` counts the records attached to the node itself, `counts` those
    of the whole subtree (direct + the children's counts): a change deep in the tree makes
    only its chain of ancestors stale, and they are recomputed from the direct counts of the
    stale nodes and the stored counts of their current children. `version` is the node's
    version (the sum of its core.KpiChange weights) read before the counting. Proven equal to the raw
    figures by tests/reports/test_figures.py."""

    path = models.CharField(max_length=64)
    start = models.DateField()
    end = models.DateField()
    asof = models.DateField()
    version = models.BigIntegerField()
    schema = models.CharField(max_length=16, default="")  # figures.SCHEMA when computed
    direct = models.JSONField(default=dict)
    counts = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["start", "end", "asof", "path"],
                                               name="figure_period_path")]

    def __str__(self) -> str:
        return f"{self.path} {self.start}–{self.end} as of {self.asof}"
