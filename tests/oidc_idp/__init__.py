"""A real OpenID Connect provider for the sign-in tests: django-oidc-provider in a tiny project.

The tests start it in a subprocess on 127.0.0.1 (`python -m tests.oidc_idp.serve`), with its own
SQLite file, its own RSA key and the people it knows, read from a JSON file the test writes. Rounds
talks to it over HTTP as it would to the hospital's Entra ID or Okta: discovery, the authorization
code flow, the token endpoint, JWKS and userinfo. Nothing of allauth or Rounds is imported here.
"""
