"""The daily escalation job."""

from django_tasks import task

from ranan.hazards.services import escalate


@task()
def escalate_task() -> int:
    return sum(escalate().values())
