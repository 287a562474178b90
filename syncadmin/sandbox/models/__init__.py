from .accounts import AccessToken, GrantCode, OAuthClient, RefreshToken, SandboxUser
from .books import (
    BooksContact,
    BooksContactPerson,
    BooksInvoice,
    BooksOrg,
    BooksUniqueValue,
    NativeSyncLink,
    NativeSyncRun,
)
from .control import ApiCall, Knobs
from .crm import (
    CrmField,
    CrmOrg,
    CrmRecord,
    WatchChannel,
    WatchNotification,
    WebhookDelivery,
    WebhookRule,
)

__all__ = [
    "AccessToken",
    "ApiCall",
    "BooksContact",
    "BooksContactPerson",
    "BooksInvoice",
    "BooksOrg",
    "BooksUniqueValue",
    "CrmField",
    "CrmOrg",
    "CrmRecord",
    "GrantCode",
    "Knobs",
    "NativeSyncLink",
    "NativeSyncRun",
    "OAuthClient",
    "RefreshToken",
    "SandboxUser",
    "WatchChannel",
    "WatchNotification",
    "WebhookDelivery",
    "WebhookRule",
]
