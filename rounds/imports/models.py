from __future__ import annotations

from django.conf import settings
from django.db import models


class UploadedFile(models.Model):
    """An uploaded file kept in the database, so a worker on any machine can read it."""

    name = models.CharField(max_length=255)
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
