-- The dbt output consumed by disclosure control (docs/architecture.md): one row per quarter x
-- period x area x indicator of seeds/indicators.csv that the period type carries
-- (macros/indicators.sql indicator_period_types), with the unsuppressed value. Counts and
-- the median come from mon_area_counts (period_type kwartaal, period = the quarter),
-- mon_area_counts_vier_kwartalen (vier_kwartalen, period '2025Q4-2026Q3'; no rows until all
-- four quarters are built), mon_area_counts_kwartaal_afgerond and
-- mon_area_counts_vier_kwartalen_afgerond (kwartaal_afgerond, period '2026Q2' in quarter
-- 2026Q3, and vier_kwartalen_afgerond, '2025Q3-2026Q2': the outcomes known a quarter later)
-- and mon_area_counts_cohort_zes_maanden (cohort_zes_maanden, period the quarter two
-- quarters earlier: '2026Q1' in quarter 2026Q3; no rows until it is built);
-- every rate is numerator / denominator * scale as the seed says, from the unsuppressed
-- counts of the same period, NULL when the denominator is 0; a rate per month is divided by
-- the months of its period (macros/indicators.sql rate_period_divisor).
{% set wide_columns = every_count_indicator() + median_indicators() %}
{#- the model of every period type but kwartaal's (mon_area_counts, below) -#}
{% set period_models = {
    'vier_kwartalen': 'mon_area_counts_vier_kwartalen',
    'kwartaal_afgerond': 'mon_area_counts_kwartaal_afgerond',
    'vier_kwartalen_afgerond': 'mon_area_counts_vier_kwartalen_afgerond',
    'cohort_zes_maanden': 'mon_area_counts_cohort_zes_maanden',
} %}
with counts as (
    select *, 'kwartaal' as period_type, quarter as period
    from {{ ref('mon_area_counts') }}
    where quarter = {{ quarter_literal() }}
    {%- for period_type, model in period_models.items() %}
    union all by name
    select *, '{{ period_type }}' as period_type
    from {{ ref(model) }}
    where quarter = {{ quarter_literal() }}
    {%- endfor %}
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

carried as (
{{ indicator_period_types() }}
),

rates as (
{{ indicator_rates('long_values', ['quarter', 'period_type', 'period', 'area_level', 'area_code', 'area_name', 'parent_code'], ['period_type', 'area_level', 'area_code']) }}
)

select
    figures.quarter,
    figures.period_type,
    figures.period,
    figures.area_level,
    figures.area_code,
    figures.area_name,
    figures.parent_code,
    figures.indicator,
    figures.value
from (
    select long_values.*
    from long_values
    inner join definitions
        on definitions.indicator = long_values.indicator
    union all by name
    select * from rates
) as figures
inner join carried
    on carried.indicator = figures.indicator
    and carried.period_type = figures.period_type
