"""The audit log's rows in words, for the log's page and the auditor's home panel alike."""

from django import template

register = template.Library()


@register.filter
def audit_rows(entries):
    """`{% for row in entries|audit_rows %}`: `ranan.core.auditlog.describe` of the entries."""
    from ranan.core import auditlog

    return auditlog.describe(entries)
