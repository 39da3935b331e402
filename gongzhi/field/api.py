"""POST /api/v1/sync: what the field pages saved offline, for them and any other client (services.py)."""

from typing import Any

from ninja import Field, Router, Schema

from gongzhi.field import services

router = Router(tags=["field"])


class SyncIn(Schema):
    items: list[Any] = Field(
        ...,
        description=f"at most {services.MAX_ITEMS} items, each "
        '{"key": client uuid, "kind": "visit" | "concern" | "check_in" | "roster_attendance" | '
        '"callup_answer", "made_at": ISO time, "payload": the kind\'s own API input}',
    )


class ResultOut(Schema):
    key: str | None
    status: str = Field(..., description="created | duplicate | rejected")
    id: int | None
    errors: dict[str, list[str]]


class SyncOut(Schema):
    results: list[ResultOut]


@router.post("/sync", response=SyncOut, operation_id="gongzhi_field_api_sync")
def sync(request, payload: SyncIn):
    """Each item applies on its own (a rejected one changes nothing and names its fields), in
    `made_at` order, once per key: a key applied before answers `duplicate` with the same id.
    Answers in the request's order. More than 200 items: 422, nothing applied."""
    return {"results": services.sync(actor=request.user, items=payload.items)}
