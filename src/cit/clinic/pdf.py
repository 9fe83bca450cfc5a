"""The PDF set-up the clinic's documents share (fpdf2): page, metadata, Latin-1 text."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpdf import FPDF

# The PDF core fonts are Latin-1: typographic characters the knowledge base uses are
# written as their plain equivalents rather than dropped.
_PLAIN = str.maketrans(
    {"–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "≤": "<=", "≥": ">=", "…": "..."}
)


def latin1(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def new_document(title: str, author: str) -> FPDF:
    """An A4 document with its first page added and automatic page breaks."""
    # fpdf2 (~55 MB) loads on the first document, not in every web worker.
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(latin1(title))
    pdf.set_author(latin1(author))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    return pdf
