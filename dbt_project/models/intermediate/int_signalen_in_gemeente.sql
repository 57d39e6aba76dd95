-- Every signal of the quarter with the gemeente it counts in (the rule of mon_area_counts):
-- a signal linked to a household counts in the household's gemeente (int_huishoudens); a
-- signal at no household (unmatched, outside the gemeente, ambiguous, or at an address where
-- nobody lives) in the matched address's BAG gemeente, else the gemeente of most BAG
-- addresses with the signal's pc4, else the reference's gemeente when it has just one (a
-- signal from outside the gemeente was still received by it); with several gemeenten and no
-- pc4 in BAG, in no gemeente (NULL).
with signalen as (
    select * from {{ ref('int_signalen_matched_to_adressen') }}
),

bag as (
    select * from {{ ref('stg_bag__adressen') }}
),

pc4_gemeente as (
    select pc4_sleutel, first(gemeentecode order by n desc, gemeentecode) as gemeentecode
    from (select pc4_sleutel, gemeentecode, count(*) as n from bag group by all)
    group by pc4_sleutel
),

only_gemeente as (
    select case when count(*) = 1 then min(area_code) end as gemeentecode
    from {{ ref('stg_cbs__wijken_buurten') }}
    where area_level = 'gemeente'
)

select
    signalen.quarter,
    signalen.partner_code,
    signalen.signaal_id,
    signalen.publicatiegroep,
    signalen.huishouden_id,
    -- why the signal is at no household (NULL when it is at one): its match status, or
    -- 'matched' for an address where nobody lives (macros/indicators.sql unlinked_reasons)
    case
        when signalen.huishouden_id is null and signalen.adres_pseudo is not null then 'matched'
        when signalen.huishouden_id is null then signalen.match_status
    end as unlinked_status,
    case
        when signalen.huishouden_id is not null then huishoudens.gemeentecode
        else coalesce(adres.gemeentecode, pc4.gemeentecode, only_gemeente.gemeentecode)
    end as gemeentecode
from signalen
left join {{ ref('int_huishoudens') }} as huishoudens
    on huishoudens.huishouden_id = signalen.huishouden_id
left join bag as adres
    on adres.adres_pseudo = signalen.adres_pseudo
left join pc4_gemeente as pc4
    on pc4.pc4_sleutel = signalen.pc4_sleutel
cross join only_gemeente
