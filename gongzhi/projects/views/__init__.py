"""Project pages, one module per page family: `projects` (list, create, edit), `detail` (a project's
page and the actions on it), `rounds` (review rounds and allocations), `public` (notices without
login) and `subdistrict` (the funder's settings). Thin: parse, call one selector or service, render."""
