"""Settings of the test identity provider (see __init__.py). Configured from the environment the
test gives the subprocess: IDP_DB (SQLite path), IDP_PEOPLE (JSON file of its users)."""

from __future__ import annotations

import os
from pathlib import Path

SECRET_KEY = "test-identity-provider-only"  # a throwaway provider for the tests
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.oidc_idp.urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["IDP_DB"]}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
LOGIN_URL = "/login/"
# The provider's own session cookie must not collide with Rounds' on the same host (127.0.0.1).
SESSION_COOKIE_NAME = "idp_session"
CSRF_COOKIE_NAME = "idp_csrftoken"
SITE_URL = os.environ.get("IDP_URL", "")
OIDC_USERINFO = "tests.oidc_idp.claims.userinfo"
OIDC_IDTOKEN_PROCESSING_HOOK = "tests.oidc_idp.claims.id_token"
OIDC_IDTOKEN_INCLUDE_CLAIMS = True
