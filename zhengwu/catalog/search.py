"""Search as a service (搜索即服务) [31]: one box, Chinese words, pinyin, initials, synonyms.

An in-memory inverted index over basic items, built from the published catalogue and rebuilt
in each process when `CatalogGeneration` moves (one indexed read per query). Scoring: each
query token adds its posting weight × an idf factor; a name containing the whole query earns a
bonus. Tokens per item:
- jieba words of the name (weight 3) and of its keywords (2) and themes (1);
- character bigrams of the name (1), so that a mistyped or unsegmented query still lands;
- pinyin (`py:`) and initials (`in:`) of every run of consecutive name/keyword words, so that
  `yyzz` matches 营业执照 on word boundaries — not the middle of 企业印章注销's initials.
Synonyms (admin-edited, 开饭店 → 食品经营许可) add their targets to the query.
Filters work on implementations: audience, theme, department, level, region.

Higher apps add their own documents (一件事: name, theme, member item names) through
`register_source`, called in their AppConfig.ready (catalog imports none of them). Those
documents are ranked by the same tokens, synonyms and bonuses in an index of their own
(`ExtraIndex`) and answered as a separate list, so they never move an item in the items'
ranking (ADR 0009).
"""

from __future__ import annotations

import bisect
import functools
import heapq
import logging
import math
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

import jieba
from django.conf import settings
from pypinyin import Style, lazy_pinyin

from zhengwu.catalog.models import (
    ENTERPRISE_AUDIENCES,
    PERSON_AUDIENCES,
    CatalogGeneration,
    ItemImplementation,
    ItemType,
    PublicationStatus,
    ServiceItem,
    Synonym,
    Theme,
)

jieba.setLogLevel(60)
logger = logging.getLogger(__name__)
MAX_QUERY_LENGTH = 50
_ASCII_QUERY = re.compile(r"^[a-z\s']+$")
_HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0003134f]")
# Words that say nothing about which service is meant.
STOPWORDS = frozenset(
    ["我", "我要", "我想", "想", "要", "怎么", "怎么办", "怎样", "如何", "办", "办理", "去", "的", "了", "吗", "呢", "啊", "什么", "哪里", "在哪", "在哪里", "哪儿", "需要", "要求", "可以", "能", "能不能", "给", "帮", "一下", "手续", "流程", "材料", "和", "与", "及", "或", "是", "有", "没有", "在", "了解", "咨询", "请问", "哪些", "多久", "时间", "办事"])


# Actions on something that already exists; a query that does not name one gets first-time items
# (申领, 设立, 新办, 核发) ahead of these.
FOLLOW_UP_ACTIONS = ("变更", "注销", "延续", "挂失", "补办", "补领", "迁移", "换领", "撤销",
                     "信息核验", "代办", "补发", "遗失")
# Sub-item qualifiers (the bracketed end of a name, 食品经营许可证核发（减项）) that name a
# variant of the first-time item rather than the item itself (issue 16: at province scale the
# winners of 24 of 29 missed queries were such siblings of the right item). Counted only inside
# the brackets: 户口迁入 is an item of its own, （迁入） a variant of one.
VARIANT_QUALIFIERS = ("减项", "增项", "迁入", "迁出", "暂停", "恢复", "换证", "终止", "续办",
                      "撤回", "年度报告", "转移接续", "查询打印", "证明开具", "线上办理",
                      "异地办理", "告知承诺制")
_QUALIFIER = re.compile(r"[（(]([^（）()]+)[）)]\s*$")
# A bracketed qualifier that names the first-time item itself (（新办）, （首次申请）, （公司设立登记）).
FIRST_TIME_QUALIFIERS = ("新办", "首次", "初次", "设立", "新设")


# How many other sub-items (办理项) of an item a result lists under it.
VARIANTS_SHOWN = 4

MEASURE_WORD = "(?:一?[个家间张本份座所辆套])?"


class QueryError(ValueError):
    pass


def qualifier_of(name: str) -> tuple[str, float]:
    """The bracketed end of a name and what it costs a query that does not name it: nothing for
    one naming the first-time item (（新办）, （首次申请）, （公司设立登记）), ×0.9 for any other
    (（资格认证）), which so ranks below its unqualified and first-time siblings. Issue 16: at
    province scale shebaoka found 社会保障卡申领（资格认证） before 社会保障卡申领."""
    found = _QUALIFIER.search(name)
    if not found or any(w in found.group(1) for w in FIRST_TIME_QUALIFIERS):
        return "", 1.0
    return found.group(1), 0.9


def follow_ups_of(name: str) -> tuple[str, ...]:
    """The words that make `name` a follow-up or a variant, not a first application: an action
    on something that exists anywhere in it (变更, 注销 …), or a variant qualifier in its
    bracketed end (（减项）, （迁入/迁出）). A query that names none of them ranks the item
    below the first-time one (×0.8)."""
    words = [w for w in FOLLOW_UP_ACTIONS if w in name]
    found = _QUALIFIER.search(name)
    if found:
        words += [w for w in VARIANT_QUALIFIERS if w in found.group(1) and w not in words]
    return tuple(words)


