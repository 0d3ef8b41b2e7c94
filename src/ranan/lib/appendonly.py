"""Append-only rows: the history of a cylinder, a hazard, an order. A row is written once, in
the transaction of the change it records, and never edited nor deleted through the ORM."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models


class AppendOnlyModel(models.Model):
    """Refuses saving an existing row and deleting one. `append_only_message` says what the
    rows are ("The cylinder chain is append-only.")."""

    append_only_message = ""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied(self._refusal())
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(self._refusal())

    def _refusal(self) -> str:
        return self.append_only_message or (f"{type(self).__name__} rows are never edited "
                                            "nor deleted.")
