{#- What mon_area_counts and mon_area_counts_vier_kwartalen compute alike. -#}

{#- Area levels and the household column that places a household in an area of that level. -#}
{% macro area_levels() -%}
  {{ return([('buurt', 'buurtcode'), ('wijk', 'wijkcode'), ('gemeente', 'gemeentecode'),
             ('regio', 'regiocode')]) }}
{%- endmacro %}

{#- The regio of a gemeente (mon_gebieden), NULL for a gemeente in no regio or not
    in the reference of ``quarter`` (a SQL literal; the quarter being built by default): the
    regiocode column per_area_level needs beside gemeentecode.
    A correlated subquery: qualify the argument (``g.area_code``) when its name is also a
    column of mon_gebieden, or it binds to mon_gebieden's own column. -#}
{% macro regiocode_of(gemeentecode, quarter=none) -%}
(select gebied.parent_code from {{ ref('mon_gebieden') }} as gebied
     where gebied.quarter = {{ quarter or quarter_literal() }} and gebied.area_level = 'gemeente'
       and gebied.area_code = {{ gemeentecode }})
{%- endmacro %}

{#- The select list of the signalled-household counts over a group of rows with one row per
    signalled household: n_partner_types, n_signalen, n_signalen_<groep>, bekend, bereikt,
    hulp_geaccepteerd, persona, opgepakt, hulpsoort, n_crisissignalen,
    n_eindeleveringssignalen, contactpogingen and herhaald as in fct_huishouden_signalen. -#}
{% macro signalled_household_counts() -%}
        count(*) as hh_met_signaal,
        count(*) filter (where n_partner_types >= 2) as hh_meerdere_signalen,
        sum(n_signalen) as signalen,
        {%- for group in publication_groups() %}
        sum(n_signalen_{{ group }}) as signalen_{{ group }},
        {%- endfor %}
        count(*) filter (where not bekend) as hh_onbekend,
        count(*) filter (where bereikt) as hh_bereikt,
        count(*) filter (where hulp_geaccepteerd) as hh_hulp_geaccepteerd,
        {%- for persona in personas() %}
        count(*) filter (where persona = '{{ persona }}') as hh_persona_{{ persona }},
        count(*) filter (where persona = '{{ persona }}' and bereikt) as hh_bereikt_persona_{{ persona }},
        count(*) filter (where persona = '{{ persona }}' and hulp_geaccepteerd)
            as hh_hulp_persona_{{ persona }},
        {%- endfor %}
        count(*) filter (where opgepakt) as hh_opgepakt,
        {%- for soort in hulpsoorten() %}
        count(*) filter (where hulpsoort = '{{ soort }}') as hh_hulpsoort_{{ soort }},
        {%- endfor %}
        sum(n_crisissignalen) as crisissignalen,
        sum(n_eindeleveringssignalen) as eindeleveringssignalen,
        sum(contactpogingen) as contactpogingen,
        count(*) filter (where herhaald) as hh_herhaald
{%- endmacro %}

{#- One row per area of every level: the select list ``columns`` over the rows of ``relation``
    (one per household, or per household group, with buurtcode, wijkcode, gemeentecode and
    regiocode) that
    the area holds, as area_level, area_code and those columns. -#}
{% macro per_area_level(relation, columns) -%}
    {%- for level, code in area_levels() %}
    select
        '{{ level }}' as area_level,
        {{ code }} as area_code,
        {{ columns }}
    from {{ relation }}
    where {{ code }} is not null
    group by {{ code }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The median minimum: min_median_n of seeds/disclosure_parameters.csv. -#}
{% macro min_median_n() -%}
(select value from {{ ref('disclosure_parameters') }} where parameter = 'min_median_n')
{%- endmacro %}

{#- mediaan_dagen_tot_contact over grouped signalled households: the median of dagen_tot_contact
    over the reached ones, NULL with fewer than min_median_n of them with a contact date. -#}
{% macro median_days_to_contact() -%}
case when count(dagen_tot_contact) filter (where bereikt) >= {{ min_median_n() }}
            then median(dagen_tot_contact) filter (where bereikt) end
{%- endmacro %}

{#- The medians per area of every level (relation: one row per signalled household with
    buurtcode, wijkcode, gemeentecode, regiocode, totaal_bedrag, max_dagen_achterstand, bereikt and
    dagen_tot_contact): the households' total arrears; their longest arrears in days and,
    over reached households, the days to first contact, each only when at least min_median_n
    (seeds/disclosure_parameters.csv) households have a value (else NULL: a median over fewer
    is suppressed, and its denominator count could not tell). -#}
{% macro area_medians(relation) -%}
{%- set min_n = min_median_n() -%}
{%- set columns -%}
median(cast(totaal_bedrag as double)) as mediaan_bedrag,
        case when count(max_dagen_achterstand) >= {{ min_n }}
            then median(max_dagen_achterstand) end as mediaan_dagen_achterstand,
        {{ median_days_to_contact() }} as mediaan_dagen_tot_contact
{%- endset -%}
{{ per_area_level(relation, columns) }}
{%- endmacro %}

{#- The joins of the wide select of mon_area_counts and mon_area_counts_vier_kwartalen: the area
    rows (alias areas) with the model's CTEs per_area (per_area_level) and medians
    (area_medians), on area_level and area_code. -#}
{% macro join_area_figures() -%}
left join per_area
    on per_area.area_level = areas.area_level
    and per_area.area_code = areas.area_code
left join medians
    on medians.area_level = areas.area_level
    and medians.area_code = areas.area_code
{%- endmacro %}

{#- The failing rows of a hierarchy test: the areas of ``level`` in mon_area_counts and the
    models of the other period types (every quarter and
    period; a count a model lacks is NULL there and checks nothing) where a count indicator breaks
    ``area <op> sum of its parts``, the parts being the areas of ``part_level`` whose
    parent_code it is (an area without parts: a sum of 0). ``op``: '=' where the parts are the
    whole area, '>=' where the area also counts what is in none of them. -#}
{% macro areas_against_their_parts(level, part_level, op) -%}
{%- set counts = every_count_indicator() %}
{#- an asset check of the four-quarter model (the last of the three Dagster can name) -#}
{{ config(meta={'dagster': {'ref': {'name': 'mon_area_counts_vier_kwartalen'}}}) }}
with areas as (
    select *, quarter as period from {{ ref('mon_area_counts') }}
    union all by name
    select * from {{ ref('mon_area_counts_vier_kwartalen') }}
    union all by name
    select * from {{ ref('mon_area_counts_kwartaal_afgerond') }}
    union all by name
    select * from {{ ref('mon_area_counts_vier_kwartalen_afgerond') }}
    union all by name
    select * from {{ ref('mon_area_counts_cohort_zes_maanden') }}
),

part_sums as (
    select
        quarter,
        period,
        parent_code
        {%- for name in counts %},
        sum({{ name }}) as {{ name }}
        {%- endfor %}
    from areas
    where area_level = '{{ part_level }}'
    group by quarter, period, parent_code
)

select area.quarter, area.period, area.area_code
from areas as area
left join part_sums
    on part_sums.quarter = area.quarter
    and part_sums.period = area.period
    and part_sums.parent_code = area.area_code
where area.area_level = '{{ level }}'
  and not (
    {%- for name in counts %}
    area.{{ name }} {{ op }} coalesce(part_sums.{{ name }}, 0){{ ' and' if not loop.last }}
    {%- endfor %}
  )
{%- endmacro %}
