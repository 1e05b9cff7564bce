"""The pieces of benchmarks/scale.py: paths and the bench prefix (common), the shared
OpenSearch cluster (engine), partner rows built from ../shared/data (data), the load
through the import service (loading), search_reindex and the sizes on disk (sizes),
the processes' memory (memory), the search mix (searches), the py-spy profile
(pyspy), the run's phases (phases) and the printed figures (report)."""
