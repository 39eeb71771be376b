"""Imported once by the forkserver that starts the worker processes (``engines.local.worker_pool``):
what every worker needs is loaded here, once, and shared by the workers it forks, instead of
each worker loading it on its first file."""

from analyzer.engines import tasks  # noqa: F401  (and through it the metrics)
from analyzer.readers import fit_reader, gpx, tcx  # noqa: F401
from analyzer.timezones import zone_at

# tzfpy reads its map on the first lookup (0.1 s and about 30 MB): here, not in every worker.
zone_at(0.0, 0.0)
