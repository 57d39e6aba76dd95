-- Restricted wide table of the cohort followed for six months (period type cohort_zes_maanden,
-- seeds/periods.csv): the signalled households of the quarter two quarters before the quarter
-- being built (period 2026Q1 in the build of 2026Q3), in the areas where they lived then,
-- followed for schuldhulp_maanden (6) calendar months after their first signal of that quarter
-- (seeds/persona_parameters.csv), both days included:
-- - hh_schuldhulp_binnen_6m: a resident (registered at the household's address in the cohort
--   quarter's BRP extract) started a schuldhulp trajectory in that window, from the quarter's
--   schuldhulp extract (every trajectory started by its end);
-- - hh_nieuw_signaal_na_hulp: of the households that accepted help (hh_hulp_geaccepteerd as
--   counted a quarter after that quarter), those with another signal at their address after their first
--   contact and after their last signal of the quarter (so not the signals that led to the
--   help, nor one of them delivered again with another date) and in the window, from
--   fct_signalen of the cohort quarter and the two after it.
-- Six months after the last day of the cohort quarter is the last day of the quarter being
-- built, so the figures are complete when they are computed and are never computed again,
-- with one gap: a signal dated in the quarter after the cohort's that a partner delivers only
-- with the extracts of the quarter being built is in no fct_signalen row (the quarter of its
-- date was built before it arrived) and is not counted, unless that quarter is built again
-- first (docs/late-figures-plan.md, section 0).
-- Unsuppressed: the input of disclosure control, never published as such.
--
-- hh_met_signaal is the cohort's as mon_area_counts counted it for that quarter, and
-- hh_hulp_geaccepteerd and the first contact are its outcomes as known one quarter later
-- (fct_huishouden_uitkomsten, as mon_area_counts_kwartaal_afgerond counted them): the same
-- households in the same areas (fct_huishouden_signalen and mon_gebieden keep every quarter),
-- the denominators of the rates, and the figures already published (disclosure control
-- refuses a difference). No rows until the cohort quarter and the quarter after it are built,
-- in that order (their signals count, and the outcomes are built with the quarter after).
{% set delay = period_delays()['cohort_zes_maanden'] %}
{% set followed = period_quarters(delay + 1) %}
{% set cohort = followed[0] %}
-- built: the cohort quarter and the one after it, and the cohort's outcomes known a quarter
-- later (fct_huishouden_uitkomsten: not there when the quarter after was built before the
-- cohort's own, or before the outcomes moved to a quarter later)
with built as (
    select count(distinct quarter) = {{ delay }}
        and exists (
            select 1 from {{ ref('fct_huishouden_uitkomsten') }} where period = '{{ cohort }}'
        ) as is_built
    from {{ ref('mon_area_counts') }}
    where quarter in ('{{ followed[:-1] | join("', '") }}')
),

cohort as (
    select
        households.huishouden_id,
        households.buurtcode,
        households.wijkcode,
        households.gemeentecode,
        households.eerste_signaaldatum,
        outcomes.hulp_geaccepteerd,
        greatest(
            coalesce(
                households.eerste_signaaldatum + cast(outcomes.dagen_tot_contact as integer),
                households.laatste_signaaldatum
            ),
            households.laatste_signaaldatum
        ) as na_datum
    from {{ ref('fct_huishouden_signalen') }} as households
    inner join {{ ref('fct_huishouden_uitkomsten') }} as outcomes
        on outcomes.period = households.quarter
        and outcomes.huishouden_id = households.huishouden_id
    where households.quarter = '{{ cohort }}'
),

window_end as (
    select
        cohort.huishouden_id,
        cohort.eerste_signaaldatum
            + to_months(cast(parameters.schuldhulp_maanden as integer)) as last_day
    from cohort
    cross join {{ ref('int_persona_parameters') }} as parameters
),

signalled_again as (
    select distinct cohort.huishouden_id
    from cohort
    inner join window_end
        on window_end.huishouden_id = cohort.huishouden_id
    inner join {{ ref('fct_signalen') }} as signalen
        on signalen.adres_pseudo = cohort.huishouden_id  -- the household is its address
        and signalen.quarter in ('{{ followed | join("', '") }}')
    where cohort.hulp_geaccepteerd
      and signalen.signaaldatum > cohort.na_datum
      and signalen.signaaldatum <= window_end.last_day
      and not exists (  -- a signal of the cohort's quarter delivered again, later dated
          select 1 from {{ ref('fct_signalen') }} as own
          where own.quarter = '{{ cohort }}'
            and own.partner_code = signalen.partner_code
            and own.signaal_id = signalen.signaal_id
      )
),

started as (
    select distinct cohort.huishouden_id
    from cohort
    inner join window_end
        on window_end.huishouden_id = cohort.huishouden_id
    inner join {{ source('raw', 'brp_personen') }} as personen
        on personen.adres_pseudo = cohort.huishouden_id
        and personen.quarter = '{{ cohort }}'
    inner join {{ ref('stg_gemeente__schuldhulp') }} as schuldhulp
        on schuldhulp.bsn_pseudo = personen.bsn_pseudo
    where schuldhulp.startdatum >= cohort.eerste_signaaldatum
      and schuldhulp.startdatum <= window_end.last_day
),

households as (
    select
        cohort.buurtcode,
        cohort.wijkcode,
        cohort.gemeentecode,
        gemeente.parent_code as regiocode,
        cohort.hulp_geaccepteerd,
        started.huishouden_id is not null as schuldhulp_gestart,
        again.huishouden_id is not null as opnieuw_gesignaleerd
    from cohort
    left join started
        on started.huishouden_id = cohort.huishouden_id
    left join signalled_again as again
        on again.huishouden_id = cohort.huishouden_id
    left join {{ ref('mon_gebieden') }} as gemeente
        on gemeente.quarter = '{{ cohort }}'
        and gemeente.area_level = 'gemeente'
        and gemeente.area_code = cohort.gemeentecode
),

{% set columns -%}
count(*) as hh_met_signaal,
        count(*) filter (where hulp_geaccepteerd) as hh_hulp_geaccepteerd,
        count(*) filter (where schuldhulp_gestart) as hh_schuldhulp_binnen_6m,
        count(*) filter (where opnieuw_gesignaleerd) as hh_nieuw_signaal_na_hulp
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
