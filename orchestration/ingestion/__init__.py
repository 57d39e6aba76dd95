"""Ingestion: landing CSV files -> ``raw.*`` and ``audit.*`` in the warehouse.

The Dagster assets call one function::

    from orchestration.ingestion.loader import ingest_source, IngestReport
    report = ingest_source(con, quarter, source, landing_dir, key)

which reads ``landing_dir/<quarter>/<source>/*.csv`` and writes that quarter's rows of the
source in one transaction (see :mod:`.loader` for redelivery and history rules).

Modules, in the order the data passes them:

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
    with pseudonyms (``pseudo``: batched HMAC, identical to ``orchestration.pseudonym``, and
    the pseudonym domains; ``address_keys``: the keyed match keys that replace every clear
    address part);
``loader``
    files, redelivery, duplicates (within and across files), transaction, ``audit.*``;
    a file goes through in chunks of a million records, and while one chunk is
    pseudonymised the next is parsed and checked and the previous inserted (threads).
"""
