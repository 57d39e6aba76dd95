-- The quarter being built has every area of its reference with every indicator of
-- seeds/indicators.csv in mon_area_indicators, exactly once.
{{ config(meta={'dagster': {'ref': {'name': 'mon_area_indicators'}}}) }}
with areas as (
    select area_level, area_code from {{ ref('stg_cbs__wijken_buurten') }}
),

expected as (
    select areas.area_level, areas.area_code, definitions.indicator
    from areas
    cross join {{ ref('indicators') }} as definitions
),

actual as (
    select area_level, area_code, indicator
    from {{ ref('mon_area_indicators') }}
    where quarter = {{ quarter_literal() }}
)

(select 'missing' as problem, * from expected except select 'missing', * from actual)
union all
(select 'unexpected' as problem, * from actual except select 'unexpected', * from expected)
