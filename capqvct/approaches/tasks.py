from django_tasks import task


@task()
def send_mention_digests() -> int:
    """The daily digest of the comments that mention someone (see the command of the same name)."""
    from capqvct.approaches.feed_services import send_mention_digests as send

    return send()
