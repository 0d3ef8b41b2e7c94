from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def page_url(context, page_number):
    """The current query string with `page` replaced."""
    params = context["request"].GET.copy()
    params["page"] = page_number
    return "?" + params.urlencode()


@register.filter
def pair(first, second):
    """A (first, second) tuple, to look up cells of a two-way table with get_item."""
    return (first, second)


@register.filter
def can(user, capability):
    """`{% if user|can:"reports.statement" %}`: the permission table, for a link or a button
    (ranan.core.permissions.can)."""
    from ranan.core.permissions import can as holds

    return holds(user, capability)


@register.filter
def mask_phone(value):
    """A phone number as personal data is shown: 138****5678 (lib.masking)."""
    from ranan.lib.masking import mask_phone as masked

    return masked(value or "")
