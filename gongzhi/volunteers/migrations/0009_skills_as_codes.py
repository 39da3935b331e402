"""Skills typed in Chinese before the taxonomy ("医疗", "驾驶") stored as their codes, like the
English ones, so the talent search finds each volunteer whichever language was typed."""

from django.db import migrations


def _codes(value: str) -> str:
    from gongzhi.volunteers import skills

    typed = (value or "").replace("，", ",").replace("、", ",").split(",")
    return ",".join(sorted({skills.code_for(w) for w in typed if w.strip()}))


def forwards(apps, schema_editor):
    for model, field in (("Volunteer", "skills"), ("Activity", "skills_wanted")):
        rows = apps.get_model("volunteers", model).objects.exclude(**{field: ""})
        for pk, value in rows.values_list("pk", field).iterator():
            codes = _codes(value)
            if codes != value:
                rows.filter(pk=pk).update(**{field: codes})
    needs = apps.get_model("volunteers", "PostNeed").objects.exclude(skill="")
    for need in needs.iterator():
        code = _codes(need.skill)
        taken = needs.filter(post_id=need.post_id, shift_id=need.shift_id, skill=code).exclude(pk=need.pk)
        if code != need.skill and len(code) <= 32 and not taken.exists():
            needs.filter(pk=need.pk).update(skill=code)


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0008_volunteer_max_shifts_reserve")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