@dataclass(frozen=True)
class Impl:
    id: int
    code: str
    department_id: int
    department: str
    region_code: str
    level: int
    promised: Decimal
    online_depth: int


@dataclass
class Doc:
    item_id: int
    basic_code: str
    name: str
    item_type: str
    audience: frozenset[str]
    theme_ids: frozenset[int]
    themes: tuple[str, ...]
    impls: list[Impl] = field(default_factory=list)
    best: Impl | None = None  # the most local implementation, shown when nothing narrows it
    by_department: dict[int, list[Impl]] = field(default_factory=dict)
    by_level: dict[int, list[Impl]] = field(default_factory=dict)
    by_region: dict[str, list[Impl]] = field(default_factory=dict)
    follow_ups: tuple[str, ...] = ()
    qualifier: str = ""
    qualifier_factor: float = 1.0
    # The item a sub-item (办理项) belongs to: its name without the bracketed end, shared by
    # 食品经营许可证核发 and 食品经营许可证核发（减项）; search shows one result per item.
    item_key: str = ""

    def finish(self) -> None:
        """Precompute what filtering and ranking need once the implementations are attached."""
        self.best = max(self.impls, key=_locality) if self.impls else None
        for impl in self.impls:
            self.by_department.setdefault(impl.department_id, []).append(impl)
            self.by_level.setdefault(impl.level, []).append(impl)
            self.by_region.setdefault(impl.region_code, []).append(impl)
        self.follow_ups = follow_ups_of(self.name)
        self.qualifier, self.qualifier_factor = qualifier_of(self.name)
        self.item_key = _QUALIFIER.sub("", self.name).strip() or self.name

    @property
    def item_type_label(self) -> str:
        return str(ItemType(self.item_type).label)

    @property
    def variant_label(self) -> str:
        """How a sub-item is named under its item's result: its bracketed end (减项), or the
        whole name of the unqualified item."""
        return self.name[len(self.item_key):].strip().strip("（）()") or self.name


@dataclass(frozen=True)
class Filters:
    audience: str | None = None  # "person" | "enterprise"
    theme: int | None = None
    department: int | None = None
    level: int | None = None
    region: str | None = None  # serving this region: implemented here or in an ancestor


@dataclass(frozen=True)
class Hit:
    doc: Doc
    impl: Impl
    score: float
    matched: tuple[str, ...]
    # Other sub-items (办理项) of the same item that match the query, best first, each with
    # the implementation to show: listed under the result, not as results of their own.
    variants: tuple[tuple[Doc, Impl], ...] = ()

    @property
    def name_highlighted(self) -> str:
        return highlight(self.doc.name, self.matched)


def normalize_query(q: str) -> str:
    text = unicodedata.normalize("NFKC", q).strip().lower()
    text = re.sub(r"\s+", " ", text)
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"搜索内容过长（{len(text)} 字），请控制在 {MAX_QUERY_LENGTH} 字以内")
    return text


def _words(text: str) -> list[str]:
    return [w for w in jieba.lcut_for_search(text) if w.strip() and _HAN.search(w)]


def _segments(text: str) -> list[str]:
    return [w for w in jieba.lcut(text) if _HAN.search(w)]


def _bigrams(text: str) -> list[str]:
    han = "".join(ch for ch in text if _HAN.match(ch))
    return [han[i:i + 2] for i in range(len(han) - 1)]


@functools.lru_cache(maxsize=200_000)
def pinyin_of(text: str) -> str:
    """Toneless pinyin, cached: catalogues repeat the same few thousand words."""
    return "".join(lazy_pinyin(text))


@functools.lru_cache(maxsize=200_000)
def initials_of(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER))


def _pinyin_runs(words: list[str], max_run: int = 4) -> Iterable[tuple[str, str]]:
    """(full pinyin, initials) of every run of up to `max_run` consecutive words."""
    full = [pinyin_of(w) for w in words]
    initials = [initials_of(w) for w in words]
    for start in range(len(words)):
        for end in range(start + 1, min(len(words), start + max_run) + 1):
            yield "".join(full[start:end]), "".join(initials[start:end])


