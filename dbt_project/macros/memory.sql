-- The DuckDB memory cap of the pipeline (orchestration/settings.py, 2GB unless configured):
-- when MONITOR_DUCKDB_MEMORY_LIMIT is set, every model of the build runs within it and DuckDB
-- spills to disk beyond it; unset (dbt run by hand, or the setting `default`), DuckDB keeps its
-- own default (80% of physical memory).
-- memory_limit is a setting of the database instance, so one SET covers every cursor.
{% macro apply_memory_limit() -%}
    {%- set limit = env_var('MONITOR_DUCKDB_MEMORY_LIMIT', '') | trim -%}
    {%- if limit and limit | lower != 'default' -%}
        set memory_limit = '{{ limit | replace("'", "''") }}'
    {%- else -%}
        select 1 as memory_limit_unchanged
    {%- endif -%}
{%- endmacro %}
