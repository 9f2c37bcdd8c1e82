"""What a page offers a person, read from the HTML they get: the URLs its POST forms submit
to. The stateful tests compare this with what the services accept, so that the page is
checked on its own and not through the predicate it was built with (ADR 0013)."""

from __future__ import annotations

from html.parser import HTMLParser

from django.test import Client


class _PostForms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.actions: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form" and (found.get("method") or "").lower() == "post":
            self.actions.add(found.get("action") or "")


def posted_forms(html: str) -> set[str]:
    """The actions of the page's POST forms (each a button a person can press)."""
    parser = _PostForms()
    parser.feed(html)
    return parser.actions


def offered(client: Client, url: str) -> tuple[int, set[str]]:
    """The status of GET `url` and, when it is a page (200), the POST forms it shows."""
    response = client.get(url)
    if response.status_code != 200:
        return response.status_code, set()
    return 200, posted_forms(response.content.decode())
