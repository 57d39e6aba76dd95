{#- The period types of the figures (seeds/periods.csv; the singular test
    periods_cover_the_seed keeps this list and the seed in step): name -> quarters. The
    quarterly figures come from mon_area_counts, the four-quarter ones from
    mon_area_counts_vier_kwartalen, those with the outcomes known a quarter later from
    mon_area_counts_kwartaal_afgerond and mon_area_counts_vier_kwartalen_afgerond, the cohort
    followed for six months from mon_area_counts_cohort_zes_maanden. -#}

{% macro period_types() -%}
  {{ return({'kwartaal': 1, 'vier_kwartalen': 4, 'kwartaal_afgerond': 1,
             'vier_kwartalen_afgerond': 4, 'cohort_zes_maanden': 1}) }}
{%- endmacro %}

{#- How many quarters after its last quarter a period type is computed (seeds/periods.csv
    vertraging; the same test): name -> quarters, 0 where absent. -#}
{% macro period_delays() -%}
  {{ return({'kwartaal_afgerond': 1, 'vier_kwartalen_afgerond': 1, 'cohort_zes_maanden': 2}) }}
{%- endmacro %}

{#- The n quarters of the period ending with the quarter being built, oldest first
    (period_quarters(4) for 2026Q3: 2025Q4, 2026Q1, 2026Q2, 2026Q3); with delay, of the period
    ending that many quarters earlier (period_quarters(1, 2) for 2026Q3: 2026Q1). -#}
{% macro period_quarters(n, delay=0) -%}
  {%- set quarter = monitor_quarter() -%}
  {%- set index = (quarter[0:4] | int) * 4 + (quarter[5:6] | int) - 1 -%}
  {%- set out = [] -%}
  {%- for back in range(n - 1, -1, -1) -%}
    {%- set i = index - delay - back -%}
    {%- do out.append((i // 4) ~ 'Q' ~ (i % 4 + 1)) -%}
  {%- endfor -%}
  {{ return(out) }}
{%- endmacro %}

{#- The label of the period ending with the quarter being built: the quarter itself for one
    quarter, first-last quarter otherwise ('2025Q4-2026Q3'). -#}
{% macro period_label(n) -%}
  {%- set quarters = period_quarters(n) -%}
  {{- return(quarters[0] if n == 1 else quarters[0] ~ '-' ~ quarters[-1]) -}}
{%- endmacro %}
