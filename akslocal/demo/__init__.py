"""`akslocal demo`: the seed document, played against a running akslocal with narration.

The story is ``seed.sh``: the document's commands exactly as written (``az`` → ``azlocal``),
with the few steps the document leaves to a person (signing in, writing the YAML file,
answering the device-code prompt) spelled out.  The end-to-end test runs the same file.
"""
