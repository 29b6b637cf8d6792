"""Review history through Anki's own code (PyPI's `anki`), for the history test.

  anki_history.py make OUT.apkg   a collection with three notes, two of them reviewed in Anki,
                                  exported as Anki writes a package for older versions
  anki_history.py read IN.apkg    imports a package with its scheduling and prints, as JSON, the
                                  review log's size and each reviewed card's schedule
"""
import json
import os
import sys
import tempfile

from anki.collection import (
    Collection,
    ExportAnkiPackageOptions,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)

mode, path = sys.argv[1], sys.argv[2]
col = Collection(os.path.join(tempfile.mkdtemp(), "collection.anki2"))
if mode == "make":
    model = col.models.by_name("Basic")
    deck = col.decks.id("Mine")
    for front, back in [
        ("Which port does DNS use?", "53, over UDP and TCP"),
        ("What does BGP carry?", "Routes between networks"),
        ("What does a TTL bound?", "How long a cache keeps an answer"),
    ]:
        note = col.new_note(model)
        note["Front"] = front
        note["Back"] = back
        col.add_note(note, deck)
    col.decks.select(deck)
    for ease in (3, 1):
        col.sched.answerCard(col.sched.getCard(), ease)
    col.export_anki_package(
        out_path=path,
        options=ExportAnkiPackageOptions(
            with_scheduling=True, with_media=False, with_deck_configs=True, legacy=True
        ),
        limit=None,
    )
    print(json.dumps({"revlog": col.db.scalar("select count() from revlog")}))
else:
    col.import_anki_package(
        ImportAnkiPackageRequest(
            package_path=path, options=ImportAnkiPackageOptions(with_scheduling=True)
        )
    )
    rows = col.db.all("select type, queue, ivl, reps, lapses, data from cards where reps > 0")
    print(json.dumps({
        "revlog": col.db.scalar("select count() from revlog"),
        "reviewed": [
            {"type": t, "queue": q, "ivl": i, "reps": r, "lapses": l, "data": json.loads(d or "{}")}
            for (t, q, i, r, l, d) in rows
        ],
    }))
col.close()
