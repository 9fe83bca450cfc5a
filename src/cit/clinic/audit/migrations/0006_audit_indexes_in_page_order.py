"""The log's who and whom filters read an index in the page's order (newest, then id), and
the foreign keys lose their single-column indexes, which the composite ones lead with: an
event written pays five indexes instead of nine.

The foreign keys' ``db_index`` changes only in Django's state; the indexes are dropped by name
as the database reports them. Altering the fields through Django would rebuild the table on
SQLite and lose its append-only trigger (0002).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "audit_auditevent"
FOREIGN_KEYS = ("actor_id", "clinic_id", "patient_id")


def _single_column_indexes(schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    return [
        name
        for name, about in constraints.items()
        if about["index"]
        and not about["unique"]
        and not about["primary_key"]
        and len(about["columns"]) == 1
        and about["columns"][0] in FOREIGN_KEYS
    ]


def drop_foreign_key_indexes(apps, schema_editor):
    for name in _single_column_indexes(schema_editor):
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def create_foreign_key_indexes(apps, schema_editor):
    for column in FOREIGN_KEYS:
        name = schema_editor._create_index_name(TABLE, [column])
        schema_editor.execute(
            f"CREATE INDEX {schema_editor.quote_name(name)} "
            f"ON {schema_editor.quote_name(TABLE)} ({schema_editor.quote_name(column)})"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_action_filter_index"),
        ("facilities", "0005_clinic_date_order"),
        ("patients", "0003_search_key_trigram_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["patient", "-at", "-id"], name="audit_patient_newest"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["actor", "-at", "-id"], name="audit_actor_newest"),
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="audit_audit_patient_141f76_idx",
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="audit_audit_actor_i_75e47c_idx",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="audit_events",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="clinic",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="facilities.clinic",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="patient",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="audit_events",
                        to="patients.patient",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_foreign_key_indexes, create_foreign_key_indexes)
            ],
        ),
    ]
