-- Debt-help trajectories of the quarter's extract. einddatum NULL = still running.
select
    quarter,
    bsn_pseudo,
    lower(trim(soort)) as soort,
    startdatum,
    einddatum
from {{ source('raw', 'schuldhulp') }}
where quarter = {{ quarter_literal() }}
