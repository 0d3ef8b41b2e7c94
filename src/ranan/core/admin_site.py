"""The Django admin is for superusers only (staff flags alone never open it)."""


def restrict_admin_to_superusers(site) -> None:
    site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
