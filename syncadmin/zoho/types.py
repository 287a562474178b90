"""Plain data the clients return. No framework types cross this boundary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def parse_time(value: str | None) -> datetime | None:
    """CRM ("…-11:00") and Books ("…+0530") timestamps; empty → None."""
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    expires_in: int
    api_domain: str
    scope: str = ""
    refresh_token: str | None = None  # only on a first offline grant or with prompt=consent


@dataclass(frozen=True)
class ZohoUser:
    id: str
    name: str
    email: str
    active: bool


@dataclass(frozen=True)
class CrmRecord:
    module: str
    id: str
    fields: dict[str, Any]
    modified_time: datetime | None

    @classmethod
    def from_api(cls, module: str, data: dict[str, Any]) -> CrmRecord:
        return cls(module, str(data["id"]), data, parse_time(data.get("Modified_Time")))


@dataclass(frozen=True)
class RecordResult:
    """One element of a CRM bulk write answer, in input order."""

    ok: bool
    id: str | None
    code: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DeletedRecord:
    """One element of CRM's ``GET /{module}/deleted``: a record in the recycle bin
    (``type`` "recycle") or purged ("permanent"), merged-away children included."""

    module: str
    id: str
    deleted_time: datetime | None
    type: str
    display_name: str

    @classmethod
    def from_api(cls, module: str, data: dict[str, Any]) -> DeletedRecord:
        return cls(
            module=module,
            id=str(data["id"]),
            deleted_time=parse_time(data.get("deleted_time")),
            type=str(data.get("type") or ""),
            display_name=str(data.get("display_name") or ""),
        )


@dataclass(frozen=True)
class Organization:
    organization_id: str
    name: str
    currency_code: str
    is_default: bool
    country: str = ""  # Books answers the country; it decides the mandatory tax fields


@dataclass(frozen=True)
class BooksContact:
    contact_id: str
    contact_name: str
    status: str
    data: dict[str, Any]
    last_modified_time: datetime | None

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> BooksContact:
        return cls(
            contact_id=str(data["contact_id"]),
            contact_name=data.get("contact_name", ""),
            status=data.get("status", "active"),
            data=data,
            last_modified_time=parse_time(data.get("last_modified_time")),
        )

    @property
    def zcrm_account_id(self) -> str:
        return self.data.get("zcrm_account_id") or ""

    @property
    def zcrm_contact_id(self) -> str:
        return self.data.get("zcrm_contact_id") or ""
