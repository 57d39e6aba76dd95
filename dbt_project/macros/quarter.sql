{#- The quarter being built comes from the environment (MONITOR_QUARTER, e.g. 2026Q3).
    env_var() keeps dbt's partial parsing; --vars would force a full re-parse every run.
    It is read only when SQL is executed: read while parsing, dbt would record it and
    re-parse every model that uses it whenever the quarter changes. -#}

{% macro monitor_quarter() -%}
  {%- set quarter = (env_var('MONITOR_QUARTER', '') | trim) if execute else '' -%}
  {%- if execute and not modules.re.match('^[0-9]{4}Q[1-4]$', quarter) -%}
    {{ exceptions.raise_compiler_error(
        "MONITOR_QUARTER must name the quarter to build, like 2026Q3 (got '" ~ quarter ~ "')") }}
  {%- endif -%}
  {{- return(quarter if quarter else '2000Q1') -}}
{%- endmacro %}

{#- SQL literal of the quarter being built. -#}
{% macro quarter_literal() -%}
  '{{ monitor_quarter() }}'
{%- endmacro %}

{#- First day of the quarter being built, as a SQL DATE literal. -#}
{% macro quarter_start() -%}
  {%- set quarter = monitor_quarter() -%}
  {%- set month = 3 * ((quarter[5:6] | int) - 1) + 1 -%}
  DATE '{{ quarter[0:4] }}-{{ '%02d' % month }}-01'
{%- endmacro %}

{#- Last day of the quarter being built, as a SQL DATE literal. -#}
{% macro quarter_end() -%}
  {%- set quarter = monitor_quarter() -%}
  {%- set q = quarter[5:6] | int -%}
  {%- set month_day = {1: '03-31', 2: '06-30', 3: '09-30', 4: '12-31'}[q] -%}
  DATE '{{ quarter[0:4] }}-{{ month_day }}'
{%- endmacro %}

{#- Pre-hook of the per-quarter (incremental) models: remove the rows of the quarter being
    built, so that a build replaces exactly that quarter and leaves every other one alone.
    Together with incremental_strategy 'append' this is delete+insert on quarter that also
    empties a quarter whose new build has no rows. -#}
{% macro delete_quarter() -%}
  {%- if execute and is_incremental() -%}
    delete from {{ this }} where quarter = {{ quarter_literal() }}
  {%- endif -%}
{%- endmacro %}
