"""Background work of the newsletters: the outbox worker task."""

from __future__ import annotations

from django_tasks import task


@task()
def process_outbox(*, batch_size: int = 100, max_seconds: float = 240) -> int:
    """Send what is due in the outbox, batch after batch, for at most ``max_seconds``.

    Enqueued after the commit that creates deliveries. Safe to run several at once (rows
    are claimed); what is left (retries due later, a long campaign past ``max_seconds``)
    is taken by the next run or by ``manage.py send_outbox`` run by the scheduler. When it
    stops because of ``max_seconds`` with work left, it enqueues itself again.
    """
    from .services.sending import _due, outbox_drain

    sent = outbox_drain(batch_size=batch_size, max_seconds=max_seconds)
    from django.utils import timezone

    if sent and _due(None, timezone.now()).exists():
        process_outbox.enqueue(batch_size=batch_size, max_seconds=max_seconds)
    return sent
