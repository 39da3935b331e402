"""`gongzhi token create --user NAME --name LABEL`: an API bearer token, printed once as the last line."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.tokens import create_token


class Command(BaseCommand):
    help = "Manage API tokens"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token for a user")
        create.add_argument("--user", required=True, help="username the token acts as")
        create.add_argument("--name", required=True, help="what the token is for, e.g. 'field app'")

    def handle(self, *args, action: str, user: str, name: str, **options):
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"no active user named {user!r}")
        _item, token = create_token(actor=None, user=account, name=name)
        self.stderr.write(f"token for {account.username} ({name}); it is shown only now:")
        self.stdout.write(token)
