"""Apps registered before OpenID Connect sign their id_tokens with CIT's key too (RS256)."""

from typing import Any

from django.db import migrations


def sign_with_rs256(apps: Any, schema_editor: Any) -> None:
    integration_model = apps.get_model("integrations", "Integration")
    application_ids = integration_model.objects.filter(kind="app").values("application_id")
    application_model = apps.get_model("oauth2_provider", "Application")
    application_model.objects.filter(pk__in=application_ids).update(algorithm="RS256")


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0001_initial"),
        ("oauth2_provider", "0004_auto_20200902_2022"),  # adds Application.algorithm
    ]

    operations = [migrations.RunPython(sign_with_rs256, migrations.RunPython.noop)]
