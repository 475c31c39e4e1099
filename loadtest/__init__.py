"""Load testing (make load): see loadtest/run.py."""

PASSWORD = "load-test-password-2026"
USERS = 200
