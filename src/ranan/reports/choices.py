"""Choices of the reports app."""

from django.db import models
from django.utils.translation import pgettext_lazy


class BriefingState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("briefing", "Draft")
    ISSUED = "issued", pgettext_lazy("briefing", "Issued")


BRIEFING_STATE_COLOURS = {BriefingState.DRAFT: "yellow", BriefingState.ISSUED: "green"}
