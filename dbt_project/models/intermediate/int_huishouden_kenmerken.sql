-- Features of every signalled household of the quarter (a household with at least one signal
-- matched to its address): its signals, its residents, whether the gemeente knew it, and
-- what the case(s) after its signals achieved. Signals matched to an address without a
-- household (not residential, or nobody registered) are not household signals and stay out.
{% set groups = ['energie', 'water', 'huur', 'zorg', 'overig'] %}
with parameters as (
    select * from {{ ref('int_persona_parameters') }}
),

signalen as (
    select *
    from {{ ref('int_signalen_matched_to_adressen') }}
    where huishouden_id is not null
),

-- The partner mix of each household, in a group-by of its own: inside the one below, with its
-- many other aggregates and the joined cases, the three distinct counts took three times as
-- long (a national quarter of 4M signals: 12.9 s for both against 7.5 s apart).
partner_mix as (
    select
        huishouden_id,
        count(distinct partner_type) as n_partner_types,
        count(distinct publicatiegroep) as n_publicatiegroepen,
        count(distinct partner_code) as n_partners
    from signalen
    group by huishouden_id
),

-- the cases after the signals, with what their outcome means (macros/case_outcomes.sql)
zaken as (
{{ case_outcomes() }}
),

per_household as (
    select
        signalen.huishouden_id,
        count(*) as n_signalen,
        {%- for group in groups %}
        count(*) filter (where signalen.publicatiegroep = '{{ group }}') as n_signalen_{{ group }},
        {%- endfor %}
        sum(signalen.achterstand_bedrag) as totaal_bedrag,
        median(cast(signalen.achterstand_bedrag as double)) as mediaan_bedrag_signaal,
        max(signalen.achterstand_bedrag) as max_bedrag,
        max(signalen.dagen_achterstand) as max_dagen_achterstand,
        bool_or(signalen.crisissignaal) as crisis,
        count(*) filter (where signalen.crisissignaal) as n_crisissignalen,
        count(*) filter (where signalen.eindelevering) as n_eindeleveringssignalen,
        bool_or(signalen.warme_overdracht) as warme_overdracht,
        bool_or(signalen.eindelevering) as eindelevering,
        min(signalen.signaaldatum) as eerste_signaaldatum,
        max(signalen.signaaldatum) as laatste_signaaldatum,
{{ household_case_aggregates() }}
    from signalen
    left join zaken
        on zaken.partner_code = signalen.partner_code
        and zaken.signaal_id = signalen.signaal_id
    group by signalen.huishouden_id
),

-- repeat (hh_herhaald): another signal matched to the household's address (the household
-- is its address) in the herhaald_maanden (6) calendar months before its first signal of the
-- quarter, from the earlier signals of every landing quarter still in the warehouse
herhaald as (
    select distinct per_household.huishouden_id
    from per_household
    inner join {{ ref('int_eerdere_signalen_matched_to_adressen') }} as eerdere
        on eerdere.adres_pseudo = per_household.huishouden_id
    cross join parameters
    where eerdere.signaaldatum < per_household.eerste_signaaldatum
      and eerdere.signaaldatum >= per_household.eerste_signaaldatum
          - to_months(cast(parameters.herhaald_maanden as integer))
),

bewoners as (
    select
        per_household.huishouden_id,
        per_household.eerste_signaaldatum,
        personen.bsn_pseudo
    from per_household
    inner join {{ ref('stg_brp__personen') }} as personen
        on personen.adres_pseudo = per_household.huishouden_id
),

-- benefit and debt-help spells; einddatum NULL = still running
spells as (
    select bsn_pseudo, 'uitkering' as bron, regeling as code, startdatum, einddatum
    from {{ ref('stg_gemeente__uitkeringen') }}
    union all
    select bsn_pseudo, 'schuldhulp' as bron, soort as code, startdatum, einddatum
    from {{ ref('stg_gemeente__schuldhulp') }}
),

spell_flags as (
    select
        bewoners.huishouden_id,
        -- known: a spell overlapping the bekend_maanden (12) months up to the first signal
        bool_or(
            spells.startdatum <= bewoners.eerste_signaaldatum
            and coalesce(spells.einddatum, bewoners.eerste_signaaldatum)
                >= bewoners.eerste_signaaldatum
                   - to_months(cast(parameters.bekend_maanden as integer))
        ) as bekend,
        -- benefits held during the quarter (persona rules)
        bool_or(spells.bron = 'uitkering' and spells.overlaps_quarter) as uitkering_in_kwartaal,
        bool_or(
            spells.bron = 'uitkering' and spells.overlaps_quarter
            and spells.code in ({{ "'" ~ var('persona_regelingen_minimum') | join("', '") ~ "'" }})
        ) as minimumuitkering_in_kwartaal,
        bool_or(
            spells.bron = 'uitkering' and spells.overlaps_quarter
            and spells.code in ({{ "'" ~ var('persona_regelingen_zelfstandige') | join("', '") ~ "'" }})
        ) as bbz_in_kwartaal
    from bewoners
    inner join (
        select
            *,
            startdatum <= {{ quarter_end() }}
                and coalesce(einddatum, {{ quarter_end() }}) >= {{ quarter_start() }}
                as overlaps_quarter
        from spells
    ) as spells
        on spells.bsn_pseudo = bewoners.bsn_pseudo
    cross join parameters
    group by bewoners.huishouden_id
)

select
    huishoudens.quarter,
    per_household.huishouden_id,
    huishoudens.buurtcode,
    huishoudens.wijkcode,
    huishoudens.gemeentecode,
    huishoudens.n_bewoners,
    huishoudens.n_minderjarigen,
    huishoudens.leeftijd_oudste,
    huishoudens.leeftijd_jongste,
    cast(per_household.n_signalen as integer) as n_signalen,
    {%- for group in groups %}
    cast(per_household.n_signalen_{{ group }} as integer) as n_signalen_{{ group }},
    {%- endfor %}
    cast(partner_mix.n_partner_types as integer) as n_partner_types,
    cast(partner_mix.n_publicatiegroepen as integer) as n_publicatiegroepen,
    cast(partner_mix.n_partners as integer) as n_partners,
    cast(per_household.totaal_bedrag as decimal(14, 2)) as totaal_bedrag,
    per_household.mediaan_bedrag_signaal,
    per_household.max_bedrag,
    per_household.max_dagen_achterstand,
    per_household.crisis,
    cast(per_household.n_crisissignalen as integer) as n_crisissignalen,
    cast(per_household.n_eindeleveringssignalen as integer) as n_eindeleveringssignalen,
    per_household.warme_overdracht,
    per_household.eindelevering,
    per_household.eerste_signaaldatum,
    per_household.laatste_signaaldatum,
    {{ household_case_columns('per_household', 'per_household.eerste_signaaldatum') }},
    coalesce(spell_flags.bekend, false) as bekend,
    coalesce(spell_flags.uitkering_in_kwartaal, false) as uitkering_in_kwartaal,
    coalesce(spell_flags.minimumuitkering_in_kwartaal, false) as minimumuitkering_in_kwartaal,
    coalesce(spell_flags.bbz_in_kwartaal, false) as bbz_in_kwartaal,
    herhaald.huishouden_id is not null as herhaald
from per_household
inner join partner_mix
    on partner_mix.huishouden_id = per_household.huishouden_id
inner join {{ ref('int_huishoudens') }} as huishoudens
    on huishoudens.huishouden_id = per_household.huishouden_id
left join spell_flags
    on spell_flags.huishouden_id = per_household.huishouden_id
left join herhaald
    on herhaald.huishouden_id = per_household.huishouden_id
