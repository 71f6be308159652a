"""Staffing advice: the fewest counters per service and hour that keep the average wait within
the target — Erlang C first (`erlang`), then checked by simulation (`check`), turned into
advice and a weekly plan from the event log (`advice`)."""
