"""Zoho Books v3 domain logic of the sandbox: contacts, invoices, CRM import and limits."""
