-- The period types dbt computes (macros/periods.sql) are those of seeds/periods.csv, with the
-- same number of quarters and the same delay.
{% set computed = period_types() %}
{% set delays = period_delays() %}
with computed as (
    select * from (values
        {%- for name, quarters in computed.items() %}
        ('{{ name }}', {{ quarters }}, {{ delays.get(name, 0) }}){{ ',' if not loop.last }}
        {%- endfor %}
    ) as t(period_type, quarters, vertraging)
)

(select 'computed, not in the seed' as problem, * from computed
 except select 'computed, not in the seed', period_type, quarters, vertraging from {{ ref('periods') }})
union all
(select 'in the seed, not computed' as problem, period_type, quarters, vertraging
 from {{ ref('periods') }}
 except select 'in the seed, not computed', * from computed)
