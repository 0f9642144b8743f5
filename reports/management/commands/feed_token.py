"""Issue, revoke and list the order-system feed's tokens from the command line.

    manage.py feed_token issue "order system" --node COM00001
    manage.py feed_token revoke "order system"
    manage.py feed_token list
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import OrgNode
from reports import feed
from reports.models import FeedToken


class Command(BaseCommand):
    help = "Issue (the secret is printed once), revoke or list order-system feed tokens."

    def add_arguments(self, parser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        issue = commands.add_parser("issue", help="Issue a token bound to an org node.")
        issue.add_argument("name", help="What uses the token, e.g. the order system's name.")
        issue.add_argument("--node", required=True,
                           help="Code of the org node whose retailers the token may write.")
        revoke = commands.add_parser("revoke", help="Revoke a token by its name.")
        revoke.add_argument("name")
        commands.add_parser("list", help="List tokens: name, node, prefix, last use, state.")

    def handle(self, *args, command: str, **options) -> None:
        getattr(self, f"_{command}")(**options)

    def _issue(self, *, name: str, node: str, **options) -> None:
        place = OrgNode.objects.filter(code=node).first()
        if place is None:
            raise CommandError(f"No org node has the code {node!r}.")
        try:
            token, secret = feed.feed_token_issue(name=name, node=place)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"Token {token.name!r} for {place.code} {place.name}. Copy the "
                          "secret now, it is not shown again:")
        self.stdout.write(secret)

    def _revoke(self, *, name: str, **options) -> None:
        token = FeedToken.objects.select_related("node").filter(name=name).first()
        if token is None:
            raise CommandError(f"No token is named {name!r}.")
        if feed.feed_token_revoke(token=token):
            self.stdout.write(f"Token {name!r} revoked.")
        else:
            self.stdout.write(f"Token {name!r} was already revoked.")

    def _list(self, **options) -> None:
        for token in FeedToken.objects.select_related("node"):
            state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked else "active"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(f"{token.name}\t{token.node.code}\t{token.prefix}…\t"
                              f"last used {used}\t{state}")
