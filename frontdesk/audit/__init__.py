"""The audit log: every administrative action, who did it, what it touched, and the thing
as it was before and after. Written only here; admins read and filter it."""
