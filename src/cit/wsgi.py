import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cit.settings")
application = get_wsgi_application()

from cit.checks import refuse_console_backends  # noqa: E402  (needs the settings loaded)

refuse_console_backends()
