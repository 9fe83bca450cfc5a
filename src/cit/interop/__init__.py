"""Standards at the boundary: FHIR R4 in (``fhir_intake``), and later CDS Hooks and iCalendar."""
