"""The printed documents of a patient's chart (aftercare handout, signed consent) on one
page layout: the clinic and patient on every page, "Page n of m" at the foot, and a font
shipped with the project (licences beside them in ``fonts/``): DejaVu Sans for Latin
(Vietnamese included), Greek and Cyrillic, and WenQuanYi Micro Hei as the fallback for
Chinese, Japanese and Korean. Scripts that need shaping or right-to-left layout (Arabic,
Hebrew, Indic) are not covered.

No character is ever replaced silently: a name the font cannot print is not printed at all
but replaced by a sentence saying so, and any other text with such characters shows the
replacement mark and a note at the end of the document.
"""

from __future__ import annotations

import datetime
import functools
from pathlib import Path
from typing import Literal

from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont
from fpdf import FPDF

from cit.clinic.dates import clinic_date_text
from cit.clinic.patients.models import Patient

FONT_DIR = Path(__file__).parent / "fonts"
FAMILY = "DejaVuSans"
_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# One weight only: bold text in these scripts prints in the regular weight.
FALLBACK_FAMILY = "WenQuanYiMicroHei"
_FALLBACK_FILE = "WenQuanYiMicroHei.ttf"
REPLACEMENT_MARK = "\N{REPLACEMENT CHARACTER}"

Style = Literal["", "B"]
Row = tuple[str, Style, float, float]  # text, style, font size, line height


@functools.cache
def _covered_code_points() -> frozenset[int]:
    """The characters every style has a glyph for, in the main font or the fallback."""
    sets = [set(TTFont(FONT_DIR / name).getBestCmap()) for name in _FONT_FILES.values()]
    fallback = set(TTFont(FONT_DIR / _FALLBACK_FILE).getBestCmap())
    return frozenset(set.intersection(*sets) | fallback)


def is_printable(text: str) -> bool:
    covered = _covered_code_points()
    return all(ord(character) in covered or character in "\n\r\t" for character in text)


def name_or_notice(name: str) -> str:
    """The name as written, or a plain sentence when the font cannot print all of it."""
    if is_printable(name):
        return name
    return _("(the name could not be printed in this document; the clinic holds it as written)")


class PatientDocument(FPDF):
    """An A4 document about one patient, with their header and page numbers on every page."""

    def __init__(self, *, title: str, patient: Patient) -> None:
        super().__init__(format="A4")
        for style, file_name in _FONT_FILES.items():
            self.add_font(FAMILY, style, str(FONT_DIR / file_name))
        self.add_font(FALLBACK_FAMILY, "", str(FONT_DIR / _FALLBACK_FILE))
        self.set_fallback_fonts([FALLBACK_FAMILY], exact_match=False)
        # HarfBuzz joins Arabic letters and lays right-to-left text out in reading order.
        self.set_text_shaping(True)
        self.document_title = title
        self.patient = patient
        self.replaced_characters = False
        self.set_title(self.clean(title))
        self.set_author(self.clean(patient.clinic.name))
        self.alias_nb_pages()
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(15, 15, 15)

    # -- text -----------------------------------------------------------------------------

    def date_text(self, value: datetime.date, day_first_pattern: str) -> str:
        """A date written in the clinic's order (day or month first)."""
        return clinic_date_text(value, day_first_pattern, order=self.patient.clinic.date_order)

    def clean(self, text: str) -> str:
        """``text`` with any character the font lacks shown as the replacement mark, noted
        so the document says so at its end."""
        covered = _covered_code_points()
        out = []
        for character in text:
            if ord(character) in covered or character in "\n\r\t":
                out.append(character)
            else:
                out.append(REPLACEMENT_MARK)
                self.replaced_characters = True
        return "".join(out)

    def paragraph(
        self, text: str, *, size: float = 10.5, style: Style = "", height: float = 5.5
    ) -> None:
        self.set_font(FAMILY, style, size)
        self.multi_cell(0, height, self.clean(text), new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str, size: float = 13) -> None:
        self.paragraph(text, size=size, style="B", height=7)
        self.ln(1)

    def keep_together(self, rows: list[Row]) -> None:
        """Print ``rows`` (text, style, size, line height) on one page: a new page first when
        the block would not fit on what is left of this one."""
        needed = 0.0
        for text, style, size, height in rows:
            self.set_font(FAMILY, style, size)
            measured = self.multi_cell(0, height, self.clean(text), dry_run=True, output="HEIGHT")
            assert isinstance(measured, int | float)
            needed += measured
        if self.get_y() + needed > self.page_break_trigger and self.get_y() > self.t_margin + 20:
            self.add_page()
        for text, style, size, height in rows:
            self.paragraph(text, size=size, style=style, height=height)

    def finish(self) -> bytes:
        if self.replaced_characters:
            self.ln(2)
            self.paragraph(
                _(
                    "Some characters could not be printed and are shown as %(mark)s. "
                    "Ask the clinic for the full text."
                )
                % {"mark": REPLACEMENT_MARK},
                size=9,
            )
        return bytes(self.output())

    # -- every page -----------------------------------------------------------------------

    def header(self) -> None:
        patient = self.patient
        self.set_font(FAMILY, "B", 9)
        self.cell(0, 5, self.clean(patient.clinic.name), new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, "", 9)
        self.cell(
            0,
            5,
            self.clean(
                _("%(title)s for %(name)s, record %(record)s, born %(birth)s")
                % {
                    "title": self.document_title,
                    "name": name_or_notice(patient.full_name),
                    "record": patient.record_number,
                    "birth": self.date_text(patient.birth_date, "j F Y"),
                }
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.ln(5)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FAMILY, "", 8)
        self.cell(
            0,
            5,
            _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"},
            align="C",
        )
