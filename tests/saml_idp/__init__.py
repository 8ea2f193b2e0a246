"""A real SAML 2.0 identity provider for the sign-in tests: pysaml2's IdP behind a login form.

The tests start it in a subprocess on 127.0.0.1 (`python -m tests.saml_idp.serve PORT`). It makes
its own RSA key and certificate at start, publishes its metadata at /metadata (Rounds reads it as it
would a hospital's ADFS or Shibboleth), reads Rounds' service-provider metadata from the files the
test hands it, shows a login form at /sso and answers with a Response whose Assertion it signs with
xmlsec1, posted to Rounds by the browser. Nothing of allauth or Rounds is imported here.
"""
