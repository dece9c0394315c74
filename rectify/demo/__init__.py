"""Synthetic data for demonstrations and benchmarks. Nothing the running application imports
lives here: only ``manage.py generate_demo_data`` (inside its ``handle``), the bench and the tests."""
