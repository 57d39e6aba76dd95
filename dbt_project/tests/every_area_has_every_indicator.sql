-- The quarter being built has every area of its reference and every regio of it
-- (mon_gebieden) with every indicator its period type carries (macros/indicators.sql
-- indicator_period_types) in mon_area_indicators, exactly once per period type: always for
-- kwartaal; for every other period type all or none (none until its quarters are built). The
-- areas of a period are those of the reference of its last quarter (the quarter itself, or
-- the period before the quarter being built for a period type published later).
{{ config(meta={'dagster': {'ref': {'name': 'mon_area_indicators'}}}) }}
with actual as (
    select period_type, period, area_level, area_code, indicator
    from {{ ref('mon_area_indicators') }}
    where quarter = {{ quarter_literal() }}
),

periods as (
    select 'kwartaal' as period_type, {{ quarter_literal() }} as period
    union
    select period_type, period from actual
),

expected as (
    select periods.period_type, periods.period, areas.area_level, areas.area_code, carried.indicator
    from periods
    inner join {{ ref('mon_gebieden') }} as areas
        on areas.quarter = right(periods.period, 6)
    inner join ({{ indicator_period_types() }}) as carried
        on carried.period_type = periods.period_type
)

(select 'missing' as problem, * from expected except select 'missing', * from actual)
union all
(select 'unexpected' as problem, * from actual except select 'unexpected', * from expected)
