"""Vietnamese procedure search for the kiosk: accent-insensitive, typo-tolerant, ranked.

Citizens type with or without diacritics ("dang ky ket hon", "kết hon"), with typos ("khai sinhh"),
in everyday words kept as keywords ("sổ đỏ", "hộ khẩu") or by the paper they hold ("giấy chứng
sinh").  Text is folded (accents dropped, đ→d, lower case) and indexed once.  A query runs through
tiers from strongest to weakest and stops as soon as the tiers so far have filled ``limit`` results.  The last query word may be the start of a word
(the kiosk searches while the citizen types: 2 letters alone, 1 after other words); otherwise the
strong tiers take words as typed:

=============  ===================================================================  ======
reason         match                                                                base
=============  ===================================================================  ======
code           the query is (the start of) a procedure code                          1400
name_exact     the query is the whole name                                           1300
name_phrase    the whole query as a phrase in the name                               1200
name_words     every query word in the name                                          1100
keyword        one keyword holds every query word                                    1000
words          words in the name, the rest in one keyword or the field               900
document       one required document's (or form's) name holds the query words        800
field          every word in the field (lĩnh vực): the query names a field            700
-------------  ---- only when no tier above matched: typo-tolerant guesses ----------  ------
name_fuzzy     every word in the name, allowing typos                                 600
keyword_fuzzy  one keyword holds every word, allowing typos                           500
field_fuzzy    every word in the field, allowing typos                                400
words_fuzzy    every word in the name, keywords or field, typos allowed               300
text           every word somewhere (documents, result…), typos allowed              200
partial        at least half the words somewhere                                      100
=============  ===================================================================  ======

Why the split: a fuzzy match is a guess ("thuong tru" ≈ "trường" in an unrelated name), useful when
nothing else matched and noise otherwise, so real matches alone are shown when there are any; a
query naming a field ("cư trú", "hộ tịch") lists the whole field, after the procedures whose name or
keywords match.  Among guesses, tiers more than two below the best one are dropped.

Documents: a citizen often searches by the paper in hand ("giấy chứng sinh" → "Đăng ký khai sinh",
"giấy báo tử" → "Đăng ký khai tử").  Every query word must be in one document's name, in the typed
order, with at most two other words between neighbours ("giấy xác nhận hôn nhân" finds "Giấy xác nhận
tình trạng hôn nhân"): document texts run to 40 words of common syllables, and a bare set of words
finds chance hits ("sổ đỏ" in "Giấy chứng sinh do cơ sở y tế…").  It is a real match, so it shuts out
the guesses, but weaker than the procedure's own name, keywords or field (a paper serves several
procedures), hence below ``words``.  It is skipped when the query names a field: the field's words in
a document ("giấy tờ chứng minh nơi cư trú", "thông tin hộ tịch") are about the field, and "cư trú"
should list the residence procedures, not every dossier asking for proof of residence; as the two
tiers never mix, ``document`` sits above ``field`` only on paper.

Within a tier, records rank by how much of the name the query covers, popularity, a match at the
start of the name and closeness to the typed words (a bonus below 100, so tiers never mix); the
document tier measures coverage and start against the best matching document instead of the name;
the field tier goes by popularity alone, as browsing the field does.  Fuzzy matching uses rapidfuzz's
OSA edit distance (typos and swapped letters): 0 edits for words of ≤ 3 letters, 1 for 4–5, 2 longer.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .model import Procedure

_COMBINING = re.compile(r"[\u0300-\u036f]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_DD = str.maketrans({"đ": "d", "Đ": "d"})

#: Base score of a code match, and the lowest base of a real (non-fuzzy) match.
_CODE = 1400.0
_STRONG = 700.0

#: Words people add around a procedure name ("thủ tục …", "làm …", "xin …").
_STOP_PHRASES = ("thu tuc", "huong dan", "the nao", "o dau")
_STOP_WORDS = frozenset({"lam", "xin", "cach", "toi", "muon", "nhu"})


def fold(text: str) -> str:
    """Lower case, no diacritics, đ→d, words separated by single spaces: "Đăng ký" → "dang ky"."""
    text = unicodedata.normalize("NFD", text.translate(_DD))
    text = _COMBINING.sub("", text).lower()
    return _NON_WORD.sub(" ", text).strip()


# A syllable made of an initial consonant and "y" is spelt with "i" just as often (ký/kí, lý/lí, mỹ/mĩ).
_Y_SYLLABLE = re.compile(r"\b(b|c|ch|d|g|gh|gi|h|k|kh|l|m|n|ng|ngh|nh|p|ph|qu|r|s|t|th|tr|v|x)y\b")


def search_key(text: str) -> str:
    """``fold`` plus the i/y spelling merge used for matching: "Đăng kí" and "đăng ký" → "dang ki"."""
    return _Y_SYLLABLE.sub(r"\1i", fold(text))


#: Most other words allowed between two neighbouring query words in a document's name.
_DOC_GAP = 2


def _in_document(words: tuple[str, ...], wanted: list[set[str]]) -> bool:
    """True when ``words`` holds one of each ``wanted`` set in order, at most ``_DOC_GAP`` words apart."""
    ends = [j for j, w in enumerate(words) if w in wanted[0]]
    for ws in wanted[1:]:
        if not ends:
            return False
        ends = [j for j, w in enumerate(words) if w in ws and any(0 < j - e <= _DOC_GAP + 1 for e in ends)]
    return bool(ends)


def _max_edits(token: str) -> int:
    return 0 if len(token) <= 3 else 1 if len(token) <= 5 else 2


@dataclass(frozen=True)
class Hit:
    """A ranked result: the record, its score and which tier matched (for debugging and tests)."""

    procedure: Procedure
    score: float
    reason: str


@dataclass
class _Entry:
    proc: Procedure
    name: str  # folded, padded with spaces for word-bounded phrase tests
    name_len: int
    keyword_words: list[set[str]]  # the words of each keyword, folded
    sort_key: tuple
    pop_bonus: float = 0.0


class CatalogIndex:
    """Search and browse index over a fixed set of procedures; build once, query many times."""

    def __init__(self, procedures: Iterable[Procedure]) -> None:
        self._entries: list[_Entry] = []
        self._postings: dict[str, dict[str, set[int]]] = {k: {} for k in ("name", "kw", "field", "any")}
        # Document and form names, each distinct text once for the whole catalogue: the same papers
        # ("Giấy tờ tùy thân…", "Tờ khai … (Mẫu CT01)") recur in hundreds of procedures, so a query
        # checks each text once and credits every procedure listing it.
        self._docs: list[tuple[str, tuple[str, ...]]] = []  # padded folded text, its words in order
        self._doc_procs: list[list[int]] = []  # per document, the records listing it
        self._doc_postings: dict[str, set[int]] = {}  # word → documents holding it
        doc_ids: dict[str, int] = {}
        self._by_code: dict[str, Procedure] = {}
        self._fields: dict[str, list[int]] = {}
        for i, p in enumerate(procedures):
            name = search_key(p.name)
            kws = [search_key(k) for k in p.keywords]
            # The same paper recurs across dossier cases and as the form: index each text once.
            docs = list(dict.fromkeys(t for t in (search_key(x) for x in (
                *(d.name for c in p.dossier_cases for d in c.documents), *(f.name for f in p.forms))) if t))
            other = " ".join(search_key(t) for t in (p.result, p.subjects))
            self._entries.append(_Entry(p, f" {name} ", max(1, len(name.split())), [set(k.split()) for k in kws],
                                        (-p.popularity, name), 45 * p.popularity / 100))
            for d in docs:
                if d not in doc_ids:
                    doc_ids[d] = len(self._docs)
                    self._docs.append((f" {d} ", tuple(d.split())))
                    self._doc_procs.append([])
                    for tok in set(d.split()):
                        self._doc_postings.setdefault(tok, set()).add(doc_ids[d])
                self._doc_procs[doc_ids[d]].append(i)
            self._by_code[p.code] = p
            self._fields.setdefault(p.field, []).append(i)
            fld = search_key(p.field)
            for key, text in (("name", name), ("kw", " ".join(kws)), ("field", fld),
                              ("any", " ".join((name, *kws, fld, *docs, other)))):
                for tok in set(text.split()):
                    self._postings[key].setdefault(tok, set()).add(i)
        self._vocab = sorted(self._postings["any"])
        self._default = sorted(range(len(self._entries)), key=lambda i: self._entries[i].sort_key)

    def __len__(self) -> int:
        return len(self._entries)

    # -- browsing -----------------------------------------------------------------------------------

    def get(self, code: str) -> Procedure | None:
        return self._by_code.get(code)

    def fields(self) -> list[tuple[str, int]]:
        """Every field (lĩnh vực) with its number of procedures, in alphabetical order."""
        return sorted(((f, len(ix)) for f, ix in self._fields.items()), key=lambda x: fold(x[0]))

    def by_field(self, field: str) -> list[Procedure]:
        """Procedures of one field (matched with or without accents), most common first."""
        key = fold(field)
        ix = [i for f, idx in self._fields.items() if fold(f) == key for i in idx]
        return [self._entries[i].proc for i in sorted(ix, key=lambda i: self._entries[i].sort_key)]

    # -- searching ----------------------------------------------------------------------------------

    def search(self, q: str, limit: int = 20) -> list[Procedure]:
        """The best ``limit`` procedures for ``q``; every procedure (most common first) when ``q`` is blank."""
        return [h.procedure for h in self.search_hits(q, limit)]

    def search_hits(self, q: str, limit: int = 20) -> list[Hit]:
        """Ranked hits with their score and tier (``reason``); ``search`` without the scores."""
        if limit <= 0:
            return []
        q = (q or "").strip()
        if not fold(q):
            return [Hit(self._entries[i].proc, 0.0, "all") for i in self._default[:limit]]
        found: dict[int, tuple[float, str]] = {}
        code_q = q.replace(" ", "")
        if re.fullmatch(r"[\d.]{3,}", code_q):
            for i, e in enumerate(self._entries):
                if e.proc.code.startswith(code_q) or (e.proc.local_code and e.proc.local_code.startswith(code_q)):
                    found[i] = (_CODE + e.proc.popularity / 100, "code")
        tokens = self._query_tokens(q)
        if tokens:
            self._tiers(tokens, limit, found)
        if not found:
            return []
        best = max(s for s, _ in found.values())
        # Real matches stand alone; among guesses, keep the best tier and the two below it.
        floor = _STRONG if best >= _STRONG else (best // 100 - 2) * 100
        kept = ((i, s, r) for i, (s, r) in found.items() if s >= floor)
        top = heapq.nsmallest(limit, kept, key=lambda x: (-x[1], self._entries[x[0]].name))
        return [Hit(self._entries[i].proc, s, r) for i, s, r in top]

    @staticmethod
    def _query_tokens(q: str) -> list[str]:
        text = f" {search_key(q)} "
        stripped = text
        for phrase in _STOP_PHRASES:
            stripped = stripped.replace(f" {phrase} ", " ")
        words = [w for w in stripped.split() if w not in _STOP_WORDS]
        return words or text.split()

    def _close_variants(self, token: str, prefix: bool) -> dict[str, float]:
        """Index words that are ``token`` (cost 0) or, when ``prefix``, start with it (cost 0.3)."""
        out: dict[str, float] = {}
        if prefix:
            j = bisect_left(self._vocab, token)
            while j < len(self._vocab) and self._vocab[j].startswith(token):
                out[self._vocab[j]] = 0.3
                j += 1
        if token in self._postings["any"]:
            out[token] = 0.0
        return out

    def _fuzzy_variants(self, token: str, close: dict[str, float]) -> dict[str, float]:
        """``close`` plus index words within the allowed edit distance of ``token`` (cost = edits)."""
        out = dict(close)
        k = _max_edits(token)
        if k:
            for word, dist, _ in process.extract(token, self._vocab, scorer=OSA.distance, score_cutoff=k, limit=None):
                out[word] = min(out.get(word, 9.0), float(dist))
        return out

    def _documents_with(self, variants: list[dict[str, float]]) -> set[int]:
        """Documents holding, for every query word, one of its ``variants`` (order is checked later)."""
        sets = []
        for v in variants:
            s: set[int] = set()
            for word in v:
                s.update(self._doc_postings.get(word, ()))
            if not s:
                return set()
            sets.append(s)
        sets.sort(key=len)
        return set.intersection(*sets)

    def _matches(self, key: str, variants: dict[str, float]) -> dict[int, float]:
        """Records whose ``key`` text holds one of ``variants``, with the cheapest cost."""
        postings = self._postings[key]
        best: dict[int, float] = {}
        for word, cost in sorted(variants.items(), key=lambda x: -x[1]):
            for i in postings.get(word, ()):
                best[i] = cost  # ascending-cost overwrite keeps the minimum
        return best

    def _tiers(self, tokens: list[str], limit: int, found: dict[int, tuple[float, str]]) -> None:
        n = len(tokens)
        # The last word may be half typed: a prefix of 2+ letters, or of 1 after other words ("thuong t").
        close = [self._close_variants(t, k == n - 1 and (len(t) >= 2 or n > 1)) for k, t in enumerate(tokens)]
        entries = self._entries
        phrase = " ".join(tokens)
        start = f" {phrase}"

        def matcher(variants: list[dict[str, float]]) -> Callable[[str], list[dict[int, float]]]:
            """Per query word, the records matching it in one indexed text (cached per text)."""
            cache: dict[str, list[dict[int, float]]] = {}

            def per_token(key: str) -> list[dict[int, float]]:
                if key not in cache:
                    cache[key] = [self._matches(key, v) for v in variants]
                return cache[key]
            return per_token

        def every(per_token: Callable[[str], list[dict[int, float]]], keys: tuple[str, ...]) -> set[int]:
            """Records where every query word matches in one of ``keys`` texts."""
            sets = []
            for t in range(n):
                s: set[int] = set()
                for k in keys:
                    s.update(per_token(k)[t])
                sets.append(s)
            return set.intersection(*sets)

        def one_keyword(i: int, words: list[set[str]]) -> bool:
            """True when a single keyword holds every query word (keywords are separate phrases)."""
            return any(all(ws & kw for ws in words) for kw in entries[i].keyword_words)

        def add(ids: Iterable[int], base: float, reason: str, per_token: Callable[[str], list[dict[int, float]]],
                keys: tuple[str, ...] = ("name",)) -> None:
            # Hot loop (thousands of candidates for a one-word query): keep it flat.
            per = [per_token(k) for k in keys]
            for i in ids:
                if i in found:
                    continue
                e = entries[i]
                if len(per) == 1:
                    typo = sum(m.get(i, 9.0) for m in per[0]) / n
                else:
                    typo = sum(min(p[t].get(i, 9.0) for p in per) for t in range(n)) / n
                bonus = (35 * min(1.0, n / e.name_len) + e.pop_bonus + (10 if e.name.startswith(start) else 0)
                         + 9 * (1 - min(1.0, typo)))
                found[i] = (base + bonus, reason)

        exact = matcher(close)
        name_words = every(exact, ("name",))
        add((i for i in name_words if entries[i].name == f"{start} "), 1300, "name_exact", exact)
        add((i for i in name_words if f"{start} " in entries[i].name), 1200, "name_phrase", exact)
        add(name_words, 1100, "name_words", exact)
        if len(found) >= limit:
            return
        close_words = [set(v) for v in close]
        add((i for i in every(exact, ("kw",)) if one_keyword(i, close_words)), 1000, "keyword", exact, ("kw",))
        if len(found) >= limit:
            return
        in_field = every(exact, ("field",))
        in_name, in_field_t = exact("name"), exact("field")

        def name_plus_one(i: int) -> bool:
            """Words not in the name are all in one keyword and/or the field (each is its own phrase)."""
            rest = [t for t in range(n) if i not in in_name[t]]
            return all(i in in_field_t[t] for t in rest) or any(
                all(i in in_field_t[t] or close_words[t] & kw for t in rest) for kw in entries[i].keyword_words)

        mixed = (i for i in every(exact, ("name", "kw", "field")) - in_field if name_plus_one(i))
        add(mixed, 900, "words", exact, ("name", "kw", "field"))
        if len(found) >= limit:
            return
        if not in_field:  # a query naming a field lists the field instead (module docstring)
            # Per record, its best document: most of the document's name covered, the phrase at its start,
            # words as typed rather than completed.
            best: dict[int, float] = {}
            for d in self._documents_with(close):
                text, seq = self._docs[d]
                if not _in_document(seq, close_words):
                    continue
                typo = sum(min(v[w] for w in seq if w in v) for v in close) / n
                part = 35 * min(1.0, n / len(seq)) + (10 if text.startswith(start) else 0) + 9 * (1 - min(1.0, typo))
                for i in self._doc_procs[d]:
                    if part > best.get(i, -1.0):
                        best[i] = part
            for i, part in best.items():
                if i not in found:
                    found[i] = (800 + part + entries[i].pop_bonus, "document")
            if len(found) >= limit:
                return
        # The query names a field: list the rest of it as browsing does, most common first.
        for i in in_field:
            if i not in found:
                found[i] = (700 + 2 * entries[i].pop_bonus, "field")
        if found:
            return  # real matches exist: typo-tolerant guesses would only add noise

        variants = [self._fuzzy_variants(t, c) for t, c in zip(tokens, close, strict=True)]
        fuzzy = matcher(variants)
        fuzzy_words = [set(v) for v in variants]
        steps: tuple[tuple[tuple[str, ...], float, str], ...] = (
            (("name",), 600, "name_fuzzy"),
            (("kw",), 500, "keyword_fuzzy"),
            (("field",), 400, "field_fuzzy"),
            (("name", "kw", "field"), 300, "words_fuzzy"),
            (("any",), 200, "text"),
        )
        for keys, base, reason in steps:
            ids = every(fuzzy, keys)
            if keys == ("kw",):
                ids = {i for i in ids if one_keyword(i, fuzzy_words)}
            add(ids, base, reason, fuzzy, keys)
            if len(found) >= limit:
                return
        counts: Counter[int] = Counter()
        for m in fuzzy("any"):
            counts.update(m.keys())
        need = (n + 1) // 2
        add((i for i, c in counts.items() if c >= need), 100, "partial", fuzzy, ("any",))
