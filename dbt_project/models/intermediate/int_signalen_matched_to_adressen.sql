-- Each signal of the quarter matched to at most one BAG address of the quarter's extract.
--
-- Candidates are the BAG addresses with the signal's adres_sleutel (postcode + house number).
-- Letters and additions are never compared in clear: ingestion stores a keyed pseudonym of
-- every reading the rules need (orchestration/ingestion/address_keys.py), and a rule fits
-- when the signal's key of that reading equals the address's key.
-- The rules are tried in this order; the first rule that fits at least one candidate
-- decides: exactly one fitting candidate is the match, several is 'ambiguous'.
--   exact                 letter and addition equal (sleutel_exact)
--   letter_as_toevoeging  letter written as addition or the reverse: the signal has only a
--                         letter and BAG only an addition with that value, or the reverse
--                         ('12-A' read as letter A while BAG has toevoeging A): the signal's
--                         sleutel_omgewisseld equals the address's sleutel_exact
--   unique_toevoeging     same letter and the same addition in its loose form (Roman floors,
--                         'hs' = 'H', leading zeros): '12-II' finds BAG toevoeging '2',
--                         '12 hs' finds 'H'; or a lone letter that is really an addition:
--                         '12 I' finds BAG toevoeging '1' (sleutel_genormaliseerd)
--   missing_toevoeging    the signal has no addition: the one address at the number with
--                         the signal's letter (any letter when it has none); when there are
--                         several, the one residential address among them (the signal's
--                         sleutel_zonder_toevoeging is its letter key, compared with the
--                         address's sleutel_letter, or without a letter its adres_sleutel)
-- When no rule fits any candidate:
--   ambiguous             never: a rule that fits several candidates already says so
--   no_match              the number is unknown in BAG or no address at it fits, and the
--                         signal's pc4 occurs in the BAG extract (keyed: pc4_sleutel)
--   outside_gemeente      the signal's pc4 occurs in no BAG address of the extract
-- Never a guess: when a rule fits several addresses the signal stays unmatched.
{% set rules = ['exact', 'letter_as_toevoeging', 'unique_toevoeging', 'missing_toevoeging'] %}
with signalen as (
    select * from {{ ref('stg_partners__signalen') }}
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
    cast(decided.n_kandidaten as integer) as n_kandidaten,
    decided.adres_pseudo,
    huishoudens.huishouden_id
from decided
left join {{ ref('partner_registry') }} as registry
    on registry.partner_code = decided.partner_code
left join {{ ref('partner_types') }} as types
    on types.partner_type = coalesce(decided.partner_type, registry.partner_type, 'overige')
left join {{ ref('int_huishoudens') }} as huishoudens
    on huishoudens.adres_pseudo = decided.adres_pseudo
