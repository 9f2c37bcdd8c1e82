"""Prepare the test provider's database (tables, people, the platform's client) and serve it
on 127.0.0.1 until stopped. Run by tests/oidc_provider/fixture.py."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from oauth2_provider.models import Application

from tests.oidc_provider.people import OP_PASSWORD, OP_USERS


class Command(BaseCommand):
    help = "Set up and serve the test OpenID Provider."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument("--redirect-uri", action="append", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", verbosity=0, interactive=False)
        for username, person in OP_USERS.items():
            User.objects.create_user(username, password=OP_PASSWORD,
                                     first_name=person["name"])
        Application.objects.create(
            name="测试平台", client_id=options["client_id"],
            client_secret=options["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(options["redirect_uri"]),
            algorithm=Application.RS256_ALGORITHM, skip_authorization=False)
        call_command("runserver", f"127.0.0.1:{options['port']}", use_reloader=False,
                     use_threading=True, skip_checks=True)
