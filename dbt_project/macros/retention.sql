{#- Remove household- and signal-level rows of quarters before `before` (e.g. '2025Q1') from
    the restricted marts; area tables are aggregates and stay. For the retention period of
    seeds/disclosure_parameters.csv (retention_months), run by the pipeline, e.g.
      dbt run-operation purge_household_data --args '{before: 2025Q1}' \
        --profiles-dir dbt_project --project-dir dbt_project
    The intermediates hold only the last quarter built and are replaced by every build. -#}
{% macro purge_household_data(before) %}
  {%- if not modules.re.match('^[0-9]{4}Q[1-4]$', before | string) -%}
    {{ exceptions.raise_compiler_error("before must be a quarter like 2025Q1, got '" ~ before ~ "'") }}
  {%- endif -%}
  {%- for name in ['fct_huishouden_signalen', 'fct_signalen'] -%}
    {%- set relation = adapter.get_relation(database=target.database, schema=target.schema ~ '_marts',
                                            identifier=name) -%}
    {%- if relation is not none -%}
      {%- set result = run_query("delete from " ~ relation ~ " where quarter < '" ~ before ~ "'") -%}
      {{ log("purged quarters before " ~ before ~ " from " ~ relation, info=true) }}
    {%- endif -%}
  {%- endfor -%}
  {%- do adapter.commit() -%}
{% endmacro %}
