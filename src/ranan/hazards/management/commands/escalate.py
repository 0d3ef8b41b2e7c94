"""Apply the escalation ladder now (the worker runs it once a day). `--days-ahead N` runs it
as if it were N days later: to rehearse the ladder on a demo or a training database (an
overdue hazard climbs to the steps its days late would then warrant; each step is recorded
once, so a later run on the real date adds nothing)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ranan.hazards.choices import Step
from ranan.hazards.services import escalate


class Command(BaseCommand):
    help = "Apply the hazard escalation ladder (idempotent); --days-ahead N moves its clock."

    def add_arguments(self, parser):
        parser.add_argument("--days-ahead", type=int, default=0,
                            help="run as if today were N days later (0 to 3650)")

    def handle(self, *args, days_ahead: int = 0, **options):
        if not 0 <= days_ahead <= 3650:
            raise CommandError("--days-ahead: a number of days from 0 to 3650.")
        today = timezone.localdate() + datetime.timedelta(days=days_ahead)
        counts = escalate(today)
        self.stdout.write(f"Escalation ladder as of {today.isoformat()}:")
        for step, n in sorted(counts.items()):
            self.stdout.write(f"  step {step}: {n}  ({Step(step).label})")
