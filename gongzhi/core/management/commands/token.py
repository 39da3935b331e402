"""`gongzhi token create --user NAME --name LABEL [--days N] [--read-only] [--scope SECTION ...]`:
an API bearer token valid for N days (90 by default), printed once as the last line; a read-only
token makes only safe requests, a scoped one reaches only the API sections named.
`gongzhi token list [--user NAME]`: the tokens (never their secrets), with what each may do."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongzhi.core.models import ApiToken
from gongzhi.core.tokens import DEFAULT_DAYS, MAX_DAYS, SCOPES, create_token


class Command(BaseCommand):
    help = "Manage API tokens"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token for a user")
        create.add_argument("--user", required=True, help="username the token acts as")
        create.add_argument("--name", required=True, help="what the token is for, e.g. 'field app'")
        create.add_argument(
            "--days",
            type=int,
            default=DEFAULT_DAYS,
            help=f"days until it expires (1-{MAX_DAYS}, default {DEFAULT_DAYS})",
        )
        create.add_argument("--read-only", action="store_true", help="only GET, HEAD and OPTIONS requests")
        create.add_argument(
            "--scope",
            action="append",
            default=[],
            help=f"an API section the token may reach (repeatable; all when none): {', '.join(SCOPES)}",
        )
        listing = sub.add_parser("list", help="list tokens (never their secrets)")
        listing.add_argument("--user", default="", help="only this user's tokens")

    def handle(self, *args, action: str, **options):
        if action == "list":
            return self._list(options["user"])
        account = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if account is None:
            raise CommandError(f"no active user named {options['user']!r}")
        try:
            item, token = create_token(
                actor=None,
                user=account,
                name=options["name"],
                days=options["days"],
                read_only=options["read_only"],
                scopes=options["scope"],
            )
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            option = {"scopes": "--scope"}.get(field, f"--{field}")
            raise CommandError(f"{option}: {' '.join(messages)}") from None
        expires = item.expires_at.date().isoformat()
        self.stderr.write(
            f"token for {account.username} ({item.name}, {_rights(item)}), valid until {expires}; "
            "it is shown only now:"
        )
        self.stdout.write(token)

    def _list(self, username: str) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "created_at")
        if username:
            tokens = tokens.filter(user__username=username)
        now = timezone.now()
        for item in tokens:
            used = item.last_used_at.date().isoformat() if item.last_used_at else "never"
            state = "expired" if item.expires_at <= now else f"until {item.expires_at.date().isoformat()}"
            self.stdout.write(
                f"{item.pk}\t{item.user.username}\t{item.name}\t{_rights(item)}\t{state}\tlast used {used}"
            )


def _rights(item: ApiToken) -> str:
    """What the token may do, e.g. "read-only; scopes: concerns, visits" or "read-write; all sections"."""
    mode = "read-only" if item.read_only else "read-write"
    reach = f"scopes: {', '.join(item.scopes)}" if item.scopes else "all sections"
    return f"{mode}; {reach}"
