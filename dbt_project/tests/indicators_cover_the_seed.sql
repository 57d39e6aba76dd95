-- Every count and median indicator of seeds/indicators.csv is computed by mon_area_counts or
-- mon_area_counts_cohort_zes_maanden (macros/indicators.sql), and every rate names a numerator
-- and denominator that are; every period type an indicator names is in seeds/periods.csv.
{{ config(meta={'dagster': {'ref': {'name': 'indicators'}}}) }}
{% set computed = every_count_indicator() + median_indicators() %}
with computed as (
    select unnest([{{ "'" ~ computed | join("', '") ~ "'" }}]) as indicator
),

definitions as (
    select * from {{ ref('indicators') }}
)

select indicator, 'count or median not computed' as problem
from definitions
where kind in ('count', 'median') and indicator not in (select indicator from computed)
union all
select indicator, 'computed but not in the seed' as problem
from computed
where indicator not in (select indicator from definitions)
union all
select indicator, 'rate over an unknown count' as problem
from definitions
where kind = 'rate'
  and (numerator not in (select indicator from computed)
       or denominator not in (select indicator from computed))
union all
select indicator, 'unknown kind' as problem
from definitions
where kind not in ('count', 'rate', 'median')
union all
select indicator, 'unknown period type ' || period_type as problem
from (
    select indicator, trim(unnest(string_split(periodesoorten, ','))) as period_type
    from definitions
    where coalesce(trim(periodesoorten), '') <> ''
)
where period_type not in (select period_type from {{ ref('periods') }})
union all
select indicator, 'carried by no period type' as problem
from definitions
where indicator not in (select indicator from ({{ indicator_period_types() }}))
