"""Zoho Accounts OAuth server (/oauth/v2/…): auth, token, token/revoke. To be built."""

urlpatterns: list = []
