"""Announcement audio: chime, the sentence, a pause, the sentence again, as one WAV file.

Recorded clips (one WAV per word or phrase, e.g. `clips/mời.wav`, `clips/quầy_số.wav`) are used
when every word of the sentence has one; otherwise espeak-ng's Vietnamese voice speaks it. Every
result is cached on disk under a key of its text and settings, so the second request for the
same call is a file read, and the cache is trimmed to a fixed number of files.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
import unicodedata
import wave
from dataclasses import dataclass
from pathlib import Path

RATE, CHANNELS, WIDTH = 22050, 1, 2  # espeak-ng's own format: 22.05 kHz mono 16-bit
MAX_PHRASE_WORDS = 8


class SynthesisError(RuntimeError):
    """The audio could not be produced (engine missing, failed, or a clip is unreadable)."""


@dataclass(frozen=True)
class Pcm:
    frames: bytes

    @classmethod
    def silence(cls, ms: int) -> Pcm:
        return cls(b"\x00" * (RATE * ms // 1000 * CHANNELS * WIDTH))


def _read_wav(path: Path) -> Pcm:
    """A WAV file as 22.05 kHz mono 16-bit frames, converted with sox when it differs."""
    try:
        with wave.open(str(path), "rb") as wav:
            if (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (RATE, CHANNELS, WIDTH):
                return Pcm(wav.readframes(wav.getnframes()))
    except (wave.Error, EOFError) as exc:
        if not shutil.which("sox"):
            raise SynthesisError(f"Không đọc được tệp âm thanh {path}: {exc}") from None
    sox = shutil.which("sox")
    if sox is None:
        raise SynthesisError(f"Tệp {path} không ở dạng {RATE} Hz mono 16-bit và không có sox để chuyển.")
    done = subprocess.run([sox, str(path), "-r", str(RATE), "-c", "1", "-b", "16", "-e", "signed",
                           "-t", "raw", "-"], capture_output=True, timeout=20)
    if done.returncode != 0:
        raise SynthesisError(f"sox không chuyển được {path}: {done.stderr.decode(errors='replace')[:200]}")
    return Pcm(done.stdout)


def _clip_name(words: list[str]) -> str:
    return unicodedata.normalize("NFC", "_".join(words).lower()) + ".wav"


class AnnouncementCache:
    """Produces and caches announcement WAVs; safe to share between request threads."""

    def __init__(self, cache_dir: str | os.PathLike, *, chime: str | os.PathLike | None = None,
                 clips_dir: str | os.PathLike | None = None, espeak: str | None = None,
                 voice: str = "vi", speed: int = 140, repeat: int = 2, gap_ms: int = 800,
                 max_files: int = 2000):
        self.cache_dir = Path(cache_dir)
        self.chime = Path(chime) if chime else None
        self.clips_dir = Path(clips_dir) if clips_dir else None
        self.espeak = espeak or shutil.which("espeak-ng")
        self.voice, self.speed, self.repeat, self.gap_ms = voice, speed, repeat, gap_ms
        self.max_files = max_files
        self._lock = threading.Lock()
        self._writes = 0
        self._chime: tuple[int, Pcm] | None = None  # (mtime_ns, frames): read once, not per call

    # --- public ---------------------------------------------------------------------------
    def path_for(self, spoken: str) -> Path:
        """The cached WAV for this spoken sentence, synthesising it on a miss."""
        spoken = " ".join(unicodedata.normalize("NFC", spoken).split())
        if not spoken:
            raise SynthesisError("Câu thông báo rỗng.")
        target = self.cache_dir / f"{self._key(spoken)}.wav"
        if target.exists():
            return target
        with self._lock:  # one synthesis at a time; a racing request then finds the file
            if target.exists():
                return target
            audio = self.compose(spoken)
            self._write(target, audio)
        return target

    def compose(self, spoken: str) -> Pcm:
        """Chime, short pause, then the sentence `repeat` times with a gap between."""
        sentence = self.sentence(spoken)
        parts: list[bytes] = []
        if self.chime and self.chime.exists():
            parts += [self._chime_frames().frames, Pcm.silence(250).frames]
        for i in range(self.repeat):
            if i:
                parts.append(Pcm.silence(self.gap_ms).frames)
            parts.append(sentence.frames)
        parts.append(Pcm.silence(200).frames)
        return Pcm(b"".join(parts))

    def sentence(self, spoken: str) -> Pcm:
        clips = self._from_clips(spoken.split(" "))
        return clips if clips is not None else self._espeak(spoken)

    def uses_clips(self, spoken: str) -> bool:
        return self._clip_plan(spoken.split(" ")) is not None

    # --- internals ------------------------------------------------------------------------
    def _chime_frames(self) -> Pcm:
        stamp = self.chime.stat().st_mtime_ns
        if self._chime is None or self._chime[0] != stamp:
            self._chime = (stamp, _read_wav(self.chime))
        return self._chime[1]

    def _key(self, spoken: str) -> str:
        parts = [spoken, self.voice, str(self.speed), str(self.repeat), str(self.gap_ms)]
        if self.chime and self.chime.exists():
            parts.append(f"chime:{self.chime.stat().st_mtime_ns}:{self.chime.stat().st_size}")
        plan = self._clip_plan(spoken.split(" "))
        if plan is not None:
            parts += [f"{p.name}:{p.stat().st_mtime_ns}" for p in plan]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]

    def _clip_plan(self, words: list[str]) -> list[Path] | None:
        """Longest phrase clips first; None unless every word is covered."""
        if not self.clips_dir or not self.clips_dir.is_dir():
            return None
        plan: list[Path] = []
        i = 0
        while i < len(words):
            for size in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
                candidate = self.clips_dir / _clip_name(words[i:i + size])
                if candidate.is_file():
                    plan.append(candidate)
                    i += size
                    break
            else:
                return None
        return plan

    def _from_clips(self, words: list[str]) -> Pcm | None:
        plan = self._clip_plan(words)
        if plan is None:
            return None
        gap = Pcm.silence(60).frames
        return Pcm(gap.join(_read_wav(p).frames for p in plan))

    def _espeak(self, spoken: str) -> Pcm:
        if not self.espeak:
            raise SynthesisError("Chưa cài espeak-ng (apt-get install espeak-ng) và không có đủ tệp "
                                 "ghi âm cho câu này.")
        with tempfile.TemporaryDirectory(prefix="motcua-tts-") as tmp:
            out = Path(tmp) / "s.wav"
            try:
                done = subprocess.run([self.espeak, "-v", self.voice, "-s", str(self.speed),
                                       "-w", str(out), "--", spoken],
                                      capture_output=True, timeout=20)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise SynthesisError(f"espeak-ng không chạy được: {exc}") from None
            if done.returncode != 0 or not out.exists():
                raise SynthesisError("espeak-ng lỗi: " + done.stderr.decode(errors="replace")[:200])
            return _read_wav(out)

    def _write(self, target: Path, audio: Pcm) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.cache_dir, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh, wave.open(fh, "wb") as wav:
                wav.setnchannels(CHANNELS)
                wav.setsampwidth(WIDTH)
                wav.setframerate(RATE)
                wav.writeframes(audio.frames)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._writes += 1
        if self._writes % 50 == 0:
            self.trim()

    def trim(self) -> int:
        """Delete the oldest cached files beyond `max_files`; returns how many went."""
        files = sorted(self.cache_dir.glob("*.wav"), key=lambda p: p.stat().st_mtime)
        extra = files[:max(0, len(files) - self.max_files)]
        for path in extra:
            path.unlink(missing_ok=True)
        return len(extra)
