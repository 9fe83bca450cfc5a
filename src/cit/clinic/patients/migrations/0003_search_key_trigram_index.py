"""A trigram index on the search key, so a search for part of a word ("LIKE '%ivi%'") is an
index scan on PostgreSQL. SQLite has no trigram index: there the search key is scanned, which
the clinic sizes SQLite is meant for read in milliseconds; the answers are the same."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "patient_search_key_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # fastupdate off: registrations are rare and a search must not read a pending list
    # (with it on, the planner prices the index above a scan of the table).
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} "
        "ON patients_patient USING gin (search_key gin_trgm_ops) WITH (fastupdate = off)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("patients", "0002_search_key_and_indexes")]

    operations = [
        # Both do nothing on other databases (CreateExtension checks the vendor itself).
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index),
    ]
