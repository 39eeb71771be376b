"""calfguard: training patterns associated with calf pain, from watch exports."""

__version__ = "0.1.0"
