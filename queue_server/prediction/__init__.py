"""Wait-time prediction: replay the call policy over today's queue with each open counter's
recent pace (`model`), from a snapshot of the queue read once every few seconds (`situation`),
judged against the naive estimate on simulated days (`evaluate`)."""
