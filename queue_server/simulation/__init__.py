"""Discrete-event simulation of centre days that drives the real queue engine (QueueService)
with a simulated clock and writes real events: demo data, prediction evaluation, staffing checks."""
