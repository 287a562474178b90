"""The emulated native Zoho CRM → Books integration ("Zoho Finance Suite")."""
