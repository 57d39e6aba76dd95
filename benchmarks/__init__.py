"""National-scale benchmark of the quarterly refresh (issue 9): see benchmarks/README.md."""
