-- Partner signals of the quarter being built: every signal whose signaaldatum lies in the
-- quarter, from whichever landing quarter delivered it (a signal may be delivered late, in a
-- later quarter's landing). A signal delivered more than once (same partner_code +
-- signaal_id) is kept once: the row of the latest landing quarter, then file, then line.
with in_quarter as (
    select *
    from {{ source('raw', 'signalen') }}
    where signaaldatum between {{ quarter_start() }} and {{ quarter_end() }}
),

deduplicated as (
    select *
    from in_quarter
    qualify row_number() over (
        partition by partner_code, signaal_id
        order by quarter desc, file_name desc, line_number desc
    ) = 1
)

select
    {{ quarter_literal() }} as quarter,
    quarter as landing_quarter,
    partner_code,
    signaal_id,
    nullif(lower(trim(partner_type)), '') as partner_type,
    signaaldatum,
    startdatum_achterstand,
    cast(achterstand_bedrag as decimal(12, 2)) as achterstand_bedrag,
    dagen_achterstand,
    -- dagen_achterstand when delivered, else the days from startdatum_achterstand to
    -- signaaldatum (NULL when neither is known or the start lies after the signal)
    coalesce(
        dagen_achterstand,
        case
            when startdatum_achterstand <= signaaldatum
                then cast(date_diff('day', startdatum_achterstand, signaaldatum) as integer)
        end
    ) as dagen_achterstand_afgeleid,
    coalesce(crisissignaal, false) as crisissignaal,
    coalesce(warme_overdracht, false) as warme_overdracht,
    coalesce(eindelevering, false) as eindelevering,
    -- keyed match keys of the address (orchestration/ingestion/address_keys.py)
    pc4_sleutel,
    adres_sleutel,
    sleutel_exact,
    sleutel_omgewisseld,
    sleutel_genormaliseerd,
    sleutel_zonder_toevoeging,
    bsn_pseudo
from deduplicated
