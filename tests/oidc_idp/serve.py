"""Run the test identity provider: `python -m tests.oidc_idp.serve PORT CLIENT_ID SECRET REDIRECT_URI`.

Creates its database, RSA key, the client (Rounds) and its users, then serves on 127.0.0.1:PORT
until killed. Environment: IDP_DB, IDP_PEOPLE (see settings.py).
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    port, client_id, secret, *redirect_uris = sys.argv[1:]
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_idp.settings"
    os.environ.setdefault("IDP_URL", f"http://127.0.0.1:{port}")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType

    from tests.oidc_idp.claims import people

    call_command("migrate", verbosity=0)
    call_command("creatersakey")
    client = Client.objects.create(
        name="Rounds",
        client_type="confidential",
        client_id=client_id,
        client_secret=secret,
        jwt_alg="RS256",
        require_consent=False,
        redirect_uris=redirect_uris,
    )
    client.response_types.add(ResponseType.objects.get(value="code"))
    for username, person in people().items():
        User.objects.create_user(username, person.get("email", ""), person["password"])
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = make_server("127.0.0.1", int(port), get_wsgi_application(), handler_class=Quiet)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
