"""Who may do what: the role groups every screen, command and rule checks against (defined once, here)."""

from __future__ import annotations

from models import Role

ALL_ROLES = tuple(r.value for r in Role)
# Serve at a counter and take a paid-product request's steps.
COUNTER_ROLES = (Role.officer.value, Role.supervisor.value, Role.admin.value)
# Confirm payments and issue receipts.
TREASURER_ROLES = (Role.treasurer.value,)
# See the treasurer's lists (the treasurer, and those who oversee the unit).
TREASURER_VIEW_ROLES = (Role.treasurer.value, Role.supervisor.value, Role.admin.value)
# Anyone on the staff: read requests, record a payment, print papers.
STAFF_ROLES = ALL_ROLES
# The live view, reports, printers.
SUPERVISOR_ROLES = (Role.supervisor.value, Role.admin.value)
# Set the office up.
ADMIN_ROLES = (Role.admin.value,)
# A person's rights at the counter (see, export, correct, merge, erase their data) and who read whose data: the
# head of the PST unit only (UU 27/2022; docs/PRIVACY.md). Not the admin: running the system is not deciding
# about a visitor's data.
PRIVACY_ROLES = (Role.supervisor.value,)
