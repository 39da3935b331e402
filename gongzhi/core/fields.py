"""A text field that encrypts on the way into the database and decrypts on the way out."""

from django.db import models

from gongzhi.core import pii


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest (AES-GCM)"

    def from_db_value(self, value, expression, connection):
        return pii.decrypt(value) if value else ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return pii.encrypt(value) if value else ""
