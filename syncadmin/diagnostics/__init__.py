"""Diagnostics: the consultant's checklist over the mirrors, and alerts on state changes."""
