"""The benchmark harness: `make bench` (the full run) and `make bench-smoke` (CI's few seconds); see README.md."""
