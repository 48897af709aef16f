from django.db import migrations


# Each FINESS extraction rewrites the establishments whose register fields changed, often most of them.
# On PostgreSQL, a row version written in the same page as the old one, when no indexed column changed
# (an address, a phone number), is a HOT update: none of the table's ten indexes (two of them trigram
# GIN indexes) is touched. That needs room in the page: filled to 70 %, a page keeps room for the new
# versions of about four rows in ten. New pages are filled so from now on; existing rows move to such
# pages as they are rewritten. SQLite has no such setting.
def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE establishments_establishment SET (fillfactor = 70)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE establishments_establishment RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("establishments", "0004_claim_lookup_index")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
