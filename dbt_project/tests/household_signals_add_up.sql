-- For the quarter being built: the signals of the signalled households are exactly the
-- signals linked to a household in fct_signalen, and the area totals of every gemeente
-- together hold every signalled household whose gemeente is in the reference.
{{ config(meta={'dagster': {'ref': {'name': 'fct_huishouden_signalen'}}}) }}
with per_household as (
    select cast(sum(n_signalen) as bigint) as n
    from {{ ref('fct_huishouden_signalen') }}
    where quarter = {{ quarter_literal() }}
),

linked as (
    select count(*) as n
    from {{ ref('fct_signalen') }}
    where quarter = {{ quarter_literal() }} and huishouden_id is not null
),

in_reference as (
    select cast(count(*) as bigint) as households, cast(sum(n_signalen) as bigint) as signals
    from {{ ref('fct_huishouden_signalen') }}
    where quarter = {{ quarter_literal() }}
      and gemeentecode in (select area_code from {{ ref('stg_cbs__wijken_buurten') }}
                           where area_level = 'gemeente')
),

gemeenten as (
    select
        cast(coalesce(sum(hh_met_signaal), 0) as bigint) as households,
        -- signalen of a gemeente also holds its signals at no household
        cast(coalesce(sum(signalen
            {%- for reason in unlinked_reasons().values() %} - signalen_{{ reason }}{% endfor %}), 0)
            as bigint) as signals
    from {{ ref('mon_area_counts') }}
    where quarter = {{ quarter_literal() }} and area_level = 'gemeente'
)

select 'household signals differ from linked signals' as problem
from per_household, linked
where coalesce(per_household.n, 0) <> linked.n
union all
select 'gemeente totals differ from the households' as problem
from in_reference, gemeenten
where coalesce(in_reference.households, 0) <> gemeenten.households
   or coalesce(in_reference.signals, 0) <> gemeenten.signals
