"""Key rotation: re-encrypt every encrypted field and recompute every blind index with the
current key (and cipher), after which the old keys can be dropped from the configuration."""

from django.apps import apps
from django.db import connection, transaction

from gongzhi.core import pii
from gongzhi.core.fields import EncryptedTextField

# Blind-index kinds by field name (Resident.set_id_number / set_phone use these).
INDEX_KINDS = {"id_number": "id", "phone": "phone"}
BATCH = 2000


def encrypted_fields() -> list[tuple[type, list[str]]]:
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def rotate_all() -> dict[str, int]:
    """Rows rewritten per model. Runs in one transaction per model, so a failure rewrites nothing."""
    return {model._meta.label: _rotate_model(model, names) for model, names in encrypted_fields()}


@transaction.atomic
def _rotate_model(model, names: list[str]) -> int:
    digests = [f"{n}_digest" for n in names if _has_field(model, f"{n}_digest")]
    rewritten, batch = 0, []
    # Raw ciphertexts tell which rows were sealed with another key or cipher.
    stale = {pk for pk, *tokens in _raw_tokens(model, names) if any(pii.needs_rotation(t) for t in tokens)}
    for obj in model._default_manager.filter(pk__in=stale).iterator(chunk_size=BATCH):
        for d in digests:
            name = d.removesuffix("_digest")
            setattr(obj, d, pii.blind_index(INDEX_KINDS.get(name, name), getattr(obj, name)))
        batch.append(obj)
        if len(batch) >= BATCH:
            rewritten += _flush(model, batch, names + digests)
    return rewritten + _flush(model, batch, names + digests)


def _raw_tokens(model, names: list[str]):
    table = model._meta.db_table
    columns = ", ".join(model._meta.get_field(n).column for n in names)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {model._meta.pk.column}, {columns} FROM {table}")  # noqa: S608
        yield from cursor.fetchall()


def _flush(model, batch: list, fields: list[str]) -> int:
    if batch:
        model._default_manager.bulk_update(batch, fields, batch_size=BATCH)
    count = len(batch)
    batch.clear()
    return count


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)