class SearchIndex:
    def __init__(self, docs: list[Doc], synonyms: dict[str, list[str]], keywords: dict[int, str],
                 generation: int) -> None:
        self.docs = docs
        self.synonyms = synonyms
        self.generation = generation
        # Other apps' documents (一件事 …), ranked apart: see ExtraIndex.
        self.extras: ExtraIndex | None = None
        for term in synonyms:
            jieba.add_word(term, freq=2000)
        # A synonym also answers to its pinyin and initials: yyzz → 营业执照 → its targets.
        self.synonym_sounds: dict[str, str] = {}
        for term in synonyms:
            self.synonym_sounds.setdefault(pinyin_of(term), term)
            self.synonym_sounds.setdefault(initials_of(term), term)
        # People put a measure word inside a phrase: 开一家饭店, 注册个公司 still say 开饭店 and
        # 注册公司 (a synonym of three or more characters, a measure word between two of them).
        self.synonym_gapped = {term: re.compile(MEASURE_WORD.join(map(re.escape, term)))
                               for term in synonyms if len(term) >= 3 and _HAN.match(term)}
        postings: dict[str, dict[int, float]] = defaultdict(dict)
        # Whole names and keywords (as written, in pinyin and in initials) → docs, for the
        # bonus when a query is, or contains, a complete phrase people use for an item.
        self.phrases: dict[str, set[int]] = {}

        def add(token: str, index: int, weight: float) -> None:
            bucket = postings[token]
            bucket[index] = max(bucket.get(index, 0.0), weight)

        for index, doc in enumerate(docs):
            kw = [k for k in re.split(r"[;；,，\s]+", keywords.get(doc.item_id, "")) if k]
            for word in _words(doc.name):
                add(word, index, 3.0)
            for keyword in kw:
                add(keyword, index, 2.5)
                for word in _words(keyword):
                    add(word, index, 2.0)
            for theme in doc.themes:
                for word in _words(theme):
                    add(word, index, 1.0)
            for gram in _bigrams(doc.name):
                add("2:" + gram, index, 1.0)
            for phrase, weight in [(doc.name, 3.0)] + [(k, 2.5) for k in kw]:
                for full, initials in _pinyin_runs(_segments(phrase)):
                    add("py:" + full, index, weight)
                    if len(initials) >= 2:
                        add("in:" + initials, index, weight)
            for phrase in [doc.name, *kw]:
                segments = _segments(phrase)
                full = pinyin_of(phrase)
                initials = "".join(initials_of(w) for w in segments)
                for key in {phrase, "py:" + full, "in:" + initials}:
                    self.phrases.setdefault(key, set()).add(index)
        self.postings = dict(postings)
        count = max(len(docs), 1)
        self.idf = {t: math.log(1 + count / len(p)) for t, p in self.postings.items()}
        self.prefix_tokens = sorted(t for t in self.postings if t.startswith(("py:", "in:")))
        self.longest_phrase = max((len(p) for p in self.phrases if _HAN.search(p)), default=0)
        # Which names contain each synonym target (and start with it), found once here.
        self.target_docs: dict[str, list[tuple[int, bool]]] = {}
        for target in {t for targets in synonyms.values() for t in targets}:
            self.target_docs[target] = [(i, d.name.startswith(target))
                                        for i, d in enumerate(docs) if target in d.name]
        # What ranking asks of each doc per candidate, looked up by position rather than worked
        # out per query (issue 16: at province scale a common word has thousands of candidates,
        # and the per-candidate work was most of a search's time): its place among equal
        # scores (shorter names first, then the basic code), its item (sub-items share one,
        # `Doc.item_key`), and the words whose absence from a query lowers it, if any.
        self.names = [doc.name for doc in docs]
        self.tie = [0] * len(docs)
        for rank, index in enumerate(sorted(range(len(docs)),
                                            key=lambda i: (len(docs[i].name), docs[i].basic_code))):
            self.tie[index] = rank
        families: dict[str, int] = {}
        self.family = [families.setdefault(doc.item_key, len(families)) for doc in docs]
        self.adjust: list[tuple[tuple[str, ...], str, float] | None] = [
            (doc.follow_ups, doc.qualifier, doc.qualifier_factor)
            if doc.follow_ups or doc.qualifier else None for doc in docs]

    # -- querying -------------------------------------------------------------------------

    def _query_tokens(self, q: str) -> tuple[dict[str, float], list[str]]:
        """Query tokens with weights, and the words to highlight."""
        tokens: dict[str, float] = {}
        shown: list[str] = []
        if _ASCII_QUERY.match(q):
            for term in self._synonym_terms(q):
                shown.extend(self.synonyms[term])
            compact = q.replace(" ", "").replace("'", "")
            tokens["py:" + compact] = 1.0
            tokens["in:" + compact] = 1.0
            if len(compact) >= 4:  # a prefix: "yingye" → yingyezhizhao, "spjyxk" → spjyxkz
                for kind in ("py:", "in:"):
                    start = bisect.bisect_left(self.prefix_tokens, kind + compact)
                    for token in self.prefix_tokens[start:start + 50]:
                        if not token.startswith(kind + compact):
                            break
                        tokens.setdefault(token, 0.6)
            return tokens, shown
        for term in self._synonym_terms(q):
            # The first target listed is the one the synonym list means most (营业执照 →
            # 企业设立登记 before 个体工商户设立登记), as in _phrase_bonus.
            for rank, target in enumerate(self.synonyms[term]):
                tokens[target] = max(tokens.get(target, 0), 1.5 - 0.15 * min(rank, 2))
                for word in _words(target):
                    tokens[word] = max(tokens.get(word, 0), 1.2)
                shown.append(target)
        for word in _words(q):
            if word not in STOPWORDS:
                tokens[word] = max(tokens.get(word, 0), 1.0)
                shown.append(word)
        for gram in _bigrams(q):
            if gram not in STOPWORDS:
                tokens["2:" + gram] = max(tokens.get("2:" + gram, 0), 0.4)
        # Homophones: 身分证 and 结昏 sound like 身份证 and 结婚, so words also match by pinyin —
        # and so do runs of 3–4 characters, since a mistyped word is segmented apart (身份正 →
        # 身份/正, whose sound shenfenzheng is 身份证's).
        for word in _segments(q):
            if word not in STOPWORDS and len(word) > 1:
                key = "py:" + pinyin_of(word)
                tokens[key] = max(tokens.get(key, 0), 0.5)
        han = "".join(_HAN.findall(q))
        for size in (3, 4):
            for start in range(len(han) - size + 1):
                key = "py:" + pinyin_of(han[start:start + size])
                if key in self.postings:
                    tokens[key] = max(tokens.get(key, 0), 0.5)
        return tokens, shown

    def _synonym_terms(self, query: str) -> list[str]:
        compact = query.replace(" ", "").replace("'", "")
        if _ASCII_QUERY.match(query):
            term = self.synonym_sounds.get(compact)
            return [term] if term else []
        return [term for term in self.synonyms if term in compact
                or (term in self.synonym_gapped and self.synonym_gapped[term].search(compact))]

    def _phrase_bonus(self, query: str) -> dict[int, float]:
        """Docs whose whole name or keyword the query is or contains (营业执照 → 企业设立登记),
        and docs whose name contains a synonym's target (开饭店 → 食品经营许可)."""
        bonus: dict[int, float] = defaultdict(float)
        compact = query.replace(" ", "").replace("'", "")
        targets = [t for term in self._synonym_terms(query) for t in self.synonyms[term]]
        synonym_bonus: dict[int, float] = defaultdict(float)
        for rank, target in enumerate(targets):
            for index, starts in self.target_docs.get(target, ()):
                # The first target listed is the one the synonym list means most; a name
                # that starts with the target is the item itself, not a relative of it.
                weight = 9.0 - min(rank, 3) + (4.0 if starts else 0.0)
                synonym_bonus[index] = max(synonym_bonus[index], weight)
        if _ASCII_QUERY.match(query):
            for key in ("py:" + compact, "in:" + compact):
                for index in self.phrases.get(key, ()):
                    bonus[index] = max(bonus[index], 10.0)
            return _add(bonus, synonym_bonus)
        for phrase in _substrings(compact, self.longest_phrase):
            for index in self.phrases.get(phrase, ()):
                bonus[index] = max(bonus[index], 6.0 + 2.0 * len(phrase))
        sound = "py:" + pinyin_of(compact)
        for index in self.phrases.get(sound, ()):
            bonus[index] = max(bonus[index], 8.0)
        return _add(bonus, synonym_bonus)

    def _scores(self, query: str, *, prefixes_once: bool = False,
                ) -> tuple[dict[int, float], list[str]]:
        """Every doc's score for a normalized, non-empty query, and the words to highlight.
        `prefixes_once`: pinyin/initials prefix completions (yingye → yingyezhizhao) add only
        their best one per doc, so a doc with many long, rare completions gains no more than
        one with a single one."""
        tokens, shown = self._query_tokens(query)
        scores: dict[int, float] = defaultdict(float)
        compact = query.replace(" ", "").replace("'", "")
        exact = {"py:" + compact, "in:" + compact}
        best_prefix: dict[int, float] = defaultdict(float)
        whole: set[int] = set()  # docs with a word whose whole sound the query is
        for token, qweight in tokens.items():
            posting = self.postings.get(token)
            if not posting:
                continue
            idf = self.idf[token]
            once = prefixes_once and token.startswith(("py:", "in:")) and token not in exact \
                and _ASCII_QUERY.match(query) is not None
            if prefixes_once and token in exact:
                whole.update(posting)
            for index, weight in posting.items():
                if once:
                    best_prefix[index] = max(best_prefix[index], qweight * weight * idf)
                else:
                    scores[index] += qweight * weight * idf
        for index, extra in best_prefix.items():
            # A completion (huzhao → 护照首次申请) helps a doc the query names only in part, not
            # one it names whole already: else a sub-item, with one keyword more, outranks the
            # item itself (issue 16: huzhao found 普通护照签发（首次申请） first).
            if index not in whole:
                scores[index] += extra
        for index, extra in self._phrase_bonus(query).items():
            scores[index] += extra
        plain = query.replace(" ", "")
        if _HAN.search(plain):
            names = self.names
            for index in list(scores):
                name = names[index]
                if plain in name:
                    scores[index] += 12.0 + (8.0 if name.startswith(plain) else 0.0)
        return scores, shown

    def search(self, q: str, filters: Filters | None = None, limit: int = 20,
               offset: int = 0) -> tuple[list[Hit], int]:
        """Items (basic items with the implementation to show), best first, and their count.

        One result per item, ranked by its best-ranked sub-item (办理项), the other matching
        ones listed under it (issue 16: at province scale three sub-items of one item filled
        the top 3 and pushed the next item off the first screen). One pass over the candidates
        keeps each item's best; only the items on the page shown gather their sub-items and
        pick the implementation to show."""
        query = normalize_query(q)
        filters = filters or Filters()
        if not query:
            return [], 0
        scores, shown = self._scores(query, prefixes_once=True)
        plain = query.replace(" ", "")
        region_codes = _ancestor_codes(filters.region) if filters.region else None
        narrowing = filters.department is not None or filters.level is not None or \
            region_codes is not None
        doc_ok = self._doc_filter(filters) \
            if filters.audience is not None or filters.theme is not None else None
        docs, tie, family, adjust = self.docs, self.tie, self.family, self.adjust
        # A candidate is (−score, tie, doc): tuples compare in C, best first.
        entries: list[tuple[float, int, int]] = []
        best: dict[int, tuple[float, int, int]] = {}
        for index, raw_score in scores.items():
            if raw_score <= 0.5:
                continue
            if doc_ok is not None and not doc_ok(docs[index]):
                continue
            if narrowing and not self._serves(docs[index], filters, region_codes):
                continue
            score, adjusting = raw_score, adjust[index]
            if adjusting is not None:
                follow_ups, qualifier, factor = adjusting
                if any(word not in plain for word in follow_ups):
                    # Most people mean a first application unless they say otherwise.
                    score *= 0.8
                if qualifier and qualifier not in plain:
                    score *= factor
            entry = (-score, tie[index], index)
            entries.append(entry)
            item = family[index]
            held = best.get(item)
            if held is None or entry < held:
                best[item] = entry
        firsts = heapq.nsmallest(offset + limit, best.values())[offset:]
        members: dict[int, list[tuple[float, int, int]]] = {family[e[2]]: [] for e in firsts}
        for entry in entries:
            group = members.get(family[entry[2]])
            if group is not None:
                group.append(entry)
        hits = [self._item_hit([(-negative, index, self._pick(docs[index], filters, region_codes))
                                for negative, _, index in sorted(members[family[first[2]]])],
                               shown, plain) for first in firsts]
        return hits, len(best)

    def search_extras(self, q: str, filters: Filters | None = None, kind: str | None = None,
                      limit: int = 20, offset: int = 0) -> tuple[list[ExtraHit], int]:
        """Documents added by other apps (kind "bundle": 一件事), best first, and their count;
        never mixed into `search`'s items."""
        if self.extras is None:
            normalize_query(q)  # the same refusal of an over-long query
            return [], 0
        return self.extras.search(q, filters, kind=kind, limit=limit, offset=offset)

    def _item_hit(self, members: Sequence[tuple[float, int, Impl | None]], shown: list[str],
                  plain: str) -> Hit:
        """The result for one item from its matching sub-items, best first, ranked by the best:
        titled by the best if the query names its qualifier (社保卡资格认证), else by the item
        itself (the unqualified name) where it matches, else by the best; the others listed
        under it."""
        score, best = members[0][0], self.docs[members[0][1]]
        named = best.name != best.item_key and any(
            word in plain for word in _words(best.variant_label) if len(word) > 1)
        title = members[0] if named else next(
            (m for m in members if self.docs[m[1]].name == self.docs[m[1]].item_key), members[0])
        others = [m for m in members if m is not title][:VARIANTS_SHOWN]
        return self._hit(title[1], score, shown, title[2],
                         tuple((self.docs[index], impl) for _, index, impl in others))

    def _hit(self, index: int, score: float, shown: list[str], impl: Impl | None,
             variants: tuple[tuple[Doc, Impl | None], ...] = ()) -> Hit:
        doc = self.docs[index]
        assert impl is not None  # published docs always have an implementation
        matched = tuple(w for w in dict.fromkeys(shown) if w in doc.name) or tuple(
            w for w in dict.fromkeys(shown) if len(w) > 1 and any(w in t for t in doc.themes))
        return Hit(doc=doc, impl=impl, score=round(score, 3), matched=matched,
                   variants=tuple((d, i) for d, i in variants if i is not None))

    @staticmethod
    def _doc_filter(filters: Filters) -> Callable[[Doc], bool]:
        def ok(doc: Doc) -> bool:
            if filters.audience == "person" and not doc.audience & PERSON_AUDIENCES:
                return False
            if filters.audience == "enterprise" and not doc.audience & ENTERPRISE_AUDIENCES:
                return False
            return filters.theme is None or filters.theme in doc.theme_ids

        return ok

    @staticmethod
    def _serves(doc: Doc, filters: Filters, region_codes: frozenset[str] | None) -> bool:
        """Whether any implementation of the doc passes the narrowing filters: a lookup for one
        filter alone (every candidate is asked, only the page's are `_pick`ed)."""
        if filters.department is None and filters.level is None and region_codes is not None:
            return not doc.by_region.keys().isdisjoint(region_codes)
        if region_codes is None and filters.level is None and filters.department is not None:
            return filters.department in doc.by_department
        if region_codes is None and filters.department is None and filters.level is not None:
            return filters.level in doc.by_level
        return SearchIndex._pick(doc, filters, region_codes) is not None

    @staticmethod
    def _pick(doc: Doc, filters: Filters, region_codes: frozenset[str] | None) -> Impl | None:
        """The implementation to show: the most local one that passes every filter."""
        if filters.department is None and filters.level is None and region_codes is None:
            return doc.best
        candidates: Iterable[Impl]
        if region_codes is not None:
            # A handful of ancestor codes, each looked up: no walk over every implementation.
            candidates = [i for code in region_codes for i in doc.by_region.get(code, ())]
            if filters.department is not None:
                candidates = [i for i in candidates if i.department_id == filters.department]
        elif filters.department is not None:
            candidates = doc.by_department.get(filters.department, ())
        elif filters.level is not None:
            candidates = doc.by_level.get(filters.level, ())
        else:
            candidates = doc.impls
        best: Impl | None = None
        for impl in candidates:
            if filters.level is not None and impl.level != filters.level:
                continue
            if filters.department is not None and impl.department_id != filters.department:
                continue
            if best is None or _locality(impl) > _locality(best):
                best = impl
        return best


