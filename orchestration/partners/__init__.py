"""Partner feedback: per partner, what came of its signals (docs/partner-feedback.md).

- ``protect``: each partner's figures (dbt's ``mon_partner_indicators``) protected on their
  own by the monitor's primary and secondary rules, and audited by the same LP audit;
- ``files``: one file per partner (``data/partners/<partner>.duckdb`` and ``.csv``) with that
  partner's protected figures, its delivery and its quarantined rows per reason;
- ``report``: a short offline HTML page per partner and quarter, read from its file only.
"""
