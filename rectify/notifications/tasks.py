"""Work for the task queue (django-tasks; `manage.py db_worker` runs it in production)."""

import datetime

from django_tasks import default_task_backend, task

from .sending import send_due


@task()
def deliver_event(event_key: str) -> dict:
    """Send an event's deliveries; failed ones come back after their back-off."""
    sent, failed, retry_at = send_due(event_key)
    if retry_at is not None:
        schedule_retry(retry_at)
    return {"sent": sent, "failed": failed}


@task()
def retry_deliveries() -> dict:
    """Send every delivery that is due (failed ones whose back-off has passed)."""
    sent, failed, retry_at = send_due()
    if retry_at is not None:
        schedule_retry(retry_at)
    return {"sent": sent, "failed": failed}


def schedule_retry(when: datetime.datetime) -> None:
    """Queue the retry for ``when`` where the backend can defer (the database one can); elsewhere
    (the immediate backend of the tests) the next sweep — `send_reminders`, `retry_deliveries` —
    picks it up."""
    if default_task_backend.supports_defer:
        retry_deliveries.using(run_after=when).enqueue()
