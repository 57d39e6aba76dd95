-- Restricted wide table: one row per area of the quarter (mon_gebieden: every buurt,
-- wijk, gemeente and regio, zeros where nothing happened) with every count indicator and the
-- median arrears.
-- Unsuppressed: the input of disclosure control, never published as such.
--
-- Additive by construction: a household counts in its buurt, that buurt's wijk and that
-- wijk's gemeente; a household whose address has no buurt (or a buurt unknown to the
-- reference) counts in its BAG gemeente only. Hence wijk = sum of its buurten,
-- gemeente = sum of its wijken + households without buurt, and regio = sum of its gemeenten
-- (what counts in a gemeente counts in its regio, nothing else does).
--
-- Signals at no household (unmatched, outside the gemeente, ambiguous, or at an address where
-- nobody lives) count at gemeente (and regio) level only, in signalen and in signalen_<reason>
-- (macros/indicators.sql unlinked_reasons): so at gemeente level signalen is every signal
-- received, at wijk and buurt level the signals of households. Their gemeente is the rule of
-- int_signalen_in_gemeente; a signal in no gemeente is counted by mon_match_rates only.
{% set counts = count_indicators() %}
with huishoudens as (
    select buurtcode, wijkcode, gemeentecode, count(*) as huishoudens, sum(n_bewoners) as inwoners
    from {{ ref('int_huishoudens') }}
    group by all
),

signalled as (
    select *, {{ regiocode_of('gemeentecode') }} as regiocode
    from {{ ref('fct_huishouden_signalen') }}
    where quarter = {{ quarter_literal() }}
),

signalled_groups as (
    select
        buurtcode,
        wijkcode,
        gemeentecode,
{{ signalled_household_counts() }}
    from signalled
    group by all
),

unlinked_groups as (
    select
        gemeentecode,
        count(*) as signalen,
        {{ unlinked_signal_counts() }}
    from {{ ref('int_signalen_in_gemeente') }}
    where huishouden_id is null and gemeentecode is not null
    group by gemeentecode
),

-- households, signalled households and unlinked signals per (buurt, wijk, gemeente)
-- combination, with the gemeente's regio; a column a part lacks is NULL there (sum ignores it)
combined as (
    select *, {{ regiocode_of('gemeentecode') }} as regiocode
    from (
        select * from huishoudens
        union all by name
        select * from signalled_groups
        union all by name
        select * from unlinked_groups
    )
),

{% set sums %}
        {%- for name in counts %}sum({{ name }}) as {{ name }}{{ ', ' if not loop.last }}{% endfor %}
{%- endset %}
per_area as (
{{ per_area_level('combined', sums) }}
),

medians as (
{{ area_medians('signalled') }}
)

select
    areas.quarter,
    areas.area_level,
    areas.area_code,
    areas.area_name,
    areas.parent_code,
    {%- for name in counts %}
    cast(coalesce(per_area.{{ name }}, 0) as bigint) as {{ name }},
    {%- endfor %}
    {%- for name in median_indicators() %}
    cast(medians.{{ name }} as double) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
from {{ ref('mon_gebieden') }} as areas
{{ join_area_figures() }}
where areas.quarter = {{ quarter_literal() }}
