"""One error type with a code, one exception handler, one error body shape for the API.

Validation errors keep DRF's shape — the field name as the key, a list of messages — so an
integrator finds a bad `uscc` under `uscc`. Domain errors add a machine-readable `code`.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import ApplicationError


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, ApplicationError):
        body = {"detail": exc.message, "code": exc.code, **exc.fields}
        return Response(body, status=exc.status_code)
    return drf_exception_handler(exc, context)
