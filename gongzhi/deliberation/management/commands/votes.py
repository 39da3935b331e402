"""`gongzhi votes tally` (auditors, paper-only votes), `gongzhi votes verify --vote ID` and
`gongzhi votes keypair [--shares N]` (scrutineers of a secret vote, best on their own machine).

Thin: the rules live in gongzhi.deliberation.rules, the file reading in ballot_files, the
recount of a stored vote in gongzhi.deliberation.services.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongzhi.deliberation import rules, seal
from gongzhi.deliberation.ballot_files import tally_files
from gongzhi.deliberation.rules import TallyInputError

TALLY_RULES = (rules.OWNERS_278, rules.OWNERS_278_SPECIAL, rules.PARTY_ASSEMBLY)


class Command(BaseCommand):
    help = "Votes (表决): count ballot files by a rule, or recount a stored vote from its ballots."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{tally,verify,keypair}")
        tally = actions.add_parser(
            "tally", help="count electorate.csv and ballots.csv by a rule; prints JSON"
        )
        tally.add_argument("--rule", required=True, choices=TALLY_RULES)
        tally.add_argument("--electorate", required=True, help="CSV voter_id,area[,unit]")
        tally.add_argument("--ballots", required=True, help="CSV voter_id,choice (yes/no/abstain)")
        tally.add_argument(
            "--count-non-voters",
            action="store_true",
            help="owners' votes: also count non-voters with the majority (only if the compound's rules say so)",
        )
        verify = actions.add_parser(
            "verify", help="recount a stored vote and compare with its published result"
        )
        verify.add_argument("--vote", required=True, type=int, help="id of the vote")
        keypair = actions.add_parser(
            "keypair",
            help="a secret vote's key pair: give the public key when opening, keep the shares off the server",
        )
        keypair.add_argument(
            "--shares", type=int, default=1, help="split the private key among N scrutineers"
        )

    def handle(self, *args, **options) -> None:
        if options["action"] == "tally":
            self.tally(options)
        elif options["action"] == "keypair":
            self.keypair(options["shares"])
        else:
            self.verify(options["vote"])

    def tally(self, options: dict) -> None:
        try:
            result = tally_files(
                options["rule"],
                Path(options["electorate"]),
                Path(options["ballots"]),
                count_non_voters=options["count_non_voters"],
            )
        except TallyInputError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def keypair(self, shares: int) -> None:
        try:
            public, parts = seal.new_keypair(shares)
        except seal.SealError as exc:
            raise CommandError(f"--shares: {exc}") from exc
        self.stdout.write(f"public key (give when opening the vote): {public}")
        for i, part in enumerate(parts, start=1):
            self.stdout.write(f"private share {i} of {len(parts)} (one scrutineer keeps it): {part}")

    def verify(self, vote_id: int) -> None:
        from gongzhi.deliberation import services

        try:
            report = services.verify_vote(vote_id=vote_id)
        except services.Vote.DoesNotExist:
            raise CommandError(f"no vote with id {vote_id}") from None
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        if not report["matches"]:
            raise CommandError("the recount differs from the stored result")
