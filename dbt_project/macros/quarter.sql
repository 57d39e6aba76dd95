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

{#- The incremental strategy of the per-quarter models (dbt_project.yml): replace the rows of the
    quarter being built, leaving every other quarter alone. One transaction: delete the
    quarter's rows, then insert the new build (strategy 'append'), after any column the model
    gained was added (on_schema_change). A delete+insert on quarter that also empties a
    quarter whose new build has no rows, and keeps the old rows when the build fails (the
    contract of mon_area_indicators). Not a pre-hook: DuckDB cannot commit a transaction that
    deletes rows and then adds a column, which made the first build after an upgrade fail. -#}
{% macro get_incremental_replace_quarter_sql(arg_dict) -%}
  delete from {{ arg_dict['target_relation'] }} where quarter = {{ quarter_literal() }};
  {{ get_incremental_append_sql(arg_dict) }}
{%- endmacro %}
