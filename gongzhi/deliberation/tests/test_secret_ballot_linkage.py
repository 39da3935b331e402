"""Issue 19 finding 7: nobody who reads the database can tie a secret ballot to its elector.

The reader is an operator with SELECT on every table, system columns included (`xmin` and
`ctid` on PostgreSQL, `rowid` on SQLite), but without the scrutineers' key. Twelve owners of
distinct floor areas vote in a secret owners' vote, online and on paper; after closing, the test
tries every join such a reader has: a ballot column equal to anything of an elector (id, area,
name, household), a ballot's transaction id shared with a row about an elector, and the ballots'
storage order against the order the electors voted in.
"""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from gongzhi.core.models import AuditRecord
from gongzhi.deliberation import services
from gongzhi.deliberation.models import Ballot, SealedBallot, Vote, VoterReceipt
from gongzhi.deliberation.testing import end_window, open_owners_vote, owners_in_compound, window

pytestmark = pytest.mark.django_db(transaction=True)

AREAS = ["90", "60.5", "80.25", "70", "101.1", "55.55", "66", "77.7", "88.08", "99.9", "123", "45.45"]
CHOICES = ["yes", "no", "abstain"] * 4


def read_table(table: str) -> list[dict]:
    """Every row as a reader sees it, with the row's transaction id and physical place."""
    quoted = connection.ops.quote_name(table)
    if connection.vendor == "postgresql":
        sql = f"SELECT *, xmin::text AS sys_xmin, ctid::text AS sys_place FROM {quoted}"
    else:
        sql = f"SELECT *, rowid AS sys_place FROM {quoted}"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def place_key(row: dict):
    """Physical order: (page, slot) of a ctid, or the rowid."""
    place = row["sys_place"]
    if isinstance(place, str):
        page, slot = place.strip("()").split(",")
        return int(page), int(slot)
    return place


def cast_all(world) -> tuple[Vote, str, list]:
    owners = owners_in_compound(world, AREAS)
    vote = open_owners_vote(world, secret=True)
    key = "+".join(vote.scrutineer_key_shares)
    worker = world.users["social_worker"]
    for i, (owner, choice) in enumerate(zip(owners, CHOICES, strict=True)):
        if i % 4 == 3:  # some on paper, typed in by staff
            elector = vote.electors.get(units__household=owner.household)
            services.enter_paper_ballot(actor=worker, vote=vote, elector=elector, choice=choice)
        else:
            services.cast_ballot(voter=owner.user, vote=vote, choice=choice)
    return vote, key, owners


def test_sealed_ballots_read_as_noise_of_one_length(world):
    vote, _key, _owners = cast_all(world)
    boxes = [bytes(b) for b in SealedBallot.objects.filter(vote=vote).values_list("box", flat=True)]
    assert len(boxes) == 12 and len({len(b) for b in boxes}) == 1
    for box in boxes:
        assert not any(word in box for word in (b"yes", b"abstain", b"choice", b"area"))
    assert not Ballot.objects.filter(vote=vote).exists()


def test_no_database_reader_can_tie_a_secret_ballot_to_its_elector(world):
    vote, key, owners = cast_all(world)
    secretary = world.users["neighborhood_secretary"]
    vote = services.close_vote(actor=secretary, vote=end_window(vote), scrutineer_key=key)
    assert vote.result["ballots"] == 12 and vote.result["counts"]["participating_owners"] == 12

    # What identifies an elector, in every form a column may hold it.
    electors = list(vote.electors.all())
    marks: set[str] = set()
    for e in electors:
        marks |= {str(e.pk), e.name, str(e.area), str(e.area.normalize()), str(int(e.area * 100))}
    for owner in owners:
        marks |= {str(owner.pk), str(owner.household_id), str(owner.user_id)}
    # Rows about electors: their receipts, the audit records of their ballots, their snapshot.
    about_electors = {
        VoterReceipt._meta.db_table: {str(r.pk) for r in VoterReceipt.objects.filter(vote=vote)},
        AuditRecord._meta.db_table: {str(a.pk) for a in AuditRecord.objects.filter(action="vote")},
    }

    ballot_table = Ballot._meta.db_table
    ballots = [r for r in read_table(ballot_table) if r["vote_id"] == vote.pk]
    assert len(ballots) == 12
    assert not [r for r in read_table(SealedBallot._meta.db_table) if r["vote_id"] == vote.pk]

    # 1. No ballot column holds anything of an elector (id, name, household, area in any form).
    for row in ballots:
        values = {str(v) for k, v in row.items() if k not in ("vote_id", "sys_place", "sys_xmin")}
        values |= {str(Decimal(str(row["area"])).normalize())} if row["area"] is not None else set()
        leaked = values & marks - {"0", "0.00", "0E+2", ""}
        assert not leaked, f"a secret ballot carries {leaked}"

    # 2. No ballot shares its transaction with any row about an elector, in any table.
    if connection.vendor == "postgresql":
        ballot_xids = {r["sys_xmin"] for r in ballots}
        for model in apps.get_models():
            table = model._meta.db_table
            if table == ballot_table or model._meta.proxy or not model._meta.managed:
                continue
            rows = read_table(table)
            pk = model._meta.pk.column
            wanted = about_electors.get(table)
            for row in rows:
                names_elector = (wanted and str(row[pk]) in wanted) or any(
                    str(v) in marks for k, v in row.items() if k.endswith(("elector_id", "resident_id"))
                )
                if names_elector and row["sys_xmin"] in ballot_xids:
                    raise AssertionError(f"{table} row {row[pk]} shares a transaction with a secret ballot")

    # 3. Storage order and id order say nothing about who voted when.
    cast_order = CHOICES  # the order the electors voted in, as receipts and audit records show
    by_place = [r["choice"] for r in sorted(ballots, key=place_key)]
    by_id = [r["choice"] for r in sorted(ballots, key=lambda r: str(r["id"]))]
    # 12 ballots in random order match the casting order's choices by chance once in ~35,000.
    assert by_place != cast_order, "ballots are stored in the order their electors voted"
    assert by_id != cast_order, "ballot ids follow the order their electors voted"


