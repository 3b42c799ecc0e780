"""Duplicate and overlap detection: explainable, pure Python, no ORM.

Records in (``ProjectRecord``), findings out (``Finding``: a pair, a score 0–1, a kind and
the reasons for both).

Each title (Arabic, English or both) is read into what the project *does* and what it does it
*to* (``title_read``):

* the activity: concepts of the bilingual vocabulary (``vocabulary.py``) — actions, things,
  fields, topics, the people served — found word by word and phrase by phrase ("capacity
  building", "صرف صحي"), with the broader concepts they imply (a clinic is health care), the
  concepts their parts name in any words (water and trucks: water trucking), and the ordinary
  words the vocabulary does not know;
* the object's identity: proper names (a neighbourhood, a school, a road) as cross-script
  consonant keys, so that "Al-Ghaba" answers "الغابة", and numbers ("Al-Nour 2", "cohort 3",
  "Second Ring road"). A name is a word after "حي" or "Al-", an English word written with a
  capital (not an acronym), an Arabic word the vocabulary does not know, a landmark word in
  name position ("طريق المطار", "Airport road"). An Arabic word with the article that is also
  a word ("مكب نفايات السلام": the Al-Salam landfill, or peace?) is kept as both and decided
  pair by pair: it is a name when the other record writes it as one. The record's own
  municipalities are taken out first, as whole phrases, so that "Al-Souq" in "Suq al-Jumua" stays;
* the subject of a subtitle ("...: public procurement", "في مجال ...") and phase words
  ("Phase II", "المرحلة الثانية").

Candidate pairs come from blocks, never from all pairs: projects that share a municipality
(or that both have none: national projects) *and* a name or a topic; projects without a name
or topic are compared with the others of their municipality that share an activity concept;
projects linked by identifiers (IATI identifier, provider/receiver activity ids, related
activities), whatever their place; and a project placed nowhere (its location resolved to no
municipality) with the projects naming the same funder and implementer, wherever they are. Other
blocks never cross municipalities. ``DuplicateIndex.block_keys``
writes a record's blocks as strings, so that a database keeping every record's keys can give an
incremental check exactly the record's candidates.

A pair's score is the similarity of the two activities (a weighted Dice of their concepts),
times what confirms or weakens it: the same names, or different names or numbers; each doing
something the other never mentions (a school and a clinic; supplying equipment and giving
support; for women and for youth); another municipality; little overlap in time; no sector in
common; far-apart budgets. Each weakening is a reason the reviewer sees. Its kind:

* ``reported_twice`` — the same project in two records (linked ids, or the same funder and
  implementer reporting from both sides);
* ``overlap`` — different partners doing the same thing in the same place at the same time;
* ``related_phase`` — phases, parent and child, siblings (linked as related activities, or
  successive periods, or phase words that differ).

A pair's score does not depend on the other records, so an incremental check of one project
gives the same findings as a full scan.

The engine is split by stage, and this package re-exports its public names:

* ``records`` — ``ProjectRecord``, ``Finding``, ``Reason``, ``Settings``, roles and kinds;
* ``features`` — reading a title into concepts, names, numbers and phases;
* ``prepared`` — a record prepared once: its activity, names, answers and blocking terms;
* ``scoring`` — ``score_pair``: the score, its reasons and the kind;
* ``index`` — ``DuplicateIndex``: blocks, candidates, ``block_keys``, the check and the scan.
"""

from __future__ import annotations

from coordination.analysis.duplicates.features import (
    CONTENT_KINDS,
    IDENTITY_KINDS,
    KIND_WEIGHTS,
    WEAK_NAME_KINDS,
    WORD_WEIGHT,
)
from coordination.analysis.duplicates.index import DuplicateIndex, duplicate_candidates, naive_all_pairs
from coordination.analysis.duplicates.records import (
    ACCOUNTABLE,
    BROAD_DAC_CODES,
    EXTENDING,
    FUNDING,
    IMPLEMENTING,
    OVERLAP,
    REL_CHILD,
    REL_COFUNDED,
    REL_PARENT,
    REL_SIBLING,
    REL_THIRD,
    RELATED_PHASE,
    REPORTED_TWICE,
    Finding,
    ProjectRecord,
    Reason,
    Settings,
)
from coordination.analysis.duplicates.scoring import (
    ACTION_CONFLICT,
    BOTH_SIDES,
    CONTENT_CONFLICT,
    GROUP_CONFLICT,
    NAME_CONFLICT,
    NUMBER_CONFLICT,
    OTHER_MUNICIPALITY,
    OTHER_SECTORS,
    WEAK_NAME_CONFLICT,
    score_pair,
)

__all__ = [
    "ACCOUNTABLE",
    "ACTION_CONFLICT",
    "BOTH_SIDES",
    "BROAD_DAC_CODES",
    "CONTENT_CONFLICT",
    "CONTENT_KINDS",
    "EXTENDING",
    "FUNDING",
    "GROUP_CONFLICT",
    "IDENTITY_KINDS",
    "IMPLEMENTING",
    "KIND_WEIGHTS",
    "NAME_CONFLICT",
    "NUMBER_CONFLICT",
    "OTHER_MUNICIPALITY",
    "OTHER_SECTORS",
    "OVERLAP",
    "REL_CHILD",
    "REL_COFUNDED",
    "REL_PARENT",
    "REL_SIBLING",
    "REL_THIRD",
    "RELATED_PHASE",
    "REPORTED_TWICE",
    "WEAK_NAME_CONFLICT",
    "WEAK_NAME_KINDS",
    "WORD_WEIGHT",
    "DuplicateIndex",
    "Finding",
    "ProjectRecord",
    "Reason",
    "Settings",
    "duplicate_candidates",
    "naive_all_pairs",
    "score_pair",
]
