"""Why a booking, move or cancellation was refused, in words the front desk can act on."""

from __future__ import annotations


class SchedulingRefused(Exception):
    """The request itself cannot be honoured (outside the window, already cancelled, ...): 422."""

    status_code = 422

    def __init__(self, message: str, *, details: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class BookingConflict(SchedulingRefused):
    """Someone else holds a resource at that time, or the calendar changed under a preview:
    HTTP 409. Nothing of the refused booking was written."""

    status_code = 409
