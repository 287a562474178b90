import os

from django.core.wsgi import get_wsgi_application

# Forced, not setdefault: the shell may carry the product's DJANGO_SETTINGS_MODULE.
os.environ["DJANGO_SETTINGS_MODULE"] = "syncadmin.sandbox.settings"

application = get_wsgi_application()

from syncadmin.sandbox import lifecycle  # noqa: E402  (needs the app registry ready)

# A restarted server must not mint ids that an earlier run already stored.
lifecycle.prime_ids()

from syncadmin.sandbox.native import scheduler  # noqa: E402

# The native sync's schedule lives in the server process only (not in migrate or tests).
scheduler.start_if_enabled()
