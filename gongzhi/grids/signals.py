"""Signals other apps listen to. Grids sit below visits in the layers, so adoption cannot update
visits itself; it announces which buildings' households changed grid, and visits follows."""

from django.dispatch import Signal

# Sent after an adopted plan moved households; kwargs: building_ids (list of int). Receivers run
# inside the adoption's transaction.
households_regridded = Signal()
