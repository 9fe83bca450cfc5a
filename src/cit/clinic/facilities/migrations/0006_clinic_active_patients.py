"""Each clinic's count of patients not archived, kept by the patient model from now on."""

from typing import Any

from django.db import migrations, models
from django.db.models import Count, Q


def count_active_patients(apps: Any, schema_editor: Any) -> None:
    clinic_model = apps.get_model("facilities", "Clinic")
    counts = clinic_model.objects.annotate(
        counted=Count("patients", filter=Q(patients__archived_at__isnull=True))
    ).values_list("pk", "counted")
    for pk, counted in counts:
        clinic_model.objects.filter(pk=pk).update(active_patients=counted)


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0005_clinic_date_order"),
        ("patients", "0003_search_key_trigram_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="clinic",
            name="active_patients",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(count_active_patients, migrations.RunPython.noop),
    ]
