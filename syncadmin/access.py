"""Who may do what. Every view guards itself here; templates only hide what views refuse.

Roles are Django groups (admin, finance, sales) holding the capabilities listed in
``syncadmin.models.roles``; the ``0002_roles`` migration grants them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied

ROLES = ("admin", "finance", "sales")

User = AbstractBaseUser | AnonymousUser


def can(user: User, capability: str) -> bool:
    return bool(user.is_authenticated and user.has_perm(f"syncadmin.{capability}"))


def role_of(user: User) -> str:
    """The user's role name for display; superusers count as admin."""
    if getattr(user, "is_superuser", False):
        return "admin"
    names = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
    return next((role for role in ROLES if role in names), "no role")


def require(capability: str) -> Callable:
    """View decorator: 403 unless the signed-in user holds ``capability``.

    Anonymous users never get here: LoginRequiredMiddleware sends them to the login page.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not can(request.user, capability):
                raise PermissionDenied(f"Your role may not {capability.replace('_', ' ')}.")
            return view(request, *args, **kwargs)

        return guarded

    return decorator
