"""Operations: backup and restore (ops.backup), retention purge (ops.retention), the health
report (ops.health), the scheduled jobs (ops.jobs) and their `motcua` commands (ops.cli)."""
