"""Zoho Accounts: users, OAuth clients, grant codes and tokens."""

from django.db import models


class DataCentre(models.TextChoices):
    US = "us", "US"
    EU = "eu", "EU"
    IN = "in", "India"
    AU = "au", "Australia"
    UK = "uk", "UK"


class SandboxUser(models.Model):
    zuid = models.CharField(max_length=20, unique=True)  # Zoho account id
    crm_user_id = models.CharField(max_length=19, unique=True)  # the `id` CRM shows for users
    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    full_name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    dc_location = models.CharField(max_length=4, choices=DataCentre, default=DataCentre.US)
    time_zone = models.CharField(max_length=50, default="UTC")  # CRM answers in this zone
    crm_org = models.ForeignKey(
        "sandbox.CrmOrg", null=True, blank=True, on_delete=models.SET_NULL, related_name="users"
    )
    crm_role = models.CharField(max_length=50, default="CEO")
    crm_profile = models.CharField(max_length=50, default="Administrator")

    def __str__(self) -> str:
        return self.email


class OAuthClient(models.Model):
    client_id = models.CharField(max_length=64, unique=True)
    client_secret = models.CharField(max_length=128)
    name = models.CharField(max_length=100, blank=True)
    redirect_uris = models.JSONField(default=list)  # exact-match list
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.client_id


class GrantCode(models.Model):
    code = models.CharField(max_length=120, unique=True)
    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE)
    user = models.ForeignKey(SandboxUser, on_delete=models.CASCADE)
    scopes = models.JSONField(default=list)
    redirect_uri = models.CharField(max_length=500)
    access_type = models.CharField(
        max_length=10, choices=[("offline", "offline"), ("online", "online")], default="online"
    )
    consent_prompted = models.BooleanField(default=False)  # prompt=consent
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # "max 10 grant codes per 10 min per client"
        indexes = [models.Index(fields=["client", "created_at"])]

    def __str__(self) -> str:
        return f"grant code for {self.user_id} ({self.client_id})"


class RefreshToken(models.Model):
    token = models.CharField(max_length=120, unique=True)
    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE)
    user = models.ForeignKey(SandboxUser, on_delete=models.CASCADE)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # "max 20 refresh tokens per user per client; the 21st deletes the oldest"
        indexes = [models.Index(fields=["user", "client", "created_at"])]

    def __str__(self) -> str:
        return f"refresh token {self.token[:12]}…"


class AccessToken(models.Model):
    token = models.CharField(max_length=120, unique=True)
    refresh_token = models.ForeignKey(
        RefreshToken, null=True, blank=True, on_delete=models.CASCADE, related_name="access_tokens"
    )
    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE)
    user = models.ForeignKey(SandboxUser, on_delete=models.CASCADE)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # mint rate (10 / 10 min) and active count (15) per refresh token
        indexes = [models.Index(fields=["refresh_token", "created_at"])]

    def __str__(self) -> str:
        return f"access token {self.token[:12]}…"
