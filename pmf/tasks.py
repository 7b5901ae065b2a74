from celery import shared_task


@shared_task(name="pmf.ping")
def ping() -> dict:
    """Liveness probe for the worker: answers with the name of the worker that ran it."""
    return {"pong": True, "worker": ping.request.hostname, "eager": bool(ping.request.is_eager)}
