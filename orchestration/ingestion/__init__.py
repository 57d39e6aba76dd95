"""Ingestion: landing CSV files -> ``raw.*`` and ``audit.*`` in the warehouse.

The Dagster assets call one function::

    from orchestration.ingestion.loader import ingest_source, IngestReport
    report = ingest_source(con, quarter, source, landing_dir, key)

which makes that quarter's rows of the source a function of the ``*.csv`` files in
``landing_dir/<quarter>/<source>/``, in one transaction (see :mod:`.loader` for the rules on
renames, versions, corrections, withdrawals and the file statuses).

Modules, in the order the data passes them:

``deliveries``
    the landing folder: which entries are loaded and which are listed as not loaded (with
    what to do), each file scanned as a stream (hash, line limit, still being written), and
    the precedence of files (the latest delivery first);
``reading``
    bytes -> text (encoding, binary detection) -> lines -> header, delimiter, records
    (quoted line breaks joined, physical line numbers kept) -> fields;
``sources``
    what each source delivers, as data: fields, types, required columns, aliases, code
    lists, personal columns (recognised, never read), raw table columns, duplicate key;
``normalise``
    the value rules (postcode, house number, amount, date, boolean, BSN, codes), documented
    in its docstring;
``validate``
    header mapping, the first broken rule per row (the quarantine reason), and the raw rows
    with pseudonyms (``pseudo``: HMAC over whole columns in native code, identical to
    ``orchestration.pseudonym``, and the pseudonym domains; ``address_keys``: the keyed match
    keys that replace every clear address part);
``dedup``
    duplicate keys within a source's load: the first file in precedence keeps a key, the
    others' rows are ``superseded by`` it, repeats within a file are duplicates;
``chunks``
    one file into ``raw.*`` and ``audit.quarantine``: header check, then chunks of a million
    records (about a quarter of a smaller file, so the steps overlap there too); while one
    chunk is pseudonymised the next is parsed and checked and the previous inserted
    (threads);
``loader``
    ``ingest_source``: unchanged or reload, the file statuses, ``audit.*``, the transaction.
"""
