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
        count(*) as hh_met_signaal,
        count(*) filter (where n_partner_types >= 2) as hh_meerdere_signalen,
        sum(n_signalen) as signalen,
        {%- for group in publication_groups() %}
        sum(n_signalen_{{ group }}) as signalen_{{ group }},
        {%- endfor %}
        count(*) filter (where not bekend) as hh_onbekend,
        count(*) filter (where bereikt) as hh_bereikt,
        count(*) filter (where hulp_geaccepteerd) as hh_hulp_geaccepteerd,
        {%- for persona in personas() %}
        count(*) filter (where persona = '{{ persona }}') as hh_persona_{{ persona }}{{ ',' if not loop.last }}
        {%- endfor %}
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

{% set levels = [('buurt', 'buurtcode'), ('wijk', 'wijkcode'), ('gemeente', 'gemeentecode')] %}
per_area as (
    {%- for level, code in levels %}
    select
        '{{ level }}' as area_level,
        {{ code }} as area_code
        {%- for name in counts %},
        sum({{ name }}) as {{ name }}
        {%- endfor %}
    from combined
    where {{ code }} is not null
    group by {{ code }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

medians as (
    {%- for level, code in levels %}
    select
        '{{ level }}' as area_level,
        {{ code }} as area_code,
        median(cast(totaal_bedrag as double)) as mediaan_bedrag
    from signalled
    where {{ code }} is not null
    group by {{ code }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
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
