"""Standards at the boundary, without the clinic's models or Django: FHIR R4 in
(``fhir_intake``), the building blocks of FHIR R4 out (``fhir_elements``, ``fhir_search``,
``snomed_body_sites``; the writer that reads the clinic's rows is :mod:`cit.clinic.fhir_out`),
a FHIR client and the CDS Hooks service."""
