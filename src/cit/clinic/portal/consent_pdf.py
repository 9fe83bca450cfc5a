"""A signed consent as a PDF the patient keeps: the form's words and when it was signed."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cit.clinic.charting.models import ConsentSignature
from cit.clinic.pdf import latin1 as _latin1
from cit.clinic.pdf import new_document


def consent_pdf(signature: ConsentSignature) -> bytes:
    patient = signature.patient
    clinic = patient.clinic
    local = signature.signed_at.astimezone(clinic.tzinfo)
    pdf = new_document(signature.form.title, clinic.name)
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, _latin1(clinic.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 7, _latin1(signature.form.title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 10.5)
    pdf.multi_cell(0, 5.5, _latin1(signature.form.body), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 10.5)
    pdf.multi_cell(
        0,
        5.5,
        _latin1(
            _("Signed by %(name)s on %(date)s at %(time)s.")
            % {
                "name": patient.full_name,
                "date": local.strftime("%d %B %Y"),
                "time": local.strftime("%H:%M"),
            }
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
