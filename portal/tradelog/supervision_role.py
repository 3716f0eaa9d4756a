"""The PostgreSQL role supervision connects as: SELECT on the operation side, nothing else.

Management, operation and supervision are separate (管办分离, H1): the supervision app reads
through the `supervision` database alias, whose role can only read. Secrets that would let
a reader act as someone else — sessions, API tokens, password hashes — are withheld too.
"""

import logging

from django.conf import settings
from django.db import connections
from psycopg2 import sql

logger = logging.getLogger(__name__)

#: Tables the reader may not see at all: sessions and tokens would let it impersonate users;
#: expert draw invitations name the experts drawn for a trade before the reveal (F6: the
#: evaluation committee stays secret until the evaluation starts; the seated committee is in
#: trading_committeemember).
WITHHELD_TABLES = ("django_session", "authtoken_token", "experts_drawinvitation")
#: Columns of the user table withheld from the reader.
WITHHELD_USER_COLUMNS = ("password",)


def ensure_supervision_role(using: str = "default") -> bool:
    """Create the role if missing and (re)grant read-only access. Idempotent.

    Returns False (and logs why) when the database is not PostgreSQL or the migrating role
    may not create roles; a DBA then runs `manage.py grant_supervision_access` as superuser.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    role = settings.SUPERVISION_DB_ROLE
    password = settings.DATABASES["supervision"].get("PASSWORD") or None
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(
                "SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user"
            )
            if not cursor.fetchone()[0]:
                logger.warning("cannot create role %s: current user lacks CREATEROLE", role)
                return False
            cursor.execute(
                sql.SQL("CREATE ROLE {} LOGIN NOINHERIT PASSWORD %s").format(sql.Identifier(role)),
                [password],
            )
        ident = sql.Identifier(role)
        database = sql.Identifier(connection.settings_dict["NAME"])
        statements = [
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, ident),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident),
            sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(ident),
            sql.SQL("GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(ident),
            # Tables created later by the migrating role are readable too.
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {}"
            ).format(ident),
        ]
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )
        existing = {name for (name,) in cursor.fetchall()}
        for table in WITHHELD_TABLES:
            if table not in existing:  # an app not migrated (yet) in this database
                continue
            statements.append(
                sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(sql.Identifier(table), ident)
            )
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = 'accounts_user'"
        )
        readable = [c for (c,) in cursor.fetchall() if c not in WITHHELD_USER_COLUMNS]
        if readable:
            statements.append(sql.SQL("REVOKE ALL ON TABLE accounts_user FROM {}").format(ident))
            statements.append(
                sql.SQL("GRANT SELECT ({}) ON TABLE accounts_user TO {}").format(
                    sql.SQL(", ").join(sql.Identifier(c) for c in readable), ident
                )
            )
        for statement in statements:
            cursor.execute(statement)
    return True