def test_closing_with_a_share_missing_unseals_nothing(world):
    owners = owners_in_compound(world, ["90", "60", "80"])
    vote = services.open_vote(actor=world.users["neighborhood_secretary"], vote=draft_secret(world), shares=3)
    shares = vote.scrutineer_key_shares
    assert len(shares) == 3
    services.cast_ballot(voter=owners[0].user, vote=vote, choice="yes")
    secretary = world.users["neighborhood_secretary"]
    with pytest.raises(ValidationError, match="scrutineer_key"):
        services.close_vote(actor=secretary, vote=end_window(vote), scrutineer_key="+".join(shares[:2]))
    vote.refresh_from_db()
    assert vote.status == Vote.Status.OPEN and SealedBallot.objects.filter(vote=vote).count() == 1
    vote = services.close_vote(actor=secretary, vote=vote, scrutineer_key=" + ".join(shares))
    assert vote.result["counts"]["yes_area"] == "90.00"
    assert not SealedBallot.objects.filter(vote=vote).exists()


def draft_secret(world) -> Vote:
    return services.create_vote(
        actor=world.users["neighborhood_secretary"],
        kind=Vote.Kind.OWNERS,
        subject="选聘物业",
        compound=world.household_a.building.compound,
        owners_item=4,
        secret=True,
        **window(),
    )


def test_the_vote_page_shows_the_key_shares_once_and_closes_with_them(client, world):
    owners = owners_in_compound(world, ["90", "60", "80"])
    vote = draft_secret(world)
    client.force_login(world.users["neighborhood_secretary"])
    page = client.post(reverse("deliberation:vote_step", args=[vote.pk, "open"]), {"shares": "2"})
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    shares = page.context["scrutineer_key_shares"]
    assert len(shares) == 2 and all(s in page.content.decode() for s in shares)
    vote.refresh_from_db()
    assert vote.status == Vote.Status.OPEN and len(vote.seal_key) == 64
    # Never stored: no column of any row holds a share.
    dump = str([read_table(m._meta.db_table) for m in (Vote, AuditRecord)])
    assert not any(s in dump for s in shares)
    again = client.get(reverse("deliberation:vote", args=[vote.pk])).content.decode()
    assert not any(s in again for s in shares) and 'id="close-secret"' in again
    services.cast_ballot(voter=owners[1].user, vote=vote, choice="yes")
    end_window(vote)
    url = reverse("deliberation:vote_step", args=[vote.pk, "close"])
    client.post(url, {"scrutineer_key": shares[0]})
    vote.refresh_from_db()
    assert vote.status == Vote.Status.OPEN
    client.post(url, {"scrutineer_key": "+".join(shares)})
    vote.refresh_from_db()
    assert vote.status == Vote.Status.CLOSED and vote.result["counts"]["yes_area"] == "60.00"


def test_a_public_key_made_off_the_server_is_taken_at_opening(world):
    out = StringIO()
    call_command("votes", "keypair", "--shares", "2", stdout=out)
    lines = out.getvalue().splitlines()
    public = lines[0].rsplit(" ", 1)[1]
    shares = [line.rsplit(" ", 1)[1] for line in lines[1:]]
    owners = owners_in_compound(world, ["90", "60"])
    secretary = world.users["neighborhood_secretary"]
    vote = services.open_vote(actor=secretary, vote=draft_secret(world), seal_key=public)
    assert vote.seal_key == public and vote.scrutineer_key_shares == []
    services.cast_ballot(voter=owners[0].user, vote=vote, choice="no")
    vote = services.close_vote(actor=secretary, vote=end_window(vote), scrutineer_key="+".join(shares))
    assert vote.result["counts"]["no_area"] == "90.00"
