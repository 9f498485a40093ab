"""The practitioner's private reflection journal (see models.py for the privacy rules).

Never exported: no other app may import this package (tests/practice/test_journal_privacy.py
checks it), and study or dataset exports must not read the journal tables.
"""
