"""Demo data for accounts: the three separate-duty accounts of the demo town (system admin,
security admin, auditor), three residents of the secretary's neighborhood with phone sign-in
accounts, and two data-subject requests in the secretary's queue (one pending correction, one
refused deletion). Idempotent: a second run changes nothing."""

from django.db import transaction
from django.utils import translation

from gongzhi.accounts import rights, services
from gongzhi.accounts.models import DataSubjectRequest, User
from gongzhi.org import services as org_services
from gongzhi.org.demo import generator
from gongzhi.org.demo.accounts import demo_password
from gongzhi.org.demo.loader import find_loaded
from gongzhi.org.models import Resident, RoleAssignment

DUTY_ACCOUNTS = [
    ("ops", "系统管理员（三员）", "system_admin"),
    ("secadmin", "安全管理员", "security_admin"),
    ("auditor", "审计员", "auditor"),
]
FIRST_KEY = "demo-dsr-1"


def load_demo() -> str:
    subdistrict = find_loaded(generator.SUBDISTRICT_CODE)
    if subdistrict is None:
        return "accounts: no demo town loaded; run `gongzhi demo load` first."
    if DataSubjectRequest.objects.filter(idempotency_key=FIRST_KEY).exists():
        return "accounts: demo residents and requests already loaded, nothing changed."
    secretary_role = (
        RoleAssignment.objects.filter(role="neighborhood_secretary", subdistrict=subdistrict)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if secretary_role is None:
        return "accounts: the demo town has no neighborhood secretary; nothing loaded."
    with transaction.atomic(), translation.override("zh-hans"):
        for username, name, role in DUTY_ACCOUNTS:
            user, _created = User.objects.get_or_create(
                username=username, defaults={"display_name": name, "is_staff": role == "system_admin"}
            )
            if _created:
                user.set_password(demo_password())
                user.save()
            org_services.assign_role(actor=None, user=user, role=role, unit=subdistrict)
        residents = list(
            Resident.objects.filter(
                household__neighborhood_id=secretary_role.neighborhood_id, user__isnull=True
            )
            .exclude(phone_digest="")
            .order_by("pk")[:3]
        )
        accounts = [services.open_resident_account(phone=r.phone) for r in residents]
        if not accounts:
            return "accounts: no residents with phones in the secretary's neighborhood; nothing loaded."
        rights.file_request(
            user=accounts[0],
            kind="correction",
            field="name",
            new_value=residents[0].name[:1] + "建华",
            reason="登记时名字写错了一个字",
            key=FIRST_KEY,
        )
        refused = rights.file_request(
            user=accounts[-1], kind="deletion", reason="我不想再留手机号", key="demo-dsr-2"
        )
        rights.decide(
            actor=secretary_role.user,
            request=refused,
            approve=False,
            reason="户籍登记依法须保留；手机号可改为家属号码，请提出更正",
        )
    first = residents[0]
    return (
        f"accounts: duty accounts {', '.join(u for u, _n, _r in DUTY_ACCOUNTS)}; {len(accounts)} resident "
        f"accounts (demo phone of {first.name}: {first.phone}, code in var/outbox/sms.jsonl); "
        "2 data-subject requests (1 pending, 1 refused)."
    )
