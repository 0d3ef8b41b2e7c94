"""Stored reports: the numbered weekly briefing (工作简报) of a jurisdiction."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from ranan.core.models import Account, Jurisdiction, ScopedQuerySet, ScopeSpec


class Briefing(models.Model):
    """One issue ("第 N 期") of a jurisdiction's weekly briefing (the Qinghai seed is the model).

    Issues are numbered per jurisdiction from 1, one per week. The figures are computed once,
    when the issue is generated, and kept in `snapshot`: a briefing is a document that was
    sent, so downloading it again next month must show the same numbers even after late
    records changed the live KPIs.
    """

    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("jurisdiction"),
                                     on_delete=models.PROTECT, related_name="briefings")
    week_start = models.DateField(_("week (Monday)"))
    number = models.PositiveIntegerField(_("issue number"))
    created_by = models.ForeignKey(Account, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    snapshot = models.JSONField(_("figures"), default=dict)

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
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} 工作简报 第{self.number}期"

    @property
    def week_end(self) -> datetime.date:
        return self.week_start + datetime.timedelta(days=6)


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
