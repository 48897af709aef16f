from django.db import migrations


# The claim lookup searches words inside names (`icontains`, i.e. UPPER(name) LIKE '%…%'): on
# PostgreSQL a trigram index serves it. pg_trgm is a trusted extension (PostgreSQL 13+): the
# database's owner may create it. SQLite scans the table, which is fine at a region's scale.
def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS establishment_name_trgm "
        'ON establishments_establishment USING gin (UPPER("name"::text) gin_trgm_ops)'
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS establishment_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("establishments", "0003_onboarding")]

    operations = [migrations.RunPython(create_trigram_index, drop_trigram_index)]
