"""The benchmark behind `make bench` (manage.py bench): synthetic data and measurements.

Not imported by the app at run time: only the bench command and its helper
subprocess use it.
"""
