-- Every count of a gemeente is at least the sum over its wijken (households without buurt
-- count in the gemeente only, so it may be more, never less); all quarters and periods.
{% set counts = count_indicators() %}
with areas as (
    select *, quarter as period from {{ ref('mon_area_counts') }}
    union all by name
    select * from {{ ref('mon_area_counts_vier_kwartalen') }}
),

wijk_sums as (
    select
        quarter,
        period,
        parent_code as gemeentecode
        {%- for name in counts %},
        sum({{ name }}) as {{ name }}
        {%- endfor %}
    from areas
    where area_level = 'wijk'
    group by quarter, period, parent_code
)

select gemeente.quarter, gemeente.period, gemeente.area_code
from areas as gemeente
left join wijk_sums
    on wijk_sums.quarter = gemeente.quarter
    and wijk_sums.period = gemeente.period
    and wijk_sums.gemeentecode = gemeente.area_code
where gemeente.area_level = 'gemeente'
  and (
    {%- for name in counts %}
    gemeente.{{ name }} < coalesce(wijk_sums.{{ name }}, 0){{ ' or' if not loop.last }}
    {%- endfor %}
  )
