import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "syncadmin.settings")
application = get_wsgi_application()

# Refuse to serve with token keys that cannot read the stored Zoho tokens.
from syncadmin.connections.tokens import token_keys_self_test  # noqa: E402

token_keys_self_test()
