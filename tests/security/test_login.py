"""Point 5 of issue 11: login throttling on both login pages, strong passwords.

These failed before the fix: any number of wrong passwords could be tried, from one
address or against one user, on /accounts/login/ and on the Django admin's login; the
password validators were two of Django's four, at minimum length 8.
"""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LOGIN_PAGES = ["login", "admin:login"]


def attempt(page: str, username: str, password: str, address: str = "203.0.113.7"):
    return Client(REMOTE_ADDR=address).post(
        reverse(page), {"username": username, "password": password}
    )


@pytest.mark.parametrize("login_page", LOGIN_PAGES)
def test_a_user_is_locked_after_five_failures_even_from_many_addresses(login_page, settings):
    UserFactory(username="ada", password="right-horse-battery", is_staff=True)
    answers = [
        attempt(login_page, "ada", "wrong", address=f"198.51.100.{n}").status_code
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the fifth locks
    locked = attempt(login_page, "ada", "right-horse-battery", address="192.0.2.1")
    assert locked.status_code == 429


@pytest.mark.parametrize("login_page", LOGIN_PAGES)
def test_an_address_is_locked_after_five_failures_across_users(login_page, settings):
    UserFactory(username="fin", password="right-horse-battery", is_staff=True)
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(login_page, f"guess{n}", "wrong")
    assert attempt(login_page, "fin", "right-horse-battery").status_code == 429
    # The user is not locked out from elsewhere.
    assert attempt(login_page, "fin", "right-horse-battery", address="192.0.2.9").status_code == 302


def test_the_real_client_address_is_read_behind_the_trusted_proxy(settings):
    from django.test import RequestFactory

    from syncadmin.security import client_ip

    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1  # the client-written 6.6.6.6 is not believed
    assert client_ip(request) == "203.0.113.7"


def test_admins_see_lockouts_in_the_django_admin(admin_client_, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt("login", "mallory", "wrong")
    page = admin_client_.get(reverse("admin:axes_accessattempt_changelist"))
    assert page.status_code == 200 and "mallory" in page.content.decode()


@pytest.mark.parametrize(
    "password", ["short-pw-1", "password1234", "729461038572", "ada.lovelace.1815"]
)
def test_weak_passwords_are_refused(password):
    user = UserFactory.build(username="ada.lovelace", first_name="Ada", last_name="Lovelace")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_passphrase_is_accepted():
    validate_password("correct horse battery staple", UserFactory.build(username="ada"))
