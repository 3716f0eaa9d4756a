"""The alert rules: pure detectors over plain facts (no I/O), and the registry naming them.

`facts` holds the values a detector reads (loaded by `supervision.selectors` through the
read-only connection, or built from OCDS data by `supervision.ocds`); `screens` holds the
bid-rigging statistics; `detectors` the rules themselves; `registry` maps a detector name
(`AlertRule.detector`) to its function.
"""
