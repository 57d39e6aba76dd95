-- Every rate of the quarter being built is numerator / denominator * scale of the counts of
-- the same period in the same table (NULL exactly when the denominator is 0), divided by the
-- months of the period for a rate per month.
{{ config(meta={'dagster': {'ref': {'name': 'mon_area_indicators'}}}) }}
with indicators as (
    select * from {{ ref('mon_area_indicators') }}
    where quarter = {{ quarter_literal() }}
)

select rate.period_type, rate.area_code, rate.indicator, rate.value, numerator.value as num, denominator.value as den
from indicators as rate
inner join {{ ref('indicators') }} as definitions
    on definitions.indicator = rate.indicator and definitions.kind = 'rate'
inner join indicators as numerator
    on numerator.period_type = rate.period_type
    and numerator.area_code = rate.area_code and numerator.indicator = definitions.numerator
inner join indicators as denominator
    on denominator.period_type = rate.period_type
    and denominator.area_code = rate.area_code and denominator.indicator = definitions.denominator
inner join {{ ref('periods') }} as periods
    on periods.period_type = rate.period_type
where case
    when denominator.value = 0 then rate.value is not null
    else rate.value is null
        or abs(rate.value - numerator.value / denominator.value * definitions.scale
               / {{ rate_period_divisor('definitions.unit', 'periods.quarters') }}) > 1e-9
end
