"""Token authentication for the live endpoints (bids, state, stream), where a busy auction
sends hundreds of requests a second.

The same answers as DRF's `TokenAuthentication` (the token looked up with its user in one
query, on every request: a deleted token or a deactivated user stops working at once), but
the query is compiled by the ORM once per process and then only executed: compiling it was
most of its cost. PostgreSQL only (its driver returns the column values the model expects);
elsewhere DRF's own path runs.
"""

import functools

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

_KEY = "__token_key__"


@functools.cache
def _compiled(alias: str) -> tuple[str, list[str], list[str]]:
    """(SQL with one parameter, the token's attnames, the user's attnames)."""
    user_model = get_user_model()
    token_fields = Token._meta.concrete_fields
    user_fields = user_model._meta.concrete_fields
    query = (
        Token.objects.using(alias)
        .filter(key=_KEY)
        .values_list(
            *(field.name for field in token_fields),
            *(f"user__{field.name}" for field in user_fields),
        )
        .query
    )
    sql, params = query.get_compiler(alias).as_sql()
    if list(params) != [_KEY]:  # pragma: no cover - a change in Django's compiler
        raise RuntimeError("the token query has parameters other than the key")
    return (
        sql,
        [field.attname for field in token_fields],
        [field.attname for field in user_fields],
    )


class LiveTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql":
            return super().authenticate_credentials(key)
        sql, token_names, user_names = _compiled(DEFAULT_DB_ALIAS)
        with connection.cursor() as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        split = len(token_names)
        user = get_user_model().from_db(DEFAULT_DB_ALIAS, user_names, row[split:])
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = Token.from_db(DEFAULT_DB_ALIAS, token_names, row[:split])
        token.user = user
        return (user, token)


class LiveTokenScheme(OpenApiAuthenticationExtension):
    """In the OpenAPI schema: the same header as DRF's token (`Authorization: Token …`),
    under a name of its own (the generator refuses two classes under one name)."""

    target_class = LiveTokenAuthentication
    name = "liveTokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.keyword
        )
