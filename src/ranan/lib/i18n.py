"""Language helpers for pages that show data in the reader's language."""

from django.utils import translation


def english() -> bool:
    """The page is being shown in English (labels stored in both languages pick English)."""
    return (translation.get_language() or "").startswith("en")