def _stems(names: Iterable[str]) -> list[str]:
    """The names that end in a bracketed qualifier, without it (食品经营许可证核发（新办） →
    食品经营许可证核发)."""
    return [stem for name in names if (stem := _QUALIFIER.sub("", name).strip()) != name and stem]


def _substrings(text: str, longest: int) -> Iterable[str]:
    """Every substring of two characters or more, up to the longest catalogue phrase."""
    for start in range(len(text)):
        for end in range(start + 2, min(len(text), start + longest) + 1):
            yield text[start:end]


def _add(a: dict[int, float], b: dict[int, float]) -> dict[int, float]:
    for key, value in b.items():
        a[key] = a.get(key, 0.0) + value
    return a


# Significant digits of a 统计用区划代码 at each level: province, city, county, township, village.
_SEGMENTS = (2, 4, 6, 9, 12)


def _depth(code: str) -> int:
    """How many digits of the code are significant (trailing zero segments are not)."""
    for length in _SEGMENTS:
        if code[length:].strip("0") == "":
            return length
    return 12


def _ancestor_codes(code: str) -> frozenset[str]:
    """The region itself and every ancestor: the implementations that serve a person there
    (a county-level item serves every village of the county)."""
    return frozenset(code[:length].ljust(12, "0") for length in _SEGMENTS
                     if length <= _depth(code))


