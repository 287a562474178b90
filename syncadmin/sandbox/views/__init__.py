"""Sandbox views, one module per area; each module ends with its own `urlpatterns` so the
areas can grow in parallel without touching a shared URL file."""
