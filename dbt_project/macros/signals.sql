{#- The partner signals and their address match, for the quarter's signals
    (stg_partners__signalen, int_signalen_matched_to_adressen) and the earlier signals at the
    same addresses (stg_partners__eerdere_signalen, int_eerdere_signalen_matched_to_adressen). -#}

{#- Partner signals dated from first_day to last_day (SQL dates), from whichever landing
    quarter delivered them (a signal may be delivered late, in a later quarter's landing). A
    signal delivered more than once (same partner_code + signaal_id) is kept once: the row of
    the latest landing quarter, then file, then line. Columns of stg_partners__signalen;
    quarter is the quarter being built. -#}
{% macro partner_signals(first_day, last_day) -%}
with in_window as (
    select *
    from {{ source('raw', 'signalen') }}
    where signaaldatum between {{ first_day }} and {{ last_day }}
),

deduplicated as (
    select *
    from in_window
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
{%- endmacro %}

{#- The signals of ``signalen`` (a relation or a parenthesised query with the columns of
    stg_partners__signalen), each matched to at most one BAG address of the quarter's extract
    and to the household there, if any: the rules are described in the header of
    int_signalen_matched_to_adressen. -#}
{% macro matched_to_adressen(signalen) -%}
{% set rules = ['exact', 'letter_as_toevoeging', 'unique_toevoeging', 'missing_toevoeging'] %}
with signalen as (
    select * from {{ signalen }}
),

adressen as (
    select * from {{ ref('stg_bag__adressen') }}
),

candidates as (
    select
        signalen.partner_code,
        signalen.signaal_id,
        adressen.adres_pseudo,
        adressen.is_woonfunctie,
        adressen.sleutel_exact = signalen.sleutel_exact as fits_exact,
        adressen.sleutel_exact = signalen.sleutel_omgewisseld as fits_letter_as_toevoeging,
        adressen.sleutel_genormaliseerd = signalen.sleutel_genormaliseerd
            as fits_unique_toevoeging,
        signalen.sleutel_zonder_toevoeging in (adressen.adres_sleutel, adressen.sleutel_letter)
            as fits_missing_toevoeging
    from signalen
    inner join adressen
        on adressen.adres_sleutel = signalen.adres_sleutel
),

per_signal as (
    select
        partner_code,
        signaal_id,
        count(*) as n_kandidaten,
        {%- for rule in rules %}
        count(*) filter (where fits_{{ rule }}) as n_{{ rule }},
        min(adres_pseudo) filter (where fits_{{ rule }}) as adres_{{ rule }},
        {%- endfor %}
        count(*) filter (where fits_missing_toevoeging and is_woonfunctie) as n_missing_toevoeging_wonen,
        min(adres_pseudo) filter (where fits_missing_toevoeging and is_woonfunctie)
            as adres_missing_toevoeging_wonen
    from candidates
    group by partner_code, signaal_id
),

bag_pc4 as (
    select distinct pc4_sleutel from adressen where pc4_sleutel is not null
),

decided as (
    select
        signalen.*,
        coalesce(per_signal.n_kandidaten, 0) as n_kandidaten,
        case
            {%- for rule in rules %}
            when per_signal.n_{{ rule }} = 1 then '{{ rule }}'
            {%- if rule == 'missing_toevoeging' %}
            when per_signal.n_{{ rule }} > 1 and per_signal.n_missing_toevoeging_wonen = 1
                then '{{ rule }}'
            {%- endif %}
            when per_signal.n_{{ rule }} > 1 then 'ambiguous'
            {%- endfor %}
            when signalen.pc4_sleutel in (select pc4_sleutel from bag_pc4) then 'no_match'
            else 'outside_gemeente'
        end as match_status,
        case
            {%- for rule in rules %}
            when per_signal.n_{{ rule }} = 1 then per_signal.adres_{{ rule }}
            {%- if rule == 'missing_toevoeging' %}
            when per_signal.n_{{ rule }} > 1 and per_signal.n_missing_toevoeging_wonen = 1
                then per_signal.adres_missing_toevoeging_wonen
            {%- endif %}
            when per_signal.n_{{ rule }} > 1 then null
            {%- endfor %}
        end as adres_pseudo
    from signalen
    left join per_signal
        on per_signal.partner_code = signalen.partner_code
        and per_signal.signaal_id = signalen.signaal_id
)

select
    decided.quarter,
    decided.partner_code,
    decided.signaal_id,
    coalesce(decided.partner_type, registry.partner_type, 'overige') as partner_type,
    coalesce(types.publicatiegroep, 'overig') as publicatiegroep,
    decided.signaaldatum,
    decided.achterstand_bedrag,
    decided.dagen_achterstand_afgeleid as dagen_achterstand,
    decided.crisissignaal,
    decided.warme_overdracht,
    decided.eindelevering,
    decided.match_status,
    decided.pc4_sleutel,
    decided.adres_sleutel,
    cast(decided.n_kandidaten as integer) as n_kandidaten,
    decided.adres_pseudo,
    huishoudens.huishouden_id
from decided
left join {{ ref('partner_registry') }} as registry
    on registry.partner_code = decided.partner_code
left join {{ ref('partner_types') }} as types
    on types.partner_type = coalesce(decided.partner_type, registry.partner_type, 'overige')
left join {{ ref('int_huishoudens') }} as huishoudens
    on huishoudens.huishouden_id = decided.adres_pseudo
{%- endmacro %}
