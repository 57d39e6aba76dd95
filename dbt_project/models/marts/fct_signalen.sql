-- Restricted signal-level fact: one row per signal of the quarter with its match status and,
-- when matched, the address and household it belongs to. Kept per quarter.
select
    quarter,
    partner_code,
    signaal_id,
    partner_type,
    publicatiegroep,
    signaaldatum,
    achterstand_bedrag,
    dagen_achterstand,
    crisissignaal,
    match_status,
    n_kandidaten,
    adres_pseudo,
    huishouden_id
from {{ ref('int_signalen_matched_to_adressen') }}
