"""National-scale benchmarks of Cap QVCT's hot paths: ``make bench``, see docs/benchmarks.md."""
