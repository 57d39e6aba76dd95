-- BAG addresses (nummeraanduidingen) of the quarter's extract: pseudonym, keyed match keys
-- (ingestion computes them; no clear postcode, number, letter or addition reaches the
-- warehouse: docs/architecture.md), codes normalised.
select
    quarter,
    adres_pseudo,
    adres_sleutel,
    pc4_sleutel,
    sleutel_exact,
    sleutel_genormaliseerd,
    sleutel_letter,
    {{ clean_area_code('buurtcode') }} as buurtcode,
    {{ clean_gemeentecode('gemeentecode') }} as gemeentecode,
    coalesce(is_woonfunctie, false) as is_woonfunctie
from {{ source('raw', 'bag_adressen') }}
where quarter = {{ quarter_literal() }}