def _locality(impl: Impl) -> tuple[int, int]:
    return (_depth(impl.region_code), -impl.id)


def highlight(name: str, words: Iterable[str]) -> str:
    """HTML-escaped name with each matched word wrapped in <mark>."""
    spans: list[tuple[int, int]] = []
    for word in sorted(set(words), key=len, reverse=True):
        start = name.find(word)
        while start >= 0:
            end = start + len(word)
            if not any(s < end and start < e for s, e in spans):
                spans.append((start, end))
            start = name.find(word, end)
    out, cursor = [], 0
    for start, end in sorted(spans):
        out.append(escape(name[cursor:start]))
        out.append(f"<mark>{escape(name[start:end])}</mark>")
        cursor = end
    out.append(escape(name[cursor:]))
    return "".join(out)


# -- documents from other apps (一件事 …) ------------------------------------------------------


@dataclass(frozen=True)
class SourceDoc:
    """A document a higher app adds to search as a service, e.g. a 一件事 (kind "bundle").

    `parts` are the names of what it is made of (a bundle's member items): indexed like an
    item's keywords and shown with the hit. Filters apply as to items: `audience` ("person" or
    "enterprise"), `theme` (matched to the catalogue theme of that name), `department_ids`,
    `level` (行使层级, e.g. 4 for a county hall) and `region_code` (where it is offered; a
    region is served by documents of itself and its ancestors)."""

    kind: str
    key: str
    name: str
    url: str
    api_url: str = ""
    theme: str = ""
    parts: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    audience: str = ""
    department: str = ""
    department_ids: frozenset[int] = frozenset()
    region_code: str = ""
    level: int | None = None
    promised_workdays: Decimal | None = None
    # A prior on relevance: the score is multiplied by it (the bundles source gives
    # illustrative bundles less, so published ones come first at equal relevance).
    weight: float = 1.0


