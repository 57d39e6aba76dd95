-- Restricted wide table of the four-quarter period ("voortschrijdend jaar") ending with the
-- quarter being built: the same columns as mon_area_counts plus period ('2025Q4-2026Q3').
-- Unsuppressed: input of disclosure control, never published as such.
--
-- Rows only when all four quarters are built (mon_area_counts has rows for each: a built
-- quarter always has a row per area), then one per area of the built quarter's reference.
-- A household (huishouden_id) is counted once over the period, in the area of its latest
-- quarter (a buurt unknown to the built quarter's reference: gemeente only); signals add up;
-- reached / help accepted in any quarter; not known to the gemeente before its first signal
-- of the period (the flag of its earliest quarter); persona of its latest quarter;
-- partner types of every quarter together; mediaan_bedrag over its arrears of the period;
-- picked up in any quarter; help type of its latest quarter with help accepted; crisis and
-- end-of-supply signals and contact attempts add up; its longest arrears of the period; its
-- days to first contact of its earliest quarter in which it was reached; a repeat when it
-- was one in any of its quarters (another signal in the six months before its first signal of
-- that quarter).
-- huishoudens, inwoners: the built quarter's (at the end of the period). Signals at no
-- household (gemeente level only) add up over the quarters, in signalen too; a regio's are
-- the sum of its gemeenten's (so regio = sum of its gemeenten, as in every quarter).
{% set counts = count_indicators() %}
{% set unlinked = [] %}
{% for reason in unlinked_reasons().values() %}{% do unlinked.append('signalen_' ~ reason) %}{% endfor %}
{% set same = ['huishoudens', 'inwoners'] %}
{% set quarters = period_quarters(period_types()['vier_kwartalen']) %}
{% set quarter_list = "('" ~ quarters | join("', '") ~ "')" %}
with built_quarters as (
    select count(distinct quarter) as n
    from {{ ref('mon_area_counts') }}
    where quarter in {{ quarter_list }}
),

-- true when all quarters of the period are built; otherwise the model has no rows, and the
-- household-level reads below are skipped rather than computed for nothing
complete as (
    select n = {{ quarters | length }} as complete from built_quarters
),

areas as (
    select *
    from {{ ref('mon_area_counts') }}
    where quarter = {{ quarter_literal() }}
      and (select complete from complete)
),

household_quarters as (
    select *
    from {{ ref('fct_huishouden_signalen') }}
    where quarter in {{ quarter_list }}
      and (select complete from complete)
),

partner_types as (
    select huishouden_id, count(distinct partner_type) as n_partner_types
    from {{ ref('fct_signalen') }}
    where quarter in {{ quarter_list }} and huishouden_id is not null
      and (select complete from complete)
    group by huishouden_id
),

households as (
    select
        huishouden_id,
        arg_max(buurtcode, quarter) as latest_buurtcode,
        arg_max(gemeentecode, quarter) as gemeentecode,
        arg_max(persona, quarter) as persona,
        arg_min(bekend, quarter) as bekend,
        bool_or(bereikt) as bereikt,
        bool_or(hulp_geaccepteerd) as hulp_geaccepteerd,
        bool_or(opgepakt) as opgepakt,
        arg_max(hulpsoort, quarter) filter (where hulp_geaccepteerd) as hulpsoort,
        sum(n_crisissignalen) as n_crisissignalen,
        sum(n_eindeleveringssignalen) as n_eindeleveringssignalen,
        sum(contactpogingen) as contactpogingen,
        max(max_dagen_achterstand) as max_dagen_achterstand,
        arg_min(dagen_tot_contact, quarter) filter (where bereikt and dagen_tot_contact is not null)
            as dagen_tot_contact,
        sum(n_signalen) as n_signalen,
        {%- for group in publication_groups() %}
        sum(n_signalen_{{ group }}) as n_signalen_{{ group }},
        {%- endfor %}
        sum(totaal_bedrag) as totaal_bedrag,
        bool_or(herhaald) as herhaald
    from household_quarters
    group by huishouden_id
),

signalled as (
    select
        households.*,
        buurten.area_code as buurtcode,
        buurten.parent_code as wijkcode,
        {{ regiocode_of('households.gemeentecode') }} as regiocode,
        partner_types.n_partner_types
    from households
    inner join partner_types
        on partner_types.huishouden_id = households.huishouden_id
    left join areas as buurten
        on buurten.area_level = 'buurt'
        and buurten.area_code = households.latest_buurtcode
),

per_area as (
{{ per_area_level('signalled', signalled_household_counts()) }}
),

medians as (
{{ area_medians('signalled') }}
),

unlinked_gemeente as (
    select
        area_code
        {%- for name in unlinked %},
        sum({{ name }}) as {{ name }}
        {%- endfor %}
    from {{ ref('mon_area_counts') }}
    where quarter in {{ quarter_list }} and area_level = 'gemeente'
    group by area_code
),

{% set unlinked_levels = [('gemeente', 'g.area_code'), ('regio', regiocode_of('g.area_code'))] %}
unlinked as (
    {%- for level, code in unlinked_levels %}
    select
        '{{ level }}' as area_level,
        {{ code }} as area_code
        {%- for name in unlinked %},
        sum({{ name }}) as {{ name }}
        {%- endfor %},
        sum({{ unlinked | join(' + ') }}) as n_unlinked
    from unlinked_gemeente as g
    group by all
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select
    areas.quarter,
    '{{ period_label(period_types()['vier_kwartalen']) }}' as period,
    areas.area_level,
    areas.area_code,
    areas.area_name,
    areas.parent_code,
    {%- for name in counts %}
    {%- if name in same %}
    areas.{{ name }},
    {%- elif name in unlinked %}
    cast(coalesce(unlinked.{{ name }}, 0) as bigint) as {{ name }},
    {%- elif name == 'signalen' %}
    cast(coalesce(per_area.signalen, 0) + coalesce(unlinked.n_unlinked, 0) as bigint) as signalen,
    {%- else %}
    cast(coalesce(per_area.{{ name }}, 0) as bigint) as {{ name }},
    {%- endif %}
    {%- endfor %}
    {%- for name in median_indicators() %}
    cast(medians.{{ name }} as double) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
from areas
{{ join_area_figures() }}
left join unlinked
    on unlinked.area_level = areas.area_level
    and unlinked.area_code = areas.area_code
