"""What costing tells the apps above it. They listen; costing never imports them."""

from django.dispatch import Signal

# Sent inside load_reference_data's transaction once costing's own tables are loaded:
# an app that keeps reference data of its own (pathways: the condition registers)
# loads it in the same transaction and returns a few words on what it loaded.
reference_data_loaded = Signal()
