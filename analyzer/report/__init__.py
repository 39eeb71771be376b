"""The render step: the only place that knows display units and output formats.

Two layers. The neutral one says what every format shows and imports no rendering library:
``digest`` (what the analysis says now, computed once), ``records`` (plain rows for JSON and
CSV), ``wording`` (the reports' fixed words) and ``units`` (km or miles, paces, dates). The
renderers each turn it into one format: ``terminal`` (rich), ``html_report`` (with ``charts``,
matplotlib), ``markdown``, ``json_report``, ``csv_report``. A renderer imports the neutral layer,
never another renderer.
"""
