"""Zoho Accounts OAuth server logic (zoho-api.md §1): the authorisation request and consent
(`authorize`), the token endpoint's grants, limits and revocation (`grants`). Views in
`views/accounts.py` only translate HTTP to these calls and back."""
