from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gongzhi.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import pre_save

        from gongzhi.core import reauth

        # Every way of signing in (password, second factor, phone code, admin, tests) starts the
        # re-authentication clock.
        user_logged_in.connect(reauth.mark_authenticated, dispatch_uid="gongzhi_reauth_mark")
        # Role assignments are written by org.services.assign_role and the admin; this guard keeps
        # the separation of duties whichever path writes them (the lead may move it into assign_role).
        pre_save.connect(_guard_duties, sender="org.RoleAssignment", dispatch_uid="gongzhi_duties_guard")


def _guard_duties(sender, instance, raw=False, **kwargs) -> None:
    from gongzhi.accounts import duties

    if not raw and instance.pk is None:
        duties.check_new_assignment(user_id=instance.user_id, role=instance.role)
