"""The consent a patient signed, as a PDF: the form version's own words, who signed it and
how (the typed name or the drawn signature), when, and the witness. Same page layout and
fonts as the aftercare handout (``charting.document``)."""

from __future__ import annotations

import base64
import binascii
import io

from django.utils.translation import gettext as _

from cit.clinic.charting.models import ConsentSignature, SignatureMethod

PNG_DATA_URL = "data:image/png;base64,"


def _drawn_image(data_url: str) -> io.BytesIO | None:
    if not data_url.startswith(PNG_DATA_URL):
        return None
    try:
        return io.BytesIO(base64.b64decode(data_url[len(PNG_DATA_URL) :], validate=True))
    except (binascii.Error, ValueError):
        return None


def consent_pdf(signature: ConsentSignature) -> bytes:
    patient = signature.patient
    form = signature.form
    zone = patient.clinic.tzinfo
    # The PDF library loads on the first document, not in every web worker.
    from cit.clinic.charting.document import PatientDocument, name_or_notice

    pdf = PatientDocument(title=_("Signed consent"), patient=patient)
    pdf.add_page()
    pdf.heading(form.title, 15)
    pdf.paragraph(
        _("%(procedure)s consent, version %(version)s, in use from %(effective)s")
        % {
            "procedure": form.get_procedure_display(),
            "version": form.version,
            "effective": pdf.date_text(form.effective_on, "j F Y"),
        },
        size=9,
    )
    pdf.ln(3)
    pdf.paragraph(form.body)
    pdf.ln(4)
    signed_at = signature.signed_at.astimezone(zone)
    witness = signature.witnessed_by
    rows: list[tuple[str, float]] = [
        (
            _("Signed by %(name)s on %(date)s at %(time)s (%(zone)s).")
            % {
                "name": name_or_notice(patient.full_name),
                "date": pdf.date_text(signed_at, "j F Y"),
                "time": signed_at.strftime("%H:%M"),
                "zone": patient.clinic.timezone,
            },
            10.5,
        ),
        (
            _("Witnessed by %(witness)s.")
            % {"witness": witness.get_full_name() or witness.username},
            10.5,
        ),
    ]
    pdf.heading(_("Signature"))
    for text, size in rows:
        pdf.paragraph(text, size=size)
    pdf.ln(2)
    if signature.method == SignatureMethod.TYPED:
        pdf.paragraph(
            _("Typed signature: %(name)s") % {"name": name_or_notice(signature.typed_name)}
        )
    else:
        image = _drawn_image(signature.drawn_signature)
        if image is None:
            pdf.paragraph(_("The drawn signature is kept by the clinic and could not be shown."))
        else:
            pdf.paragraph(_("Drawn signature:"))
            pdf.image(image, w=70)
    return pdf.finish()
