"""The Zoho sandbox: a separate process that speaks Zoho's wire format.

It has its own settings (`syncadmin.sandbox.settings`) and its own database, and never
imports the product. Start it with `python -m syncadmin.sandbox serve`.
"""
