"""Browsable API docs (Swagger UI) from the drf-spectacular-sidecar static files: no CDN, and
the start-up script is a separate file, so the site's CSP (scripts and styles from 'self'
only) holds."""

from __future__ import annotations

from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny


class SwaggerDocs(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
