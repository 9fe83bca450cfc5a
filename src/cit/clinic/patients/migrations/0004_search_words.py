"""The table of distinct words patients are searched by, filled for the patients there are
(through the same helper as every later write), with a trigram index on each kind of word on
PostgreSQL; SQLite reads a clinic's words whole, which the clinic sizes it is meant for
read in milliseconds."""

import django.db.models.deletion
from django.db import migrations, models

from cit.clinic.patients.models import write_search_words

INDEXES = {"search_word_name_trgm": "name", "search_word_record_trgm": "record"}


def fill_search_words(apps, schema_editor):
    patients = apps.get_model("patients", "Patient")._default_manager
    words = apps.get_model("patients", "SearchWord")
    links = apps.get_model("patients", "PatientWord")
    read = ("pk", "clinic_id", "given_name", "family_name", "record_number")
    batch = []
    for patient in patients.only(*read).order_by("pk").iterator(chunk_size=2000):
        batch.append(patient)
        if len(batch) == 2000:
            write_search_words(batch, words=words, links=links)
            batch = []
    write_search_words(batch, words=words, links=links)
    if schema_editor.connection.vendor == "postgresql":
        # The planner's figures for the new tables, before the first search reads them.
        schema_editor.execute("ANALYZE patients_searchword, patients_patientword")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # One per kind, so a name's first letter ("p%") reads name words, not every record
    # number the clinic's prefix starts. fastupdate off: see 0003.
    for index, kind in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON patients_searchword "
            f"USING gin (word gin_trgm_ops) WITH (fastupdate = off) WHERE kind = '{kind}'"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0005_clinic_date_order"),
        ("patients", "0003_search_key_trigram_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("name", "Name word"), ("record", "Record number")], max_length=6
                    ),
                ),
                ("word", models.TextField()),
                (
                    "clinic",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="facilities.clinic",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="PatientWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("family_name", models.CharField(max_length=100)),
                ("given_name", models.CharField(max_length=100)),
                (
                    "patient",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="patients.patient",
                    ),
                ),
                (
                    "word",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="patients.searchword",
                    ),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name="searchword",
            constraint=models.UniqueConstraint(
                fields=("clinic", "kind", "word"), name="search_word_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="patientword",
            index=models.Index(
                fields=["word", "family_name", "given_name", "patient"],
                name="patient_word_list_order",
            ),
        ),
        migrations.AddConstraint(
            model_name="patientword",
            constraint=models.UniqueConstraint(
                fields=("patient", "word"), name="patient_word_unique"
            ),
        ),
        migrations.RunPython(create_indexes, drop_indexes),
        migrations.RunPython(fill_search_words, migrations.RunPython.noop),
    ]
