"""OAuth scope matching, free of Django so it can be tested on its own."""

from collections.abc import Iterable

_WRITE_COVERS = {"create", "update", "write"}


def scope_covers(granted: str, required: str) -> bool:
    """Whether one granted scope allows `required`; case-insensitive, as Zoho is.

    `X.ALL` covers everything below X (`ZohoCRM.modules.ALL` ⊇ `ZohoCRM.modules.accounts.READ`,
    `ZohoCRM.settings.ALL` ⊇ `ZohoCRM.settings.automation_actions.READ`); `X.WRITE` covers
    `X.CREATE` and `X.UPDATE`; `ZohoBooks.fullaccess.all` covers every Books scope.
    """
    g, r = granted.lower().split("."), required.lower().split(".")
    if g == r:
        return True
    if g == ["zohobooks", "fullaccess", "all"]:
        return r[0] == "zohobooks"
    if g[-1] == "all":
        return r[: len(g) - 1] == g[:-1]
    if g[-1] == "write" and r[-1] in _WRITE_COVERS:
        return r[:-1] == g[:-1]
    return False


def has_scope(scopes: Iterable[str], required: str) -> bool:
    return any(scope_covers(granted, required) for granted in scopes)
