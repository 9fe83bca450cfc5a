"""The state changes of CIT's CDS Hooks service (views validate, then call these)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cit.clinic.cds.models import CdsCard, CdsFeedback, CdsTokenUse


def do_use_token(issuer: str, jti: str, expires: int, *, leeway: int) -> bool:
    """Record a client JWT as used; False when it was used before (a replay). Tokens past
    their expiry (and the leeway) are forgotten: they are refused as expired anyway."""
    now = timezone.now()
    expires_at = datetime.datetime.fromtimestamp(expires, tz=datetime.UTC)
    CdsTokenUse.objects.filter(expires_at__lt=now - datetime.timedelta(seconds=leeway)).delete()
    try:
        with transaction.atomic():
            CdsTokenUse.objects.create(issuer=issuer, jti=jti, expires_at=expires_at)
    except IntegrityError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class IssuedCard:
    uuid: str
    decision: str
    indicator: str
    screening_day: datetime.date


def do_record_cards(
    cards: Sequence[IssuedCard],
    *,
    service: str,
    issuer: str,
    hook_instance: str,
    patient: Any = None,
) -> list[CdsCard]:
    """Keep the cards sent, so feedback on them can be matched (and nothing else can)."""
    return CdsCard.objects.bulk_create(
        CdsCard(
            uuid=card.uuid,
            service=service,
            issuer=issuer,
            hook_instance=hook_instance[:200],
            decision=card.decision,
            indicator=card.indicator,
            screening_day=card.screening_day,
            patient=patient,
        )
        for card in cards
    )


@dataclass(frozen=True, slots=True)
class Feedback:
    card: CdsCard
    outcome: str
    outcome_at: datetime.datetime
    override_system: str = ""
    override_code: str = ""
    override_display: str = ""
    user_comment: str = ""
    accepted_suggestions: tuple[str, ...] = ()


@transaction.atomic
def do_record_feedback(items: Sequence[Feedback]) -> list[CdsFeedback]:
    """Record every item of one feedback call, or none."""
    return [
        CdsFeedback.objects.create(
            card=item.card,
            outcome=item.outcome,
            outcome_at=item.outcome_at,
            override_system=item.override_system,
            override_code=item.override_code,
            override_display=item.override_display,
            user_comment=item.user_comment,
            accepted_suggestions=list(item.accepted_suggestions),
        )
        for item in items
    ]
