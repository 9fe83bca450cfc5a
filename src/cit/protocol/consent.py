"""How long a patient's signed treatment consent holds."""

from __future__ import annotations

CONSENT_VALID_DAYS = 365
"""A signature on the consent form in effect counts for sessions up to 365 days after it was
given: the clinic's policy (CLINICAL.md gives no period), so consent is renewed yearly."""
