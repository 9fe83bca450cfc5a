"""Signing in with a user name and password, and finding the signed-in user again."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from cit.clinic.accounts.models import User


class ClinicUserBackend(ModelBackend):
    """Django's ``ModelBackend``, reading the user's clinic in the same query: nearly every
    staff request needs it (time zone, access checks), and a second query for it on every
    request costs more than the join."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User.objects.select_related("clinic").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
