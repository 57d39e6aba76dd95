-- Restricted wide table: one row per area of the quarter's reference (every buurt, wijk and
-- gemeente, zeros where nothing happened) with every count indicator and the median arrears.
-- Unsuppressed: the input of disclosure control, never published as such.
--
-- Additive by construction: a household counts in its buurt, that buurt's wijk and that
-- wijk's gemeente; a household whose address has no buurt (or a buurt unknown to the
-- reference) counts in its BAG gemeente only. Hence wijk = sum of its buurten and
-- gemeente = sum of its wijken + households without buurt.
{% set counts = count_indicators() %}
{% set signal_counts = counts | reject('equalto', 'huishoudens') | list %}
with huishoudens as (
    select buurtcode, wijkcode, gemeentecode, count(*) as huishoudens
    from {{ ref('int_huishoudens') }}
    group by all
),

signalled as (
    select *
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

-- households and signalled households per (buurt, wijk, gemeente) combination
combined as (
    select
        buurtcode, wijkcode, gemeentecode, huishoudens
        {%- for name in signal_counts %}, 0 as {{ name }}{% endfor %}
    from huishoudens
    union all by name
    select
        buurtcode, wijkcode, gemeentecode, 0 as huishoudens
        {%- for name in signal_counts %}, {{ name }}{% endfor %}
    from signalled_groups
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
    cast(medians.mediaan_bedrag as double) as mediaan_bedrag
from {{ ref('stg_cbs__wijken_buurten') }} as areas
left join per_area
    on per_area.area_level = areas.area_level
    and per_area.area_code = areas.area_code
left join medians
    on medians.area_level = areas.area_level
    and medians.area_code = areas.area_code
