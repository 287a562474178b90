"""OAuth connections to Zoho CRM and Zoho Books."""

from dataclasses import dataclass

from django.conf import settings
from django.db import models

from syncadmin.encryption import EncryptedTextField


class Service(models.TextChoices):
    CRM = "crm", "Zoho CRM"
    BOOKS = "books", "Zoho Books"


class DataCentre(models.TextChoices):
    US = "com", "United States (zoho.com)"
    EU = "eu", "Europe (zoho.eu)"
    IN = "in", "India (zoho.in)"
    AU = "com.au", "Australia (zoho.com.au)"
    JP = "jp", "Japan (zoho.jp)"
    CA = "ca", "Canada (zohocloud.ca)"
    SA = "sa", "Saudi Arabia (zoho.sa)"
    CN = "com.cn", "China (zoho.com.cn)"
    UK = "uk", "United Kingdom (zoho.uk)"


class ConnectionStatus(models.TextChoices):
    NOT_CONNECTED = "not_connected", "Not connected"
    CONNECTED = "connected", "Connected"
    NEEDS_REAUTH = "needs_reauth", "Needs re-authorisation"
    USER_INACTIVE = "user_inactive", "Connecting user inactive"
    PAUSED = "paused", "Disconnected (sync paused)"


@dataclass(frozen=True)
class Banner:
    """What the banner on every page says about a connection that needs a person."""

    headline: str  # "Zoho Books: Connecting user inactive."
    summary: str  # what it means for the sync
    fix: str  # the link to the Connections page, where Zoho's reason and fix are shown


class Connection(models.Model):
    service = models.CharField(max_length=8, choices=Service.choices)
    data_centre = models.CharField(max_length=8, choices=DataCentre.choices)
    # Zoho tells us where the user lives (accounts-server on the callback, api_domain on
    # the token answer); we keep what it said rather than re-deriving it.
    accounts_server = models.URLField(blank=True)
    api_domain = models.URLField(blank=True)
    organization_id = models.CharField(max_length=40, blank=True)
    organization_name = models.CharField(max_length=200, blank=True)

    client_id = models.CharField(max_length=200)
    client_secret = EncryptedTextField(blank=True, null=True)
    refresh_token = EncryptedTextField(blank=True, null=True)
    access_token = EncryptedTextField(blank=True, null=True)
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    # Claimed with a conditional UPDATE by the one process refreshing the access token,
    # so Zoho's mint throttle never sees a stampede.
    refresh_claimed_until = models.DateTimeField(null=True, blank=True)
    scopes = models.TextField(blank=True)

    user_name = models.CharField(max_length=200, blank=True)
    user_email = models.EmailField(blank=True)
    zoho_user_id = models.CharField(max_length=40, blank=True)
    user_active = models.BooleanField(null=True)

    # Zoho does not say which plan or edition an organisation is on; the admin does, and
    # the shared API budget spends accordingly (conservative defaults).
    plan = models.CharField(
        max_length=16,
        default="standard",
        help_text="Books plan (free, standard, professional, premium, elite, ultimate) or "
        "CRM edition (free, standard, professional, enterprise, ultimate).",
    )
    daily_limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Books requests or CRM credits per day, when Zoho raised the plan's figure.",
    )

    status = models.CharField(
        max_length=16, choices=ConnectionStatus.choices, default=ConnectionStatus.NOT_CONNECTED
    )
    status_detail = models.TextField(blank=True)
    last_health_check_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    disconnected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "organization_id"],
                condition=~models.Q(organization_id=""),
                name="one_connection_per_service_org",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_service_display()} {self.organization_name or self.organization_id}"

    @property
    def banner(self) -> Banner:
        """The every-page banner, chosen by the status. ``status_detail`` (Zoho's reason and
        fix, which may itself say the mapping is kept) stays on the Connections page, so
        the banner, which says it after the fix, says it once."""
        if self.status == ConnectionStatus.USER_INACTIVE:
            who = self.user_email or "The connecting user"
            summary, fix = f"{who} is inactive in Zoho.", "Re-authorise as another user"
        else:
            summary, fix = "Zoho no longer accepts this connection.", "Re-authorise it"
        headline = f"{self.get_service_display()}: {self.get_status_display()}."
        return Banner(headline, f"{summary} Sync is paused for this connection.", fix)
