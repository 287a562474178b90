"""Zoho CRM v8 domain logic of the sandbox: records, search, merge, credits, automation."""
