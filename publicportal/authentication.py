"""How a connected trading system authenticates: `Authorization: System <credential>`."""

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from publicportal.exchange import system_for_token

KEYWORD = "System"


class SourceSystemAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != KEYWORD:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization: System <credential>")
        system = system_for_token(header[1])
        if system is None:
            raise exceptions.AuthenticationFailed("Unknown or deactivated system credential.")
        return (AnonymousUser(), system)

    def authenticate_header(self, request):
        return KEYWORD


class IsSourceSystem(permissions.BasePermission):
    def has_permission(self, request, view):
        from publicportal.models import SourceSystem

        return isinstance(request.auth, SourceSystem)


class SourceSystemScheme(OpenApiAuthenticationExtension):
    target_class = "publicportal.authentication.SourceSystemAuthentication"
    name = "sourceSystem"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`System <credential>`, the credential given at registration.",
        }
