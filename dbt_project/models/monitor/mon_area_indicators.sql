-- The dbt output consumed by disclosure control (docs/architecture.md): one row per quarter x
-- period x area x indicator of seeds/indicators.csv with the unsuppressed value. Counts and
-- the median come from mon_area_counts (period_type kwartaal, period = the quarter) and
-- mon_area_counts_vier_kwartalen (vier_kwartalen, period '2025Q4-2026Q3'; no rows until all
-- four quarters are built); every rate is numerator / denominator * scale as the seed says,
-- from the unsuppressed counts of the same period, NULL when the denominator is 0; a rate per
-- month is divided by the months of its period (macros/indicators.sql rate_period_divisor).
{% set wide_columns = count_indicators() + median_indicators() %}
with counts as (
    select *, 'kwartaal' as period_type, quarter as period
    from {{ ref('mon_area_counts') }}
    where quarter = {{ quarter_literal() }}
    union all by name
    select *, 'vier_kwartalen' as period_type
    from {{ ref('mon_area_counts_vier_kwartalen') }}
    where quarter = {{ quarter_literal() }}
),

wide as (
    select
        quarter, period_type, period, area_level, area_code, area_name, parent_code
        {%- for name in wide_columns %},
        cast({{ name }} as double) as {{ name }}
        {%- endfor %}
    from counts
),

long_values as (
    -- include nulls: a median over no household stays a row, with value NULL
    select *
    from wide
    unpivot include nulls (value for indicator in ({{ wide_columns | join(', ') }}))
),

definitions as (
    select * from {{ ref('indicators') }}
),

rates as (
{{ indicator_rates('long_values', ['quarter', 'period_type', 'period', 'area_level', 'area_code', 'area_name', 'parent_code'], ['period_type', 'area_level', 'area_code']) }}
)

select
    long_values.quarter,
    long_values.period_type,
    long_values.period,
    long_values.area_level,
    long_values.area_code,
    long_values.area_name,
    long_values.parent_code,
    long_values.indicator,
    long_values.value
from long_values
inner join definitions
    on definitions.indicator = long_values.indicator
union all
select quarter, period_type, period, area_level, area_code, area_name, parent_code, indicator, value
from rates
