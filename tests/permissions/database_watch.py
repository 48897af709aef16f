"""What a refused request must leave alone: every row of the database, and every statement that writes."""

import functools
import hashlib

from django.db import connection

from capqvct.core.models import AuditEvent, OutgoingEmail

# The session table is the framework's: signing in writes it, and each request refreshes the idle
# timeout stamp it holds.
SESSIONS = "django_session"
# Reference data that only migrations write (35 000 communes): hashing it twice a case would cost
# most of the module's time, so the statement spy below watches it instead of the fingerprint.
REFERENCE_TABLES = {
    "territory_commune",
    "territory_departement",
    "territory_region",
    "auth_permission",
    "django_content_type",
    "django_migrations",
}


@functools.cache
def _watched_queries() -> tuple[tuple[str, str], ...]:
    """For each watched table, a query that reads all its rows sorted on every column (introspected
    once: it is slow on SQLite)."""
    queries = []
    with connection.cursor() as cursor:
        for table in sorted(set(connection.introspection.table_names()) - REFERENCE_TABLES - {SESSIONS}):
            columns = len(connection.introspection.get_table_description(cursor, table))
            order = ", ".join(str(number) for number in range(1, columns + 1))
            queries.append((table, f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY {order}"))
    return tuple(queries)


def database_fingerprint() -> str:
    """SHA-256 over every row of every table but the sessions and the reference data, in a fixed order."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for table, query in _watched_queries():
            cursor.execute(query)
            digest.update(table.encode())
            digest.update(repr([tuple(map(_stable, row)) for row in cursor.fetchall()]).encode())
    return digest.hexdigest()


def _stable(value):
    # PostgreSQL returns binary columns as memoryview, whose repr is an address.
    return bytes(value) if isinstance(value, memoryview) else value


class WriteSpy:
    """Every statement that writes, whatever the table (the sessions' excepted): a refused request
    must send none, even one that would leave the rows as they were."""

    WRITES = ("insert", "update", "delete", "replace")

    def __init__(self):
        self.statements: list[str] = []
        self.parameters: list = []

    def __call__(self, execute, sql, params, many, context):
        statement = sql.lstrip().lower()
        if statement.startswith(self.WRITES) and SESSIONS not in statement:
            self.statements.append(sql)
            self.parameters.append(params)
        return execute(sql, params, many, context)


def watched_state() -> dict:
    """The fingerprint and the counts a reader of a failure looks at first."""
    return {
        "fingerprint": database_fingerprint(),
        "audit events": AuditEvent.objects.count(),
        "e-mails": OutgoingEmail.objects.count(),
        # E-mails and tasks queued for after the commit of the case's transaction.
        "after commit": len(connection.run_on_commit),
    }


READ_LOG_ACTIONS = {
    "dossier_read",
    "file_downloaded",
    "receipt_downloaded",
    "letter_downloaded",
    "letter_downloaded_by_link",
    "decision_read_by_link",
    "export_downloaded",
    "archive_downloaded",
}


def is_read_log(sql: str, params) -> bool:
    """An audit event that records who read personal data (a dossier, a file, a letter): pages that
    only show still write it, on purpose."""
    return (
        sql.lstrip().lower().startswith("insert")
        and "core_auditevent" in sql
        and bool(set(map(str, params or ())) & READ_LOG_ACTIONS)
    )
