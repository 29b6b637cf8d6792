"""Imports a debrief .apkg with Anki's own importer (PyPI's `anki`), twice, into an empty
collection, and prints what the collection then holds, as JSON, for the apkg test."""
import json
import os
import sys
import tempfile

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

folder = tempfile.mkdtemp()
col = Collection(os.path.join(folder, "collection.anki2"))
for _ in range(2):
    col.import_anki_package(
        ImportAnkiPackageRequest(
            package_path=sys.argv[1],
            options=ImportAnkiPackageOptions(with_scheduling=True),
        )
    )
notes = [col.get_note(nid) for nid in col.find_notes("")]
print(json.dumps({
    "notes": len(notes),
    "cards": col.card_count(),
    "decks": sorted(d.name for d in col.decks.all_names_and_ids()),
    "guids": sorted(n.guid for n in notes),
    "fields": list(notes[0].keys()) if notes else [],
    "cloze_notes": sum(1 for n in notes if n.note_type()["type"] == 1),
    "cloze_fields": next((list(n.keys()) for n in notes if n.note_type()["type"] == 1), []),
    "sourced": sum(1 for n in notes if "Source" in n and n["Source"].strip()),
    "a_source": next((n["Source"] for n in notes if "Source" in n and n["Source"].strip()), ""),
}))
col.close()
