"""What practices tells the apps above it. They listen; practices never imports them."""

from django.dispatch import Signal

# Sent inside the transaction that changes a staff role (staff_role_update), once the
# change is saved, with ``role``: every figure costed with that role's rate is stale
# from now on. pathways listens, gives the cost models that use the role a new
# version and stores their totals at the new rate.
staff_role_changed = Signal()
