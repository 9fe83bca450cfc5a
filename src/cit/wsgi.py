import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cit.settings")
application = get_wsgi_application()

# Both need the settings loaded.
from django.conf import settings  # noqa: E402

from cit.checks import refuse_console_backends  # noqa: E402
from cit.clinic.appointments.schedule_index import warm_up_in_background  # noqa: E402

refuse_console_backends()
# The scheduling indexes loading in the background (None when SCHEDULE_INDEX_WARM_UP is off).
warming = warm_up_in_background() if settings.SCHEDULE_INDEX_WARM_UP else None
