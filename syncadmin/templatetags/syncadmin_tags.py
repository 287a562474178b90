"""Small template helpers for the dashboard screens."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def age(value: datetime | None) -> str:
    """ "3 hours" for a past moment, "never" for None."""
    if not value:
        return "never"
    return timesince(value, timezone.now()).split(",")[0]


@register.filter
def thousands(value: int) -> str:
    """1000000 → "1 000 000" (no-break spaces, so a number never wraps)."""
    return f"{value:,}".replace(",", "\u00a0")


@register.inclusion_tag("syncadmin/components/_alert_banners.html")
def alert_banners():
    """Banners for alerts that are firing now (see syncadmin.diagnostics.alerts)."""
    from syncadmin.diagnostics.alerts import alerts_firing

    return {"alerts": alerts_firing()}


CHART_W, CHART_H, PAD = 720, 160, 24


@register.inclusion_tag("syncadmin/components/_activity_chart.html")
def activity_chart(days):
    """Pushes and failures per day as server-rendered SVG bars (no script, no CDN)."""
    peak = max([d.pushes for d in days] + [d.failures for d in days] + [1])
    slot = (CHART_W - PAD) / max(len(days), 1)
    bar = max(slot / 2 - 1, 1)
    scale = (CHART_H - PAD) / peak
    bars = [
        {
            "day": d.day,
            "x": PAD + i * slot,
            "pushes": d.pushes,
            "failures": d.failures,
            "ph": d.pushes * scale,
            "fh": d.failures * scale,
            "py": CHART_H - PAD - d.pushes * scale,
            "fy": CHART_H - PAD - d.failures * scale,
            "fx": PAD + i * slot + bar,
        }
        for i, d in enumerate(days)
    ]
    return {"bars": bars, "bar": bar, "w": CHART_W, "h": CHART_H, "base": CHART_H - PAD,
            "peak": peak, "total_pushes": sum(d.pushes for d in days),
            "total_failures": sum(d.failures for d in days)}  # fmt: skip
