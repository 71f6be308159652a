"""Announcement audio: espeak-ng synthesis, the chime and the repeat, the disk cache, and
recorded clips preferred over the engine when they cover the sentence."""

import wave
from pathlib import Path

import pytest
from support import need_tool

from queue_server.announce import AnnouncementCache, SynthesisError, spoken_text
from queue_server.announce.synth import RATE

CHIME = Path(__file__).resolve().parents[2] / "static" / "audio" / "chime.wav"
SPOKEN = spoken_text(None, "A025", 3)


def frames(path: Path) -> int:
    with wave.open(str(path), "rb") as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (RATE, 1, 2)
        return wav.getnframes()


def write_tone(path: Path, ms: int, level: int = 8000) -> None:
    n = RATE * ms // 1000
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(b"".join(((level if i % 20 < 10 else -level) & 0xFFFF).to_bytes(2, "little")
                                 for i in range(n)))


def test_chime_is_committed_small_and_in_the_engine_format():
    assert CHIME.exists() and CHIME.stat().st_size < 100_000
    assert 0.3 < frames(CHIME) / RATE < 2.0


def test_espeak_sentence_twice_after_the_chime_then_cached(tmp_path):
    need_tool("espeak-ng")
    once = AnnouncementCache(tmp_path / "a", repeat=1)
    twice = AnnouncementCache(tmp_path / "b", chime=CHIME, repeat=2)
    one = frames(once.path_for(SPOKEN))
    path = twice.path_for(SPOKEN)
    total = frames(path)
    # chime + 250 ms + sentence + 800 ms + sentence + 200 ms (the single one has its 200 ms too)
    sentence = one - RATE * 200 // 1000
    expected = frames(CHIME) + RATE * 250 // 1000 + 2 * sentence + RATE * 800 // 1000 + RATE * 200 // 1000
    assert total == expected
    assert sentence / RATE > 2.0  # a real sentence, not silence
    with wave.open(str(path), "rb") as wav:
        data = wav.readframes(wav.getnframes())
    assert max(abs(int.from_bytes(data[i:i + 2], "little", signed=True))
               for i in range(0, len(data), 2)) > 3000
    mtime = path.stat().st_mtime_ns
    assert twice.path_for(SPOKEN) == path and path.stat().st_mtime_ns == mtime
    # another sentence is another file
    assert twice.path_for(spoken_text(None, "A026", 3)) != path


def test_recorded_clips_are_preferred_and_the_engine_is_not_needed(tmp_path):
    clips = tmp_path / "clips"
    clips.mkdir()
    words = SPOKEN.split(" ")
    # one phrase clip for the opening words, single-word clips for the rest
    write_tone(clips / "xin_mời_công_dân.wav", 400)
    for word in set(words[4:]):
        write_tone(clips / f"{word}.wav", 100)
    cache = AnnouncementCache(tmp_path / "cache", clips_dir=clips, espeak="/nonexistent/espeak-ng",
                              repeat=1)
    assert cache.uses_clips(SPOKEN)
    total = frames(cache.path_for(SPOKEN))
    pieces = 1 + len(words[4:])
    expected = RATE * 400 // 1000 + (pieces - 1) * RATE * 100 // 1000 \
        + (pieces - 1) * RATE * 60 // 1000 + RATE * 200 // 1000
    assert total == expected
    # a word without a clip falls back to the engine, which here is missing: a clear error
    with pytest.raises(SynthesisError, match="espeak-ng"):
        cache.path_for(SPOKEN + " tầng hai")


def test_clips_in_another_format_are_converted(tmp_path):
    need_tool("sox")
    import subprocess

    clips = tmp_path / "clips"
    clips.mkdir()
    subprocess.run(["sox", "-n", "-r", "44100", "-c", "2", str(clips / "mời.wav"), "synth", "0.5",
                    "sine", "440"], check=True)
    cache = AnnouncementCache(tmp_path / "cache", clips_dir=clips, espeak="/nonexistent", repeat=1)
    assert frames(cache.path_for("mời")) == RATE // 2 + RATE * 200 // 1000


def test_cache_is_trimmed_to_its_bound(tmp_path):
    need_tool("espeak-ng")
    cache = AnnouncementCache(tmp_path / "c", max_files=3, repeat=1)
    for n in range(6):
        cache.path_for(f"số {n}")
    assert cache.trim() == 3
    assert len(list((tmp_path / "c").glob("*.wav"))) == 3
    assert not list((tmp_path / "c").glob("*.part"))


def test_empty_sentence_is_refused(tmp_path):
    with pytest.raises(SynthesisError):
        AnnouncementCache(tmp_path).path_for("   ")
