"""The database itself refuses changes to signed notes and to append-only charting rows.

The model and queryset already refuse; these triggers also stop raw SQL and any code path
that forgets. Row deletion is refused on PostgreSQL only: the test runner empties SQLite
tables with DELETE (PostgreSQL's TRUNCATE fires no row triggers).
"""

from django.db import migrations

APPEND_ONLY = ["charting_consentform", "charting_consentsignature", "charting_noteamendment"]
CHILDREN = ["charting_zonetreatment", "charting_sessionproduct"]

PG_CREATE = """
CREATE OR REPLACE FUNCTION charting_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' rows are signed or append-only';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION charting_refuse_signed_child() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' rows are never deleted';
    END IF;
    IF TG_OP = 'UPDATE' AND EXISTS (
        SELECT 1 FROM charting_sessionnote WHERE id = OLD.note_id AND signed_at IS NOT NULL
    ) THEN
        RAISE EXCEPTION 'the session note is signed; add an amendment';
    END IF;
    IF EXISTS (
        SELECT 1 FROM charting_sessionnote WHERE id = NEW.note_id AND signed_at IS NOT NULL
    ) THEN
        RAISE EXCEPTION 'the session note is signed; add an amendment';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER charting_sessionnote_signed BEFORE UPDATE ON charting_sessionnote
    FOR EACH ROW WHEN (OLD.signed_at IS NOT NULL) EXECUTE FUNCTION charting_refuse_change();
CREATE TRIGGER charting_sessionnote_no_delete BEFORE DELETE ON charting_sessionnote
    FOR EACH ROW EXECUTE FUNCTION charting_refuse_change();
"""


def _pg_statements() -> list[str]:
    statements = [PG_CREATE]
    for table in APPEND_ONLY:
        statements.append(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION charting_refuse_change();"
        )
    for table in CHILDREN:
        statements.append(
            f"CREATE TRIGGER {table}_signed BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION charting_refuse_signed_child();"
        )
    return statements


def _pg_drop() -> list[str]:
    statements = [
        "DROP TRIGGER IF EXISTS charting_sessionnote_signed ON charting_sessionnote;",
        "DROP TRIGGER IF EXISTS charting_sessionnote_no_delete ON charting_sessionnote;",
    ]
    statements += [f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};" for t in APPEND_ONLY]
    statements += [f"DROP TRIGGER IF EXISTS {t}_signed ON {t};" for t in CHILDREN]
    statements += [
        "DROP FUNCTION IF EXISTS charting_refuse_signed_child();",
        "DROP FUNCTION IF EXISTS charting_refuse_change();",
    ]
    return statements


def _sqlite_statements() -> list[str]:
    abort = "BEGIN SELECT RAISE(ABORT, 'signed or append-only charting record'); END;"
    statements = [
        "CREATE TRIGGER charting_sessionnote_signed BEFORE UPDATE ON charting_sessionnote "
        f"WHEN OLD.signed_at IS NOT NULL {abort}"
    ]
    statements += [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} {abort}"
        for table in APPEND_ONLY
    ]
    for table in CHILDREN:
        signed = "(SELECT signed_at FROM charting_sessionnote WHERE id = {row}.note_id) IS NOT NULL"
        statements.append(
            f"CREATE TRIGGER {table}_signed_insert BEFORE INSERT ON {table} "
            f"WHEN {signed.format(row='NEW')} {abort}"
        )
        statements.append(
            f"CREATE TRIGGER {table}_signed_update BEFORE UPDATE ON {table} "
            f"WHEN {signed.format(row='OLD')} OR {signed.format(row='NEW')} {abort}"
        )
    return statements


def _sqlite_drop() -> list[str]:
    names = ["charting_sessionnote_signed"] + [f"{t}_append_only" for t in APPEND_ONLY]
    names += [f"{t}_signed_{op}" for t in CHILDREN for op in ("insert", "update")]
    return [f"DROP TRIGGER IF EXISTS {name};" for name in names]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": _pg_statements, "sqlite": _sqlite_statements}.get(vendor)
    for statement in statements() if statements else []:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": _pg_drop, "sqlite": _sqlite_drop}.get(vendor)
    for statement in statements() if statements else []:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("charting", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
