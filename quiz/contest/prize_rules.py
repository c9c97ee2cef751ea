"""Prize assignment as a pure function: tiers with counts, a total cap, and the rule for a shared place.

Groups are the eligible results in ranking order, one group per shared place. When a group does
not fit in the room left in its tier, the period's tie rule decides: everyone gets the prize
("all"), the remaining prizes of the tier are split among them ("split"), or a draw seeded with a
recorded seed picks who gets them and the others go on to the next places ("draw").
"""
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple


class Candidate(NamedTuple):
    citizen_id: int
    place: int


@dataclass(frozen=True)
class Award:
    citizen_id: int
    place: int
    tier_index: int
    share: float = 1.0
    note: str = ""


def prize_slots(tier_counts: Sequence[int], total_cap: int | None) -> list[int]:
    """One entry per prize (its tier index), best first, cut at the total cap."""
    slots = [index for index, count in enumerate(tier_counts) for _ in range(count)]
    return slots if total_cap is None else slots[:max(total_cap, 0)]


def _tier_end(slots: list[int], start: int) -> int:
    end = start
    while end < len(slots) and slots[end] == slots[start]:
        end += 1
    return end


def assign(groups: Sequence[Sequence[Candidate]], slots: list[int], tie_rule: str,
           rng: random.Random | None = None) -> list[Award]:
    """Awards for the groups (each a shared place, in ranking order) under the tie rule."""
    awards: list[Award] = []
    taken = 0
    for group in groups:
        pending, drew = list(group), False
        while pending and taken < len(slots):
            tier, end = slots[taken], _tier_end(slots, taken)
            room = end - taken
            shared_note = "đồng hạng, bốc thăm" if drew else "đồng hạng" if len(group) > 1 else ""
            if len(pending) <= room or tie_rule == "all":
                awards += [Award(c.citizen_id, c.place, tier, 1.0, shared_note) for c in pending]
                taken += len(pending)
                pending = []
            elif tie_rule == "split":
                share = room / len(pending)
                awards += [Award(c.citizen_id, c.place, tier, share, "đồng hạng, chia giải") for c in pending]
                taken, pending = end, []
            else:
                ordered = sorted(pending, key=lambda c: c.citizen_id)
                drawn = {c.citizen_id for c in (rng or random.Random()).sample(ordered, room)}
                awards += [Award(c.citizen_id, c.place, tier, 1.0, "đồng hạng, bốc thăm") for c in ordered
                           if c.citizen_id in drawn]
                taken, pending, drew = end, [c for c in ordered if c.citizen_id not in drawn], True
        if taken >= len(slots):
            break
    return awards
