"""calfguard: training patterns associated with calf pain, from watch exports."""
