-- Every count of a wijk equals the sum over its buurten (all quarters and periods, every
-- count indicator).
{% set counts = count_indicators() %}
with areas as (
    select *, quarter as period from {{ ref('mon_area_counts') }}
    union all by name
    select * from {{ ref('mon_area_counts_vier_kwartalen') }}
),

buurt_sums as (
    select
        quarter,
        period,
        parent_code as wijkcode
        {%- for name in counts %},
        sum({{ name }}) as {{ name }}
        {%- endfor %}
    from areas
    where area_level = 'buurt'
    group by quarter, period, parent_code
)

select wijk.quarter, wijk.period, wijk.area_code
from areas as wijk
left join buurt_sums
    on buurt_sums.quarter = wijk.quarter
    and buurt_sums.period = wijk.period
    and buurt_sums.wijkcode = wijk.area_code
where wijk.area_level = 'wijk'
  and (
    {%- for name in counts %}
    wijk.{{ name }} <> coalesce(buurt_sums.{{ name }}, 0){{ ' or' if not loop.last }}
    {%- endfor %}
  )
