-- Benefit spells of the quarter's extract. einddatum NULL = still running.
select
    quarter,
    bsn_pseudo,
    lower(trim(regeling)) as regeling,
    startdatum,
    einddatum
from {{ source('raw', 'uitkeringen') }}
where quarter = {{ quarter_literal() }}
