{#- The indicators of seeds/indicators.csv, by kind. The counts and the median are computed by
    mon_area_counts; the rates are derived from the seed's numerator / denominator / scale in
    mon_area_indicators. The singular test indicators_cover_the_seed keeps this list and the
    seed in step. -#}

{% macro publication_groups() -%}
  {{ return(['energie', 'water', 'huur', 'zorg', 'overig']) }}
{%- endmacro %}

{% macro personas() -%}
  {{ return(['jonge_starter', 'groot_gezin_minimum', 'senior', 'zelfstandige', 'student', 'overig']) }}
{%- endmacro %}

{% macro count_indicators() -%}
  {%- set names = ['huishoudens', 'hh_met_signaal', 'hh_meerdere_signalen', 'signalen'] -%}
  {%- for group in publication_groups() -%}
    {%- do names.append('signalen_' ~ group) -%}
  {%- endfor -%}
  {%- do names.extend(['hh_onbekend', 'hh_bereikt', 'hh_hulp_geaccepteerd']) -%}
  {%- for persona in personas() -%}
    {%- do names.append('hh_persona_' ~ persona) -%}
  {%- endfor -%}
  {%- do names.append('inwoners') -%}
  {%- for reason in unlinked_reasons().values() -%}
    {%- do names.append('signalen_' ~ reason) -%}
  {%- endfor -%}
  {%- do names.append('hh_opgepakt') -%}
  {%- for soort in hulpsoorten() -%}
    {%- do names.append('hh_hulpsoort_' ~ soort) -%}
  {%- endfor -%}
  {%- do names.extend(['crisissignalen', 'eindeleveringssignalen', 'contactpogingen', 'hh_herhaald']) -%}
  {%- for persona in personas() -%}
    {%- do names.extend(['hh_bereikt_persona_' ~ persona, 'hh_hulp_persona_' ~ persona]) -%}
  {%- endfor -%}
  {{ return(names) }}
{%- endmacro %}

{#- Why a signal of the quarter is at no household: its match status (or, matched to an
    address, that nobody lives there) -> the suffix of its count signalen_<reason>, counted
    at gemeente level only (zero in every wijk and buurt). -#}
{% macro unlinked_reasons() -%}
  {{ return({'no_match': 'geen_match', 'outside_gemeente': 'buiten_gemeente',
             'ambiguous': 'meerdere_adressen', 'matched': 'geen_huishouden'}) }}
{%- endmacro %}

{#- The signals at no household per reason, over rows with the column unlinked_status of
    int_signalen_in_gemeente: signalen_<reason> for every reason of unlinked_reasons(). -#}
{% macro unlinked_signal_counts() -%}
  {%- for status, reason in unlinked_reasons().items() %}
        count(*) filter (where unlinked_status = '{{ status }}') as signalen_{{ reason }}
        {{- ',' if not loop.last }}
  {%- endfor %}
{%- endmacro %}

{#- The help-accepted outcomes of seeds/resultaat_codes.csv: hh_hulpsoort_<resultaat>. -#}
{% macro hulpsoorten() -%}
  {{ return(['quick_fix', 'vervolghulp_financieel', 'vervolghulp_niet_financieel']) }}
{%- endmacro %}

{#- The counts of the period type cohort_zes_maanden (mon_area_counts_cohort_zes_maanden): the
    cohort's signalled households, those of them that accepted help, that started debt help,
    and that accepted help and were signalled again. -#}
{% macro cohort_count_indicators() -%}
  {{ return(['hh_met_signaal', 'hh_hulp_geaccepteerd', 'hh_schuldhulp_binnen_6m',
             'hh_nieuw_signaal_na_hulp']) }}
{%- endmacro %}

{#- Every count of any period type: count_indicators() and the cohort's own. -#}
{% macro every_count_indicator() -%}
  {%- set names = count_indicators() -%}
  {{ return(names + cohort_count_indicators() | reject('in', names) | list) }}
{%- endmacro %}

{#- Which indicator each period type carries (seeds/indicators.csv periodesoorten: the period
    types named there; empty: every period type computed without delay, vertraging 0 in
    seeds/periods.csv), as a query with the columns indicator and period_type. The same rule
    as orchestration/parameters.py Indicator.period_types. -#}
{% macro indicator_period_types() -%}
select definitions.indicator, periods.period_type
from {{ ref('indicators') }} as definitions
cross join {{ ref('periods') }} as periods
where case
    when coalesce(trim(definitions.periodesoorten), '') = '' then periods.vertraging = 0
    else list_contains(
        list_transform(string_split(definitions.periodesoorten, ','), s -> trim(s)),
        periods.period_type
    )
end
{%- endmacro %}

{% macro median_indicators() -%}
  {{ return(['mediaan_bedrag', 'mediaan_dagen_achterstand', 'mediaan_dagen_tot_contact']) }}
{%- endmacro %}

{#- What a rate is divided by besides its denominator: the months of its period when its unit
    (seeds/indicators.csv) is per month ('per 1000 inwoners per maand': 3 for a quarter, 12 for
    four quarters), else 1. -#}
{% macro rate_period_divisor(unit, quarters) -%}
  (case when {{ unit }} like '%per maand' then 3 * {{ quarters }} else 1 end)
{%- endmacro %}

{#- Every rate of seeds/indicators.csv over a long relation of counts (columns ``keys``,
    period_type, indicator, value): numerator / denominator * scale, NULL when the denominator
    is 0, divided by the months of its period when its unit is per month. The numerator and
    the denominator are the rows of the relation that agree on ``match`` (which must identify
    one figure per indicator). A rate whose numerator or denominator the relation lacks has
    no row. -#}
{% macro indicator_rates(relation, keys, match) -%}
    select
        {%- for key in keys %}
        numerator.{{ key }},
        {%- endfor %}
        definitions.indicator,
        case
            when denominator.value > 0
                then numerator.value / denominator.value * coalesce(definitions.scale, 1)
                    / {{ rate_period_divisor('definitions.unit', 'periods.quarters') }}
        end as value
    from {{ ref('indicators') }} as definitions
    inner join {{ relation }} as numerator
        on numerator.indicator = definitions.numerator
    inner join {{ relation }} as denominator
        on denominator.indicator = definitions.denominator
        {%- for key in match %}
        and denominator.{{ key }} = numerator.{{ key }}
        {%- endfor %}
    inner join {{ ref('periods') }} as periods
        on periods.period_type = numerator.period_type
    where definitions.kind = 'rate'
{%- endmacro %}
