"""The render step: the only place that knows display units and output formats."""
