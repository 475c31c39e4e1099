"""The password hasher: Argon2id at OWASP's recommended parameters for a login server.

Django's Argon2 default (102,400 KiB of memory, 2 passes, 8 lanes) costs about
170 ms of processor time a login on this project's 2-core machine, so fifty
people logging in at once queue for seconds (issue 19's load test: logins at
p95 4 s). OWASP's Password Storage Cheat Sheet recommends Argon2id with at
least 19 MiB of memory, 2 passes and 1 lane: about 17 ms a login here, ten
times fewer processor seconds and a fifth of the memory per concurrent login,
at a strength OWASP counts as sufficient. One lane also means one login never
takes both cores from the pages being served.

A password stored with other parameters (Django's defaults, or PBKDF2 from
before Argon2) is checked as stored and re-hashed with these at the user's next
login (Django's ``must_update``), so nobody has to reset a password.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    # Same algorithm name as Django's: hashes stay readable by either class.
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
