-- Households of the quarter: one per residential BAG address (is_woonfunctie) with at least
-- one resident registered in the quarter's BRP extract. The household key is the address
-- pseudonym. Area: the address's buurt when it is in the area reference (then its wijk and
-- gemeente follow the reference hierarchy); otherwise no buurt and no wijk, and the
-- gemeente from BAG's gemeentecode (such households count at gemeente level only).
with parameters as (
    select * from {{ ref('int_persona_parameters') }}
),

residents as (
    select
        personen.adres_pseudo,
        count(*) as n_bewoners,
        count(*) filter (where personen.leeftijd < parameters.minderjarig_tot) as n_minderjarigen,
        max(personen.leeftijd) as leeftijd_oudste,
        min(personen.leeftijd) as leeftijd_jongste
    from {{ ref('stg_brp__personen') }} as personen
    cross join parameters
    group by personen.adres_pseudo
)

select
    adressen.quarter,
    adressen.adres_pseudo as huishouden_id,
    hierarchie.buurtcode,
    hierarchie.wijkcode,
    coalesce(hierarchie.gemeentecode, adressen.gemeentecode) as gemeentecode,
    cast(residents.n_bewoners as integer) as n_bewoners,
    cast(residents.n_minderjarigen as integer) as n_minderjarigen,
    residents.leeftijd_oudste,
    residents.leeftijd_jongste
from {{ ref('stg_bag__adressen') }} as adressen
inner join residents
    on residents.adres_pseudo = adressen.adres_pseudo
left join {{ ref('int_buurten_in_hierarchie') }} as hierarchie
    on hierarchie.buurtcode = adressen.buurtcode
where adressen.is_woonfunctie
