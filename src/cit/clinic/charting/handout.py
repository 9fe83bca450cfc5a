"""The printable aftercare handout of a signed session, as a PDF (fpdf2).

The words come from the protocol engine (aftercare by day, expected course, when to call
the clinic); the fixed labels are marked for translation.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from cit.clinic.charting.models import SessionNote
from cit.clinic.pdf import latin1 as _latin1
from cit.clinic.pdf import new_document
from cit.protocol.aftercare import aftercare, course_summary
from cit.protocol.knowledge import get_knowledge
from cit.protocol.profiles import load_profile

HANDOUT_DAYS = 8  # the session day and the week after it


def deepest_depth(note: SessionNote) -> float:
    depths = [float(zone.depth_mm) for zone in note.zones.all()]
    return max(depths) if depths else 0.5


def aftercare_pdf(note: SessionNote) -> bytes:
    """The handout for ``note``: day-by-day care, what to expect, and when to call."""
    patient = note.patient
    clinic = patient.clinic
    profile = load_profile(clinic.protocol_profile)
    knowledge = get_knowledge()
    depth = deepest_depth(note)

    pdf = new_document(_("Aftercare after your micro-needling session"), clinic.name)

    def heading(text: str, size: int = 13) -> None:
        pdf.set_font("Helvetica", "B", size)
        pdf.multi_cell(0, 7, _latin1(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def line(text: str, bullet: bool = True) -> None:
        pdf.set_font("Helvetica", "", 10.5)
        pdf.multi_cell(
            0, 5.5, _latin1(("- " if bullet else "") + text), new_x="LMARGIN", new_y="NEXT"
        )

    heading(clinic.name, 16)
    line(
        _("Aftercare for %(name)s, session on %(date)s")
        % {"name": patient.full_name, "date": note.session_date.strftime("%d %B %Y")},
        bullet=False,
    )
    if clinic.phone:
        line(_("Clinic phone: %(phone)s") % {"phone": clinic.phone}, bullet=False)
    pdf.ln(3)

    heading(_("What to expect"))
    course = course_summary(depth)
    for item in course.items:
        if item.first_day == item.last_day:
            days = _("Day %(day)s") % {"day": item.first_day}
        else:
            days = _("Days %(first)s-%(last)s") % {"first": item.first_day, "last": item.last_day}
        line(f"{days}: {item.text}")
    # The same recovery line as the plan's ("largely healed by day 3" only for <= 0.5 mm).
    line(course.recovery.text)
    pdf.ln(2)

    heading(_("Day by day"))
    for day in range(HANDOUT_DAYS):
        care = aftercare(note.session_date, day, profile)
        when = note.session_date + datetime.timedelta(days=day)
        pdf.set_font("Helvetica", "B", 11)
        label = _("Day %(day)s (%(date)s)") % {"day": day, "date": when.strftime("%a %d %b")}
        pdf.multi_cell(0, 6, _latin1(label), new_x="LMARGIN", new_y="NEXT")
        for instruction in care.instructions:
            line(instruction.text)
        pdf.ln(1)

    heading(_("Call the clinic"))
    for level, title in (
        ("urgent", _("At once (or emergency services) if you have:")),
        ("contact_clinic", _("Within a day if you notice:")),
    ):
        pdf.set_font("Helvetica", "B", 10.5)
        pdf.multi_cell(0, 6, _latin1(title), new_x="LMARGIN", new_y="NEXT")
        for sign in knowledge.escalation:
            if sign.level == level:
                line(sign.reason)
    pdf.ln(2)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(
        0,
        4,
        # The edition only: the content hash is for staff (the note page's details line).
        _latin1(_("Micro-needling protocol, edition %(version)s") % {"version": knowledge.version}),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
