"""A planted corpus for the name guard: evidence sentences with names put in, and case text with none.

Each planted sentence records the names planted in it, so what the guard
catches is counted against what was planted, never against the guard's
own output. The names are a mix an English safeguarding audit meets:
children's names common in recent years, adults' names, names of many
backgrounds (some on no list xlpack ships), and surnames.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from xlpack.model.names import NameHit

FIRST = ("Sarah", "Jayden", "Oliver", "Amelia", "Muhammad", "Isla", "Kai", "Poppy", "Maisie", "Tyler", "Chloe",
         "Darren", "Tracey", "Aisha", "Priya", "Oluwaseun", "Zofia", "Harvey", "Leah", "Reggie", "Kayleigh",
         "Callum", "Fatima", "Bogdan", "Evie", "Mason", "Ruby", "Connor", "Shannon", "Dylan")
SURNAMES = ("Jones", "Smith", "Khan", "Okafor", "Patel", "Nowak", "Murphy", "Begum", "Williams", "Taylor",
            "Hussain", "Brown", "Kowalski", "Evans", "Clarke")
#: (template, how many names it plants): {first} a first name, {full} first name and surname, {surname} after a title.
TEMPLATES = (
    ("Mum ({full}) said she felt judged at the conference.", ("full",)),
    ("{first} was seen at nursery on 3 March and appeared well.", ("first",)),
    ("The social worker, {full}, visited twice in the month.", ("full",)),
    ("Mr {surname} did not attend the core group meeting.", ("surname",)),
    ("Spoke to {first}'s grandmother about the safety plan.", ("first",)),
    ("School reported that {first} was often late and hungry.", ("first",)),
    ("Dad's new partner {full} moved in during June.", ("full",)),
    ("The health visitor (Mrs {surname}) completed the developmental check.", ("surname",)),
    ("Contact with {first} and {first2} was supervised by the family centre.", ("first", "first2")),
    ("Police shared that {full} had a history of domestic abuse.", ("full",)),
)
#: Case text with no personal name: words a name guard must not take for names.
ORDINARY = (
    "The Child Protection conference was held in May and the plan was reviewed in August.",
    "Early Help assessment completed in April; the family declined the Team Around the Family.",
    "Referred to the MASH; Police and Health attended the strategy discussion under Section 47.",
    "Core group met in June at Hope Street Family Centre.",
    "The family moved from Chelsea to Kingston upon Thames and then to Lincoln.",
    "Will attend the review conference next week if transport is arranged.",
    "Mark the case as closed once the Child in Need plan ends.",
    "Grace period agreed by the Youth Offending Service for the summer holidays.",
    "Dawn visits by Children's Social Care found the home cold in January.",
    "The Independent Reviewing Officer and the Designated Safeguarding Lead agreed the plan.",
    "Health Visitor and School Nurse shared concerns; CAMHS offered an appointment in February.",
    "Public Law Outline started; Legal Gateway meeting held in December.",
    "Strategy discussion on Monday; Initial Child Protection Conference on Friday.",
    "Adult Social Care assessed mother's needs; Probation Service shared risk information.",
    "The Virtual School Head reviewed the Personal Education Plan in September.",
    "Sunny Bank Children's Centre offered Baby Massage and Stay and Play sessions.",
    "Hope, safety and trust were themes of the child's views.",
    "Family Group Conference arranged with the Edge of Care Team in October.",
)
#: The partnership's allow list for the corpus (place and service names that are also names).
ALLOWED = ("Hope Street", "Chelsea", "Kingston", "Lincoln", "Sunny Bank")


@dataclass(frozen=True)
class Planted:
    text: str
    names: tuple[str, ...]  # every name planted, as written (a full name as one entry)


def planted() -> list[Planted]:
    """Each template with several names: every first name and surname is planted at least once."""
    out = []
    for i, (template, slots) in enumerate(TEMPLATES):
        for j in range(6):
            first = FIRST[(i * 7 + j * 5) % len(FIRST)]
            first2 = FIRST[(i * 7 + j * 5 + 11) % len(FIRST)]
            surname = SURNAMES[(i * 3 + j * 4) % len(SURNAMES)]
            values = {"first": first, "first2": first2, "surname": surname, "full": f"{first} {surname}"}
            out.append(Planted(template.format(**values), tuple(values[s] for s in slots)))
    return out


@dataclass
class Figures:
    planted: int = 0
    caught: int = 0  # every word of the name replaced
    partly: int = 0  # some of its words left (a surname after a caught first name, say)
    missed: int = 0
    wrongly: int = 0  # words of the ordinary text taken for names
    wrong_words: tuple[str, ...] = ()


def measure(redact: Callable[[str], str], find: Callable[[str], Iterable[NameHit]]) -> Figures:
    """Count, on the corpus, names caught / partly caught / missed, and ordinary words wrongly caught."""
    fig = Figures()
    for p in planted():
        shown = redact(p.text)
        for name in p.names:
            fig.planted += 1
            left = [w for w in name.split() if w in shown.replace("[name]", " ").split()
                    or f"{w}'s" in shown or f"({w})" in shown or f"{w}," in shown or f"{w}." in shown]
            if not left:
                fig.caught += 1
            elif len(left) < len(name.split()):
                fig.partly += 1
            else:
                fig.missed += 1
    wrong = []
    for text in ORDINARY:
        wrong += [h.text for h in find(text)]
    fig.wrongly, fig.wrong_words = len(wrong), tuple(wrong)
    return fig
