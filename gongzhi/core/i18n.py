"""Strings Django shows on our pages without a zh_Hans translation of its own.

Listed here so that makemessages keeps them in the project's catalogue, which takes precedence over
Django's: Django 6.1's blank choice of a select field is one.
"""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = (gettext_noop("- Select an option -"),)