Source = Callable[[], Iterable[SourceDoc]]
_sources: dict[str, Source] = {}
_AUDIENCE_CODES = {"person": PERSON_AUDIENCES, "enterprise": ENTERPRISE_AUDIENCES}
# A document of another kind is listed only when the query matches it well: a word of the query
# (or of a synonym's target) is in its name, theme or parts, or the query names it as a phrase
# (whole name or part, pinyin, initials) — never on shared bigrams or sounds alone — and its
# score is within this share of the best such document's (a bundle named by the query, not
# every bundle one of whose many member items shares a word with it).
EXTRA_MIN_SCORE = 0.5
EXTRA_RELATIVE_CUTOFF = 0.3


def register_source(name: str, source: Source) -> None:
    """Index the documents `source()` returns, at every build of the index (call it from an
    AppConfig.ready; registering a name again replaces its source). A higher app also calls
    catalog.services.catalog_generation_bump() when its documents change."""
    global _index  # noqa: PLW0603
    with _lock:
        _sources[name] = source
        _index = None


def unregister_source(name: str) -> None:
    global _index  # noqa: PLW0603
    with _lock:
        if _sources.pop(name, None) is not None:
            _index = None


def _source_docs() -> list[SourceDoc]:
    """Every registered source's documents; a failing source is logged and left out, so it
    can never take item search down with it."""
    docs: list[SourceDoc] = []
    for name, source in list(_sources.items()):
        try:
            docs.extend(source())
        except Exception:
            logger.exception("search source %s failed; its documents are not indexed", name)
    return docs


