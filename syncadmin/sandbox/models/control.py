"""Simulator controls (knobs) and the log of every API call the sandbox answered."""

from django.db import models


class Forced429(models.TextChoices):
    NONE = "none", "none"
    BOOKS_MINUTE = "books_minute", "Books per-minute limit (code 44)"
    BOOKS_DAILY = "books_daily", "Books daily limit (code 45)"
    BOOKS_CONCURRENCY = "books_concurrency", "Books concurrency limit (code 1070)"
    CRM = "crm", "CRM TOO_MANY_REQUESTS"


class Knobs(models.Model):
    """Singleton (pk=1). Fields below `clock_offset_seconds` are the UNCERTAIN behaviours
    of zoho-api.md, each defaulting to the doc's most likely answer."""

    latency_ms = models.PositiveIntegerField(default=0)
    error_5xx_rate = models.FloatField(default=0.0)  # 0..1, per API call
    webhook_drop_rate = models.FloatField(default=0.0)  # 0..1, per webhook/watch callback
    forced_429 = models.CharField(max_length=20, choices=Forced429, default=Forced429.NONE)
    clock_offset_seconds = models.FloatField(default=0.0)
    search_index_delay_seconds = models.PositiveIntegerField(default=0)

    # §1.7 deactivated authorising user
    deactivated_refresh_error = models.CharField(
        max_length=20,
        choices=[("invalid_code", "invalid_code"), ("Access Denied", "Access Denied")],
        default="invalid_code",
    )
    deactivated_crm_code = models.CharField(
        max_length=30,
        choices=[
            ("INVALID_TOKEN", "INVALID_TOKEN"),
            ("AUTHENTICATION_FAILURE", "AUTHENTICATION_FAILURE"),
        ],
        default="INVALID_TOKEN",
    )
    deactivated_books_code = models.PositiveIntegerField(
        choices=[(57, "57"), (14, "14")], default=57
    )
    # does deactivation revoke the user's tokens, so re-activation needs re-authorisation?
    deactivation_revokes_tokens = models.BooleanField(default=True)
    # §2.3 GET /crm/v8/{module}/{id} for an id that does not exist
    crm_missing_id = models.CharField(
        max_length=20,
        choices=[("invalid_data", "400 INVALID_DATA"), ("no_content", "204")],
        default="invalid_data",
    )
    # §2.5 PUT with mixed per-record results
    crm_partial_status = models.PositiveIntegerField(
        choices=[(207, "207"), (200, "200")], default=207
    )
    # §3.9 code 1002 "<Entity> does not exist."
    books_1002_status = models.PositiveIntegerField(
        choices=[(404, "404"), (400, "400")], default=404
    )
    # §3.4 may a customer and a vendor share a display name?
    books_name_shared_across_types = models.BooleanField(default=True)
    # §1.3 token-endpoint throttle ("Access Denied")
    token_throttle_status = models.PositiveIntegerField(
        choices=[(400, "400"), (200, "200")], default=400
    )
    # §1.4 limits that differ between Zoho documents
    access_tokens_per_refresh = models.PositiveIntegerField(default=15)
    mints_per_10_min = models.PositiveIntegerField(default=10)
    refresh_tokens_per_user_client = models.PositiveIntegerField(default=20)
    # §1.2 grant codes: "2 minutes" (accounts docs) vs 3 (CRM docs); 10 per client per 10 min
    grant_code_ttl_seconds = models.PositiveIntegerField(default=120)
    grant_codes_per_10_min = models.PositiveIntegerField(default=10)
    # §1.3 which error a redirect_uri mismatch at the token endpoint answers
    redirect_mismatch_error = models.CharField(
        max_length=30,
        choices=[
            ("invalid_redirect_uri", "invalid_redirect_uri"),
            ("redirect_uri_mismatch", "redirect_uri_mismatch"),
        ],
        default="invalid_redirect_uri",
    )
    # §4 the native integration's schedule and conflict rule (UNCERTAIN): when an unlinked
    # Books customer has the CRM record's name (first run) or its id in cf_crm_ref, "skip"
    # links it keeping Books data, "overwrite" links it taking CRM's, "create" duplicates
    native_sync_interval_minutes = models.PositiveIntegerField(default=120)
    native_sync_duplicates = models.CharField(
        max_length=10,
        choices=[("skip", "skip"), ("overwrite", "overwrite"), ("create", "create")],
        default="skip",
    )
    # §2.8 CRM credits per rolling 24 h and concurrency: 0 = the edition's published figure
    crm_daily_credits = models.PositiveIntegerField(default=0)
    crm_concurrency = models.PositiveIntegerField(default=0)
    # §3.10 Books limits: 0 = the published figure (100/min; daily by plan; 5 free / 10 paid)
    books_per_minute = models.PositiveIntegerField(default=0)
    books_daily_cap = models.PositiveIntegerField(default=0)
    books_concurrency = models.PositiveIntegerField(default=0)
    # §3.10 how "per minute" is counted: UNCERTAIN; a rolling 60 s window is the stricter
    books_minute_window = models.CharField(
        max_length=10,
        choices=[("rolling", "rolling 60 s"), ("fixed", "clock minute")],
        default="rolling",
    )
    # §3.5 DELETE of a contact with transactions: code and status not found (UNCERTAIN)
    books_delete_blocked_code = models.PositiveIntegerField(default=3009)
    books_delete_blocked_status = models.PositiveIntegerField(
        choices=[(400, "400"), (200, "200")], default=400
    )
    # §3.3 a VAT-registered UK org refuses business customers without a VAT treatment, and
    # individual customers need a contact person; neither code is documented (UNCERTAIN).
    books_uk_vat_required = models.BooleanField(default=False)
    books_individual_needs_person = models.BooleanField(default=False)
    # §3.4 how 3062 compares display names (not stated): trimmed and case-insensitive, or
    # trimmed and exact ("Acme" and "ACME" may then coexist). Names are stored trimmed.
    books_name_match = models.CharField(
        max_length=12,
        choices=[("normalised", "ignore case"), ("exact", "exact")],
        default="normalised",
    )
    # §3.1 per_page above 200: clamped silently, or code 2 "Invalid value passed for per_page"
    books_per_page_over_max = models.CharField(
        max_length=10,
        choices=[("clamp", "clamp to 200"), ("error", "code 2")],
        default="clamp",
    )
    # §4 the `source` of a Books contact created from CRM (native sync or CRM import)
    books_crm_source = models.CharField(
        max_length=20,
        choices=[("crm", "crm"), ("api", "api"), ("user", "user")],
        default="crm",
    )
    # §3.6 the page_context key carrying the response_option=2 invoice count
    books_invoice_count_key = models.CharField(
        max_length=10,
        choices=[("total", "total"), ("count", "count")],
        default="total",
    )

    # §3.2 a duplicate value of a unique custom field (cf_crm_ref): code not found (UNCERTAIN)
    books_unique_cf_code = models.PositiveIntegerField(default=1001)
    # §3.2 upsert by unique custom field: the HTTP status of a create (UNCERTAIN; POST's 201)
    books_upsert_create_status = models.PositiveIntegerField(
        choices=[(201, "201"), (200, "200")], default=201
    )
    # §3.10 X-Rate-Limit-* headers on Books answers: seen in 2019, not in 2026 (UNCERTAIN)
    books_rate_limit_headers = models.BooleanField(default=True)
    # §2.5 a write naming a field the module does not have: dropped silently, or the
    # record fails INVALID_DATA with details.api_name (not documented: UNCERTAIN)
    crm_unknown_field = models.CharField(
        max_length=12,
        choices=[("ignore", "ignore"), ("invalid_data", "INVALID_DATA")],
        default="ignore",
    )

    class Meta:
        verbose_name_plural = "knobs"

    def __str__(self) -> str:
        return "sandbox knobs"


class Service(models.TextChoices):
    ACCOUNTS = "accounts", "Accounts (OAuth)"
    CRM = "crm", "CRM"
    BOOKS = "books", "Books"


class ApiCall(models.Model):
    """One row per answered API call; limits are counted from here and so are benchmarks."""

    at = models.DateTimeField()  # sandbox clock
    service = models.CharField(max_length=10, choices=Service)
    org_id = models.CharField(max_length=32, blank=True)  # Books organization_id / CRM org id
    user_zuid = models.CharField(max_length=32, blank=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    http_status = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=40, blank=True)  # "0", "44", "TOO_MANY_REQUESTS", …
    credits = models.PositiveIntegerField(default=0)  # CRM credits charged
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["service", "org_id", "at"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.method} {self.path} → {self.http_status}"
