-- Restricted wide table: one row per area of the quarter's reference (every buurt, wijk and
-- gemeente, zeros where nothing happened) with every count indicator and the median arrears.
-- Unsuppressed: the input of disclosure control, never published as such.
--
-- Additive by construction: a household counts in its buurt, that buurt's wijk and that
-- wijk's gemeente; a household whose address has no buurt (or a buurt unknown to the
-- reference) counts in its BAG gemeente only. Hence wijk = sum of its buurten and
-- gemeente = sum of its wijken + households without buurt.
--
-- Signals at no household (unmatched, outside the gemeente, ambiguous, or at an address where
-- nobody lives) count at gemeente level only, in signalen and in signalen_<reason>
-- (macros/indicators.sql unlinked_reasons): so at gemeente level signalen is every signal
-- received, at wijk and buurt level the signals of households. Their gemeente: the matched
-- address's (BAG), else the gemeente of most BAG addresses with the signal's pc4, else the
-- reference's gemeente when it has just one (a signal from outside the gemeente was still
-- received by it); with several gemeenten and no pc4 in BAG, in no gemeente (mon_match_rates
-- still counts it).
{% set counts = count_indicators() %}
{% set reasons = unlinked_reasons() %}
with huishoudens as (
    select buurtcode, wijkcode, gemeentecode, count(*) as huishoudens, sum(n_bewoners) as inwoners
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

bag as (
    select * from {{ ref('stg_bag__adressen') }}
),

pc4_gemeente as (
    select pc4_sleutel, first(gemeentecode order by n desc, gemeentecode) as gemeentecode
    from (select pc4_sleutel, gemeentecode, count(*) as n from bag group by all)
    group by pc4_sleutel
),

only_gemeente as (
    select case when count(*) = 1 then min(area_code) end as gemeentecode
    from {{ ref('stg_cbs__wijken_buurten') }}
    where area_level = 'gemeente'
),

unlinked as (
    select
        coalesce(adres.gemeentecode, pc4.gemeentecode, only_gemeente.gemeentecode) as gemeentecode,
        case when signalen.adres_pseudo is not null then 'matched' else signalen.match_status end
            as reason
    from {{ ref('int_signalen_matched_to_adressen') }} as signalen
    left join bag as adres
        on adres.adres_pseudo = signalen.adres_pseudo
    left join pc4_gemeente as pc4
        on pc4.pc4_sleutel = signalen.pc4_sleutel
    cross join only_gemeente
    where signalen.huishouden_id is null
),

unlinked_groups as (
    select
        gemeentecode,
        count(*) as signalen
        {%- for status, reason in reasons.items() %},
        count(*) filter (where reason = '{{ status }}') as signalen_{{ reason }}
        {%- endfor %}
    from unlinked
    where gemeentecode is not null
    group by gemeentecode
),

-- households, signalled households and unlinked signals per (buurt, wijk, gemeente)
-- combination; a column a part lacks is NULL there (sum ignores it)
combined as (
    select * from huishoudens
    union all by name
    select * from signalled_groups
    union all by name
    select * from unlinked_groups
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
from {{ ref('stg_cbs__wijken_buurten') }} as areas
{{ join_area_figures() }}
