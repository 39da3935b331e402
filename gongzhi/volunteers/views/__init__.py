"""Pages for volunteers, activities, the points ledger, call-ups, wishes, rosters and the honour roll,
one module per page family. Thin: parse, call a selector or service, render."""
