"""`gongzhi token create --user NAME --name LABEL [--days N]`: an API bearer token valid for N days
(90 by default), printed once as the last line."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.tokens import DEFAULT_DAYS, MAX_DAYS, create_token


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

    def handle(self, *args, action: str, user: str, name: str, days: int, **options):
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"no active user named {user!r}")
        try:
            item, token = create_token(actor=None, user=account, name=name, days=days)
        except ValidationError as exc:
            raise CommandError(f"--days: {' '.join(exc.messages)}") from None
        expires = item.expires_at.date().isoformat()
        self.stderr.write(
            f"token for {account.username} ({name}), valid until {expires}; it is shown only now:"
        )
        self.stdout.write(token)
