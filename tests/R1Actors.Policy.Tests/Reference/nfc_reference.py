"""NFC of each string in a JSON list, by Python's unicodedata: the reference for R1Actors' own NFC tables.
usage: nfc_reference.py INPUT_JSON OUTPUT_JSON"""
import json
import sys
import unicodedata

with open(sys.argv[1], encoding="utf-8") as f:
    texts = json.load(f)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump([unicodedata.normalize("NFC", t) for t in texts], f)
