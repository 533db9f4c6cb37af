"""Pure rules of the service: money, calendar, reporting lines, supervision, actions (standard library only)."""
