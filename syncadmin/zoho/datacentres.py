"""Zoho data centres: where a user's accounts server and API domain live (zoho-api.md §1.1)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataCentre:
    code: str
    accounts_url: str
    api_domain: str


DATA_CENTRES = {
    dc.code: dc
    for dc in [
        DataCentre("com", "https://accounts.zoho.com", "https://www.zohoapis.com"),
        DataCentre("eu", "https://accounts.zoho.eu", "https://www.zohoapis.eu"),
        DataCentre("in", "https://accounts.zoho.in", "https://www.zohoapis.in"),
        DataCentre("com.au", "https://accounts.zoho.com.au", "https://www.zohoapis.com.au"),
        DataCentre("jp", "https://accounts.zoho.jp", "https://www.zohoapis.jp"),
        # Canada's accounts server is zohocloud.ca, not zoho.ca.
        DataCentre("ca", "https://accounts.zohocloud.ca", "https://www.zohoapis.ca"),
        DataCentre("sa", "https://accounts.zoho.sa", "https://www.zohoapis.sa"),
        DataCentre("com.cn", "https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"),
        DataCentre("uk", "https://accounts.zoho.uk", "https://www.zohoapis.uk"),
    ]
}


def accounts_url_for(code: str, *, override: str = "") -> str:
    """The accounts server to start an authorisation at; ``override`` wins when set."""
    return override.rstrip("/") if override else DATA_CENTRES[code].accounts_url


# Zoho's ``location`` on the OAuth callback names the user's data centre.
LOCATIONS = {"us": "com", "au": "com.au", "cn": "com.cn"}


def data_centre_for_location(location: str, *, default: str) -> str:
    code = LOCATIONS.get(location.lower(), location.lower())
    return code if code in DATA_CENTRES else default
