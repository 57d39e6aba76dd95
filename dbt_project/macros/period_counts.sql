{#- The counts of a period of ``n`` quarters ending ``delay`` quarters before the quarter being
    built, with the columns of mon_area_counts plus period: mon_area_counts_vier_kwartalen
    (4, 0), mon_area_counts_kwartaal_afgerond (1, 1) and mon_area_counts_vier_kwartalen_afgerond
    (4, 1). quarter is the quarter being built, period the period's label ('2025Q4-2026Q3',
    or the quarter itself for one quarter).

    Rows only when all quarters of the period are built (mon_area_counts has rows for each: a
    built quarter always has a row per area) and, with a delay, when the outcomes of each are
    in fct_huishouden_uitkomsten; then one per area of the reference of the period's last
    quarter. A household (huishouden_id) is counted once over the period, in the area of its
    latest quarter (a buurt unknown to that reference: gemeente only); signals add up;
    reached / help accepted in any quarter; not known to the gemeente before its first signal
    of the period (the flag of its earliest quarter); persona of its latest quarter; partner
    types of every quarter together; mediaan_bedrag over its arrears of the period; picked up
    in any quarter; help type of its latest quarter with help accepted; crisis and
    end-of-supply signals and contact attempts add up; its longest arrears of the period; its
    days to first contact of its earliest quarter in which it was reached; a repeat when it
    was one in any of its quarters (another signal in the six months before its first signal
    of that quarter). With a delay, every outcome (picked up, reached, help, help type,
    contact attempts, days to first contact) is the one known a quarter after the household's
    quarter (fct_huishouden_uitkomsten), the rest as counted with the quarter itself.
    huishoudens, inwoners: the last quarter's (at the end of the period). Signals at no
    household (gemeente level only) add up over the quarters, in signalen too; a regio's are
    the sum of its gemeenten's (so regio = sum of its gemeenten, as in every quarter). -#}
{% macro period_counts(n, delay) -%}
{% set counts = count_indicators() %}
{% set unlinked = [] %}
{% for reason in unlinked_reasons().values() %}{% do unlinked.append('signalen_' ~ reason) %}{% endfor %}
{% set same = ['huishoudens', 'inwoners'] %}
{% set quarters = period_quarters(n, delay) %}
{% set last = "'" ~ quarters[-1] ~ "'" %}
{% set quarter_list = "('" ~ quarters | join("', '") ~ "')" %}
with built_quarters as (
    select count(distinct quarter) as n
    from {{ ref('mon_area_counts') }}
    where quarter in {{ quarter_list }}
),

{%- if delay %}

known_outcomes as (
    select count(distinct period) as n
    from {{ ref('fct_huishouden_uitkomsten') }}
    where period in {{ quarter_list }}
),
{%- endif %}

-- true when all quarters of the period are built (with a delay: and their outcomes known);
-- otherwise the model has no rows, and the household-level reads below are skipped rather
-- than computed for nothing
complete as (
    select n = {{ quarters | length }}
        {%- if delay %} and (select n from known_outcomes) = {{ quarters | length }}{% endif %}
        as complete
    from built_quarters
),

areas as (
    select *
    from {{ ref('mon_area_counts') }}
    where quarter = {{ last }}
      and (select complete from complete)
),

household_quarters as (
    {%- if delay %}
    select {{ with_later_outcomes('households', 'outcomes') }}
    from {{ ref('fct_huishouden_signalen') }} as households
    inner join {{ ref('fct_huishouden_uitkomsten') }} as outcomes
        on outcomes.period = households.quarter
        and outcomes.huishouden_id = households.huishouden_id
    where households.quarter in {{ quarter_list }}
      and (select complete from complete)
    {%- else %}
    select *
    from {{ ref('fct_huishouden_signalen') }}
    where quarter in {{ quarter_list }}
      and (select complete from complete)
    {%- endif %}
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
        {{ regiocode_of('households.gemeentecode', last) }} as regiocode,
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

{% set unlinked_levels = [('gemeente', 'g.area_code'), ('regio', regiocode_of('g.area_code', last))] %}
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
    {{ quarter_literal() }} as quarter,
    '{{ quarters[0] if n == 1 else quarters[0] ~ '-' ~ quarters[-1] }}' as period,
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
{%- endmacro %}
