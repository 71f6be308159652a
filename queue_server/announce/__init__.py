"""Vietnamese call announcements: numbers read the Vietnamese way, the sentence from the
centre's template, audio synthesised offline (recorded clips preferred, espeak-ng otherwise)
and cached on disk so a repeated call costs a file read."""

from .numbers import read_number, read_ticket_number
from .sentence import announcement_text, spoken_text
from .synth import AnnouncementCache, SynthesisError

__all__ = ["AnnouncementCache", "SynthesisError", "announcement_text", "read_number",
           "read_ticket_number", "spoken_text"]
