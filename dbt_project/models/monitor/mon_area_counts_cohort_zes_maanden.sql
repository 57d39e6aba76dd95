-- Restricted wide table of the cohort followed for six months (period type cohort_zes_maanden,
-- seeds/periods.csv): the signalled households of the quarter two quarters before the quarter
-- being built (period 2026Q1 in the build of 2026Q3), in the areas where they lived then, and
-- how many of them started debt help: a resident (registered at the household's address in
-- the cohort quarter's BRP extract) with a schuldhulp trajectory whose startdatum lies from the
-- household's first signal of that quarter up to schuldhulp_maanden (6) calendar months after
-- it (seeds/persona_parameters.csv). The quarter's schuldhulp extract holds every trajectory
-- started by its end, and six months after the last day of the cohort quarter is the last day
-- of the quarter being built, so the figure is complete when it is computed and is never
-- computed again. Unsuppressed: the input of disclosure control, never published as such.
--
-- hh_met_signaal is the cohort's as mon_area_counts counted it for that quarter (the same
-- households in the same areas, from fct_huishouden_signalen and mon_gebieden, which keep every
-- quarter): the denominator of pct_schuldhulp_binnen_6m, and the figure already published with
-- the quarter itself (disclosure control refuses a difference). No rows until the cohort
-- quarter is built (mon_area_counts has its rows).
{% set cohort = period_quarters(1, period_delays()['cohort_zes_maanden'])[0] %}
with built as (
    select count(*) > 0 as is_built
    from {{ ref('mon_area_counts') }}
    where quarter = '{{ cohort }}'
),

cohort as (
    select huishouden_id, buurtcode, wijkcode, gemeentecode, eerste_signaaldatum
    from {{ ref('fct_huishouden_signalen') }}
    where quarter = '{{ cohort }}'
),

started as (
    select distinct cohort.huishouden_id
    from cohort
    inner join {{ source('raw', 'brp_personen') }} as personen
        on personen.adres_pseudo = cohort.huishouden_id
        and personen.quarter = '{{ cohort }}'
    inner join {{ ref('stg_gemeente__schuldhulp') }} as schuldhulp
        on schuldhulp.bsn_pseudo = personen.bsn_pseudo
    cross join {{ ref('int_persona_parameters') }} as parameters
    where schuldhulp.startdatum >= cohort.eerste_signaaldatum
      and schuldhulp.startdatum <= cohort.eerste_signaaldatum
          + to_months(cast(parameters.schuldhulp_maanden as integer))
),

households as (
    select
        cohort.buurtcode,
        cohort.wijkcode,
        cohort.gemeentecode,
        gemeente.parent_code as regiocode,
        started.huishouden_id is not null as schuldhulp_gestart
    from cohort
    left join started
        on started.huishouden_id = cohort.huishouden_id
    left join {{ ref('mon_gebieden') }} as gemeente
        on gemeente.quarter = '{{ cohort }}'
        and gemeente.area_level = 'gemeente'
        and gemeente.area_code = cohort.gemeentecode
),

{% set columns -%}
count(*) as hh_met_signaal,
        count(*) filter (where schuldhulp_gestart) as hh_schuldhulp_binnen_6m
{%- endset %}
per_area as (
{{ per_area_level('households', columns) }}
)

select
    {{ quarter_literal() }} as quarter,
    areas.quarter as period,
    areas.area_level,
    areas.area_code,
    areas.area_name,
    areas.parent_code,
    {%- for name in cohort_count_indicators() %}
    cast(coalesce(per_area.{{ name }}, 0) as bigint) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
from {{ ref('mon_gebieden') }} as areas
cross join built
left join per_area
    on per_area.area_level = areas.area_level
    and per_area.area_code = areas.area_code
where areas.quarter = '{{ cohort }}'
  and built.is_built