@dataclass(frozen=True)
class ExtraHit:
    doc: SourceDoc
    score: float
    matched: tuple[str, ...]
    # Other sub-items (办理项) of the same item that match the query, best first, each with
    # the implementation to show: listed under the result, not as results of their own.
    variants: tuple[tuple[Doc, Impl], ...] = ()

    @property
    def name_highlighted(self) -> str:
        return highlight(self.doc.name, self.matched)


class ExtraIndex:
    """Other apps' documents, tokenized, weighted and boosted exactly like items (name,
    parts as keywords, theme, pinyin, initials, synonyms) in an index of their own."""

    def __init__(self, docs: list[SourceDoc], synonyms: dict[str, list[str]],
                 theme_ids: dict[str, int], generation: int) -> None:
        self.docs = docs
        shadows = [Doc(item_id=i, basic_code=d.key, name=d.name, item_type="",
                       audience=_AUDIENCE_CODES.get(d.audience, frozenset()),
                       theme_ids=frozenset([theme_ids[d.theme]] if d.theme in theme_ids else []),
                       themes=(d.theme,) if d.theme else ())
                   for i, d in enumerate(docs)]
        for shadow in shadows:
            shadow.finish()
        # A part is also named by its stem: 企业设立登记（公司设立登记） by 企业设立登记, the
        # target of 营业执照, as an item's sub-item is by the item's name.
        keywords = {i: ";".join([*d.parts, *_stems(d.parts), *d.keywords])
                    for i, d in enumerate(docs)}
        self.text = SearchIndex(shadows, synonyms, keywords, generation)
        # A synonym's target in a part names the document too (开公司 → 企业设立登记, a member
        # of 企业开办一件事), as a target in an item's name names the item.
        for target, found in self.text.target_docs.items():
            inside = {i for i, _ in found}
            found.extend((i, False) for i, d in enumerate(docs)
                         if i not in inside and any(target in p for p in d.parts))

    def search(self, q: str, filters: Filters | None = None, kind: str | None = None,
               limit: int = 20, offset: int = 0) -> tuple[list[ExtraHit], int]:
        query = normalize_query(q)
        filters = filters or Filters()
        if not query or not self.docs:
            return [], 0
        scores, shown = self.text._scores(query, prefixes_once=True)
        plain = query.replace(" ", "")
        named = set(self.text._phrase_bonus(query))
        if _ASCII_QUERY.match(query):  # pinyin or initials of a run of words of a name or part
            for token in self.text._query_tokens(query)[0]:
                named.update(self.text.postings.get(token, ()))
        words = list(dict.fromkeys(shown))
        doc_ok = SearchIndex._doc_filter(filters)
        region_codes = _ancestor_codes(filters.region) if filters.region else None
        ranked: list[tuple[float, int]] = []
        matched: dict[int, tuple[str, ...]] = {}
        for index, raw_score in scores.items():
            doc, shadow = self.docs[index], self.text.docs[index]
            if raw_score <= EXTRA_MIN_SCORE or (kind is not None and doc.kind != kind):
                continue
            matched[index] = tuple(w for w in words if w in doc.name) or tuple(
                w for w in words if len(w) > 1 and any(w in p for p in (*doc.parts, doc.theme)))
            if index not in named and plain not in doc.name and \
                    not any(len(w) > 1 for w in matched[index]):
                continue
            if not doc_ok(shadow) or (filters.level is not None and doc.level != filters.level):
                continue
            if filters.department is not None and filters.department not in doc.department_ids:
                continue
            if region_codes is not None and doc.region_code not in region_codes:
                continue
            score = raw_score * doc.weight * (
                0.8 if any(w not in plain for w in shadow.follow_ups) else 1.0)
            ranked.append((score, index))
        if not ranked:
            return [], 0
        cutoff = max(score for score, _ in ranked) * EXTRA_RELATIVE_CUTOFF
        ranked = [entry for entry in ranked if entry[0] >= cutoff]
        ranked.sort(key=lambda e: (-e[0], len(self.docs[e[1]].name), self.docs[e[1]].key))
        hits = [ExtraHit(doc=self.docs[index], score=round(score, 3), matched=matched[index])
                for score, index in ranked[offset:offset + limit]]
        return hits, len(ranked)


