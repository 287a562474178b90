"""Context every page needs: the user's role and the connection banner."""

from django.http import HttpRequest

from syncadmin import selectors
from syncadmin.access import role_of


def shell(request: HttpRequest) -> dict:
    if not request.user.is_authenticated:
        return {}
    # Read once per request: {% render_table %} renders its template with the request,
    # which runs every context processor again.
    if not hasattr(request, "_syncadmin_shell"):
        request._syncadmin_shell = {
            "user_role": role_of(request.user),
            "connection_problems": selectors.connection_problem_list(),
        }
    return request._syncadmin_shell
