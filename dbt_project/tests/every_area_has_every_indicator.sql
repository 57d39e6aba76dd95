-- The quarter being built has every area of its reference and every regio of it
-- (mon_gebieden) with every indicator of seeds/indicators.csv in mon_area_indicators,
-- exactly once per period type: always for kwartaal; for every other period type all or none
-- (none until its quarters are built).
{{ config(meta={'dagster': {'ref': {'name': 'mon_area_indicators'}}}) }}
with areas as (
    select area_level, area_code from {{ ref('mon_gebieden') }}
    where quarter = {{ quarter_literal() }}
),

actual as (
    select period_type, area_level, area_code, indicator
    from {{ ref('mon_area_indicators') }}
    where quarter = {{ quarter_literal() }}
),

period_types as (
    select 'kwartaal' as period_type
    union
    select period_type from actual
),

expected as (
    select period_types.period_type, areas.area_level, areas.area_code, definitions.indicator
    from period_types
    cross join areas
    cross join {{ ref('indicators') }} as definitions
)

(select 'missing' as problem, * from expected except select 'missing', * from actual)
union all
(select 'unexpected' as problem, * from actual except select 'unexpected', * from expected)
