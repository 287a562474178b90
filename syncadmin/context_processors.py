"""Context every page needs: the user's role and the connection banner."""

from django.http import HttpRequest

from syncadmin import selectors
from syncadmin.access import role_of


def shell(request: HttpRequest) -> dict:
    if not request.user.is_authenticated:
        return {}
    return {
        "user_role": role_of(request.user),
        "connection_problems": selectors.connection_problem_list(),
    }
