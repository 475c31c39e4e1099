"""The benchmark behind `make bench` (python -m bench): synthetic data and measurements.

Not imported by the app at run time: only python -m bench and its helper
subprocess use it.
"""
