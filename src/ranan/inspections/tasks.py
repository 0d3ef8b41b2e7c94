"""The daily ladder of referrals left unanswered by their department."""

from django_tasks import task

from ranan.inspections.referrals import escalate_referrals


@task()
def escalate_referrals_task() -> int:
    return sum(escalate_referrals().values())
