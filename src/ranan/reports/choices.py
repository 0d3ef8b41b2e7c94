"""Choices of the reports app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BriefingState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


BRIEFING_STATE_COLOURS = {BriefingState.DRAFT: "yellow", BriefingState.ISSUED: "green"}
