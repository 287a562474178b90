"""Point 4 of issue 11: transport security on by default, CSP, a working-day session.

These failed before the fix: production defaulted to insecure cookies, no HSTS and no
SSL redirect, `check --deploy` warned, the OAuth redirect URI followed the Host header,
there was no Content-Security-Policy and sessions lasted two weeks.
"""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from syncadmin.connections.oauth import ConnectError, redirect_uri
from tests.security.conftest import PRODUCTION_ENV, manage


def test_production_defaults_to_https_only(load_settings):
    loaded = load_settings(**PRODUCTION_ENV)
    assert loaded["SESSION_COOKIE_SECURE"] and loaded["CSRF_COOKIE_SECURE"]
    assert loaded["SECURE_SSL_REDIRECT"]
    assert loaded["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert loaded["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and loaded["SECURE_HSTS_PRELOAD"]
    assert loaded["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_proxy_header_is_trusted_only_when_configured(load_settings):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECURE_PROXY_SSL_HEADER"}
    assert load_settings(**env)["SECURE_PROXY_SSL_HEADER"] is None


def test_sessions_last_a_working_day(load_settings):
    assert load_settings(**PRODUCTION_ENV)["SESSION_COOKIE_AGE"] <= 10 * 3600


def test_check_deploy_is_clean_with_the_documented_production_variables(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV,
                    var_dir=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_redirect_uri_comes_from_the_setting_not_the_host_header(zoho, admin_client_, settings):
    settings.ALLOWED_HOSTS = ["attacker.example", "testserver"]
    settings.ZOHO_REDIRECT_URI = "https://syncadmin.example.com/connections/oauth/callback/"
    response = admin_client_.post(
        reverse("connection-connect", args=["crm"]),
        {"data_centre": "eu"},
        HTTP_HOST="attacker.example",
    )
    sent = parse_qs(urlsplit(response["Location"]).query)["redirect_uri"]
    assert sent == [settings.ZOHO_REDIRECT_URI]


def test_production_without_a_redirect_uri_refuses_to_connect(settings):
    settings.PRODUCTION, settings.ZOHO_REDIRECT_URI = True, ""
    with pytest.raises(ConnectError, match="ZOHO_REDIRECT_URI"):
        redirect_uri(lambda path: f"https://attacker.example{path}")


def test_pages_carry_a_strict_content_security_policy(admin_client_):
    policy = admin_client_.get(reverse("overview"))["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe" not in policy


def test_htmx_injects_no_style_and_evaluates_nothing(admin_client_):
    page = admin_client_.get(reverse("overview")).content.decode()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    config = json.loads(meta.group(1))
    assert config["includeIndicatorStyles"] is False and config["allowEval"] is False


def test_production_refuses_a_plain_http_redirect_uri(load_settings):
    plain = {**PRODUCTION_ENV, "ZOHO_REDIRECT_URI": "http://syncadmin.example.com/cb/"}
    with pytest.raises(ImproperlyConfigured, match="ZOHO_REDIRECT_URI"):
        load_settings(**plain)
