"""Every 失信记录 names its recording department (filled for existing rows by 0018; a
separate migration so PostgreSQL alters the column outside the data migration's transaction)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0018_credit_record_sources'),
    ]

    operations = [
        migrations.AlterField(
            model_name='creditrecord', name='department',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='departments.department', verbose_name='记录部门'),
        ),
        migrations.AddConstraint(
            model_name='creditrecord',
            constraint=models.CheckConstraint(condition=models.Q(('source__in', ['commitment', 'inspection', 'market'])), name='credit_record_source_valid'),
        ),
        migrations.AddConstraint(
            model_name='creditrecord',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['false_commitment', 'inspection_case', 'not_remedied', 'market_blacklist'])), name='credit_record_kind_valid'),
        ),
    ]
