"""The pieces of benchmarks/search.py: the corpus, the query mix, the competent
baseline (Wagtail's database search), one backend's run (worker) and the report."""
