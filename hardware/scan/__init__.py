"""MotCua."""
