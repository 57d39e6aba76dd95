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
  {{ return(names) }}
{%- endmacro %}

{% macro median_indicators() -%}
  {{ return(['mediaan_bedrag']) }}
{%- endmacro %}
