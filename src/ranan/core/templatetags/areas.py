"""`{% area_picker %}`: the account's area as a <select> for a page's `jurisdiction` filter
(ranan.core.filters.area_options), in place of a box that wanted a raw division code."""

from django import template

from ranan.core.filters import area_options

register = template.Library()


@register.inclusion_tag("core/_area_picker.html", takes_context=True)
def area_picker(context, value="", name="jurisdiction", id="area", css="form-select", blank=None,
                label=""):
    """`blank`: the label of the empty choice (the account's whole area); None: the
    account's area is the default and no empty choice is offered."""
    user = context["request"].user
    return {"options": area_options(user, str(value or "")), "name": name, "id": id, "css": css,
            "blank": blank, "label": label}
