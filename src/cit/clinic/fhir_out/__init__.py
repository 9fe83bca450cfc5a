"""CIT's records as FHIR R4 resources (validated with the ``fhir.resources`` R4B models).

One module per group of resource types turns Django rows into plain JSON dicts:
:mod:`.directory` (Organization, Practitioner, PractitionerRole, Location, Device, Patient),
:mod:`.intake` (Condition, MedicationStatement, AllergyIntolerance, Observation from the
latest questionnaire version), :mod:`.care` (Appointment, Procedure, CarePlan, Consent).
:mod:`.registry` says, per type, which rows are in a user's scope and how they are searched;
the HTTP views are :mod:`cit.api.fhir_rest`. It reads the clinic's models, so it lives in
the clinic (a plain package, not a Django app); the format's framework-free parts are in
:mod:`cit.interop` (:mod:`~cit.interop.fhir_elements`, :mod:`~cit.interop.fhir_search`,
:mod:`~cit.interop.snomed_body_sites`).
"""
