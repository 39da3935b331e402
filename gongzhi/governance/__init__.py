"""The governance loop (治理环): a subdistrict switches a neighborhood, or itself as a whole, between
daily work (日常), emergency (应急) and risk (风险) modes; the mode changes what workbenches show
first, the deadlines of concerns accepted meanwhile, who is told and which call-up rosters stand by
(docs/workbench.md, "Governance loop")."""
