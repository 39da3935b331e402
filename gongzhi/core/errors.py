"""Errors that services raise and pages and the API turn into clear answers."""

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = ["NotInScope", "PermissionDenied", "ValidationError"]


class NotInScope(PermissionDenied):
    """The record lies outside the actor's area; pages and the API answer 404, never the data."""
