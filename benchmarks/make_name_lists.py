"""Rebuild the name lists in ``xlpack/model/name_lists/`` from Faker's person providers (run by hand).

Faker (MIT licence) ships first names and surnames for England and Wales
taken from the Office for National Statistics' name tables (its ``en_GB``
provider) and the US Census first names (its ``en`` provider). xlpack
keeps a copy of the lists as plain text, so the name guard needs no
import of Faker at run time. ``name_words.txt`` holds the names that are
also ordinary lower-case English words (read from a hunspell ``en_US``
dictionary), plus months and days: such a word counts as a name only
beside another name or a title.

    pip download faker --no-deps && unzip faker-*.whl -d fk
    python benchmarks/make_name_lists.py fk /usr/share/hunspell/en_US.dic
"""

from __future__ import annotations

import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "xlpack" / "model" / "name_lists"


def main(faker_dir: str, dictionary: str) -> None:
    sys.path.insert(0, faker_dir)
    from faker.providers.person.en import Provider as US
    from faker.providers.person.en_GB import Provider as GB

    gb = sorted(set(GB.first_names_male) | set(GB.first_names_female))
    us = sorted(set(US.first_names) - set(gb))
    surnames = sorted(set(GB.last_names))
    stems = {w.split("/")[0] for w in Path(dictionary).read_text(encoding="utf-8", errors="replace").split()[1:]}
    english = sorted(w for w in stems if w.isalpha() and w.islower() and len(w) > 1)
    for name, words in (("first_names_gb.txt", gb), ("first_names_us.txt", us), ("surnames_gb.txt", surnames),
                        ("english_words.txt", english)):
        (OUT / name).write_text("\n".join(words) + "\n", encoding="utf-8")
        print(name, len(words))


if __name__ == "__main__":
    main(*sys.argv[1:3])
