from django.db import migrations


# The claim lookup searches words inside names and FINESS routing lines (`icontains`, i.e.
# UPPER(name) LIKE '%…%'): on PostgreSQL trigram indexes serve it. pg_trgm is a trusted extension
# (PostgreSQL 13+): the database's owner may create it. SQLite scans the table.
def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in ("name", "city_label"):
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS establishment_{column}_trgm "
            f'ON establishments_establishment USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for column in ("name", "city_label"):
            schema_editor.execute(f"DROP INDEX IF EXISTS establishment_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("establishments", "0003_onboarding")]

    operations = [migrations.RunPython(create_trigram_index, drop_trigram_index)]
