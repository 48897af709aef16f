from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from capqvct.accounts.middleware import IdleSessionMiddleware
from capqvct.accounts.models import Membership
from capqvct.core.services import record_event


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    record_event(action="login", actor=user, target=user)


@receiver(user_logged_in)
def start_idle_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        IdleSessionMiddleware.start_clock(request, user)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record_event(action="logout", actor=user, target=user)


@receiver(user_login_failed)
def audit_failed_login(sender, credentials, request=None, **kwargs):
    # Never the password: only the address that was tried.
    record_event(action="login_failed", actor_email=str(credentials.get("username", ""))[:254])


# Permission checks cache a user's memberships on the user object ("_capqvct_…" attributes), for one
# request. A membership changed through that same object (a script, a test, the demo) forgets them.
@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def forget_cached_memberships(sender, instance, **kwargs):
    user = instance._state.fields_cache.get("user")
    if user is not None:
        for name in [name for name in vars(user) if name.startswith("_capqvct_")]:
            delattr(user, name)