# -- the per-process index ------------------------------------------------------------------

_lock = threading.Lock()
_index: SearchIndex | None = None


def current_generation() -> int:
    row = CatalogGeneration.objects.filter(pk=1).values_list("counter", flat=True).first()
    return int(row or 0)


def build_index(generation: int | None = None) -> SearchIndex:
    generation = current_generation() if generation is None else generation
    docs: dict[int, Doc] = {}
    keywords: dict[int, str] = {}
    themes: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for item_id, theme_id, theme_name in ServiceItem.themes.through.objects.values_list(
            "serviceitem_id", "theme_id", "theme__name"):
        themes[item_id].append((theme_id, theme_name))
    for item in ServiceItem.objects.values("id", "basic_code", "name", "item_type", "audience",
                                           "keywords"):
        item_themes = themes.get(item["id"], [])
        docs[item["id"]] = Doc(
            item_id=item["id"], basic_code=item["basic_code"], name=item["name"],
            item_type=item["item_type"], audience=frozenset(item["audience"] or []),
            theme_ids=frozenset(t for t, _ in item_themes),
            themes=tuple(n for _, n in item_themes))
        keywords[item["id"]] = item["keywords"]
    rows = ItemImplementation.objects.filter(status=PublicationStatus.PUBLISHED).values_list(
        "id", "item_id", "code", "department_id", "department__name", "region_id", "level",
        "promised_limit_workdays", "online_depth")
    for pk, item_id, code, dep_id, dep_name, region, level, promised, depth in rows.iterator(
            chunk_size=5000):
        docs[item_id].impls.append(Impl(pk, code, dep_id, dep_name, region, level, promised, depth))
    synonyms = {s.term: s.target_list for s in Synonym.objects.all()}
    published = [d for d in docs.values() if d.impls]
    for doc in published:
        doc.finish()
    index = SearchIndex(published, synonyms, keywords, generation)
    extras = _source_docs()
    if extras:
        theme_ids = dict(Theme.objects.values_list("name", "id"))
        index.extras = ExtraIndex(extras, synonyms, theme_ids, generation)
    return index


_rebuilding = threading.Event()


def _rebuild_in_background(generation: int) -> None:
    global _index  # noqa: PLW0603
    try:
        fresh = build_index(generation)
        with _lock:
            if _index is None or _index.generation < fresh.generation:
                _index = fresh
    finally:
        from django.db import connection

        connection.close()
        _rebuilding.clear()


def get_index() -> SearchIndex:
    """This process's index, rebuilt when the catalogue's generation has moved.

    With ZHENGWU_SEARCH_BACKGROUND_REBUILD (the default outside tests) a process that already
    has an index keeps answering from it while a thread builds the new one (seconds at
    province scale), so no request waits for a rebuild; the first index is built in line.
    """
    global _index  # noqa: PLW0603 — one index per process, swapped atomically
    generation = current_generation()
    index = _index
    if index is not None and index.generation == generation:
        return index
    if index is not None and getattr(settings, "ZHENGWU_SEARCH_BACKGROUND_REBUILD", True):
        if not _rebuilding.is_set():
            _rebuilding.set()
            threading.Thread(target=_rebuild_in_background, args=(generation,),
                             name="zhengwu-search-rebuild", daemon=True).start()
        return index
    with _lock:
        if _index is None or _index.generation != generation:
            _index = build_index(generation)
        return _index


def index_built_in_line() -> SearchIndex:
    """The current index, built now, in this thread, if it is missing or stale: for a process
    about to fork its web workers (config.gunicorn_hooks), which must start no thread."""
    global _index  # noqa: PLW0603 — see get_index
    generation = current_generation()
    with _lock:
        if _index is None or _index.generation != generation:
            _index = build_index(generation)
        return _index


def item_type_label(code: str) -> str:
    return str(ItemType(code).label)
