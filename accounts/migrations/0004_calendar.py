"""The working-day calendar moves from expenses to accounts (every app reads it).

State only: the tables stay where expenses 0001 created them (`expenses_calendaryear`,
`expenses_calendarday`, now the models' `db_table`), so no row moves. expenses 0005 drops
the models from expenses' state.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_idempotency_record'),
        ('expenses', '0001_initial'),  # creates the two tables
    ]

    state_operations = [
        migrations.CreateModel(
            name='CalendarYear',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(unique=True, validators=[django.core.validators.MinValueValidator(2000), django.core.validators.MaxValueValidator(2100)], verbose_name='year')),
                ('source', models.CharField(choices=[('library', 'chinesecalendar library'), ('admin', 'Entered by an administrator')], default='admin', max_length=16, verbose_name='source')),
                ('notice', models.CharField(blank=True, help_text='The notice the holidays were taken from.', max_length=200, verbose_name='State Council notice')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
            ],
            options={
                'verbose_name': 'working-day calendar year',
                'verbose_name_plural': 'working-day calendar years',
                'db_table': 'expenses_calendaryear',
                'ordering': ['year'],
            },
        ),
        migrations.CreateModel(
            name='CalendarDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(unique=True, verbose_name='date')),
                ('is_workday', models.BooleanField(verbose_name='working day')),
                ('name', models.CharField(blank=True, max_length=50, verbose_name='holiday')),
                ('calendar_year', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='days', to='accounts.calendaryear', verbose_name='year')),
            ],
            options={
                'verbose_name': 'calendar day',
                'verbose_name_plural': 'calendar days',
                'db_table': 'expenses_calendarday',
                'ordering': ['date'],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
    ]
