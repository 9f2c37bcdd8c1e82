"""The facts the workflow's guards read, kept on the case row (ADR 0013): whether the one
extension was granted, and who passed the previous approval step. Filled from the Extension
rows and the timelines of existing cases."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    Extension = apps.get_model("cases", "Extension")
    Case.objects.filter(pk__in=Extension.objects.values("case_id")).update(extended=True)
    # The last of a case's accept/review_pass events: a review_pass names who passed the
    # previous step; an accept (or none) means no step was passed since acceptance.
    last = {}
    for case_id, action, actor_id in CaseEvent.objects.filter(
            action__in=["accept", "review_pass"]).order_by("id").values_list(
            "case_id", "action", "actor_id").iterator():
        last[case_id] = actor_id if action == "review_pass" else None
    for case_id, actor_id in last.items():
        if actor_id is not None:
            Case.objects.filter(pk=case_id).update(last_pass_by_id=actor_id)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_counter_to_core'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='extended',
            field=models.BooleanField(default=False, verbose_name='已延期'),
        ),
        migrations.AddField(
            model_name='case',
            name='last_pass_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='上一环节审查人'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
