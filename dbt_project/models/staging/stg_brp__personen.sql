-- Registered residents (BRP) of the quarter's extract; leeftijd is at the quarter's last day.
select
    quarter,
    bsn_pseudo,
    adres_pseudo,
    leeftijd
from {{ source('raw', 'brp_personen') }}
where quarter = {{ quarter_literal() }}
