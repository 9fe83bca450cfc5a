"""SNOMED CT body structures for CIT's treatment zones, as FHIR ``bodySite`` codings.

Every code is a concept of DICOM PS3.16 CID 4029 "Dermatology Anatomic Site" (a published
value set of "skin of ..." structures; read from its FHIR rendering,
github.com/bvdh/dicom-terminology-in-fhir, ValueSet-dicom-cid-4029-DermatologyAnatomicSite,
version 20240913), with the display it gives. A zone with no matching concept in that list
(thighs, arms: only surface-specific or whole-limb concepts are listed) has none, and its
bodySite carries the zone's words and CIT's own zone code only.
"""

from __future__ import annotations

SNOMED_SKIN_OF_ZONE: dict[str, tuple[str, str]] = {
    "forehead": ("68698007", "Skin of forehead"),
    "periorbital": ("362916000", "Skin of eye region"),
    "nose": ("113179006", "Skin of nose"),
    "cheeks": ("36141000", "Skin of cheek"),
    "perioral": ("110488009", "Skin of perioral region of face"),
    "chin": ("23747009", "Skin of chin"),
    "jawline": ("244097004", "Skin of jawline"),
    "neck": ("43081002", "Skin of neck"),
    "chest": ("244106003", "Skin of anterior surface of thorax"),
    "hands": ("33712006", "Skin of hand"),
    "scalp": ("43067004", "Skin of scalp"),
    "abdomen": ("75093004", "Skin of abdomen"),
    "buttocks": ("22180002", "Skin of buttock"),
    "face": ("73897004", "Skin of face"),
}
