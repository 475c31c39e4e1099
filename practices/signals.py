"""What practices tells the apps above it. They listen; practices never imports them."""

from django.dispatch import Signal

# Sent inside the transaction that changes a staff role (staff_role_update), with
# ``role``: every figure costed with that role's rate is stale from now on. pathways
# listens and gives the cost models that use the role a new version.
staff_role_changed = Signal()
