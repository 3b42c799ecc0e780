"""ReportDelivery.meeting: the meeting id becomes a real foreign key to Meeting (same column, ``meeting_id``);
agenda items proposed from alignment flags (a new source)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("coordination", "0008_alignment"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="reportdelivery", name="report_delivery_once"),
        migrations.RenameField(model_name="reportdelivery", old_name="meeting_id", new_name="meeting"),
        migrations.AlterField(
            model_name="reportdelivery",
            name="meeting",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="report_deliveries",
                                    to="coordination.meeting", verbose_name="meeting"),
        ),
        migrations.AlterModelOptions(
            name="reportdelivery",
            options={"ordering": ["meeting", "sent_at"], "verbose_name": "report delivery",
                     "verbose_name_plural": "report deliveries"},
        ),
        migrations.AddConstraint(
            model_name="reportdelivery",
            constraint=models.UniqueConstraint(fields=("meeting", "email"), name="report_delivery_once"),
        ),
        migrations.AlterField(
            model_name="agendaitem",
            name="source",
            field=models.CharField(choices=[('manual', 'Added by hand'), ('duplicate', 'Duplicate flag'), ('gap', 'Coverage gap'), ('delay', 'Delay'), ('report', 'Overdue report'), ('action', 'Open action'), ('alignment', 'Plan alignment')], default="manual", max_length=10, verbose_name="source"),
        ),
        migrations.AlterField(
            model_name="historicalagendaitem",
            name="source",
            field=models.CharField(choices=[('manual', 'Added by hand'), ('duplicate', 'Duplicate flag'), ('gap', 'Coverage gap'), ('delay', 'Delay'), ('report', 'Overdue report'), ('action', 'Open action'), ('alignment', 'Plan alignment')], default="manual", max_length=10, verbose_name="source"),
        ),
    ]
