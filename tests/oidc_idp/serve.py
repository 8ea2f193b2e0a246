"""Run the test identity provider: `python -m tests.oidc_idp.serve PORT`.

Creates its database, RSA key, its clients (Rounds, once per provider name Rounds gives it) and
its users, then serves on 127.0.0.1:PORT until killed. Environment: IDP_DB, IDP_PEOPLE (see
settings.py) and IDP_CLIENTS, a JSON list of {"client_id", "secret", "redirect_uris"}.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    port = sys.argv[1]
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
    for spec in json.loads(os.environ["IDP_CLIENTS"]):
        client = Client.objects.create(
            name="Rounds",
            client_type="confidential",
            client_id=spec["client_id"],
            client_secret=spec["secret"],
            jwt_alg="RS256",
            require_consent=False,
            redirect_uris=spec["redirect_uris"],
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
